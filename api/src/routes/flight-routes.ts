/** Flights: the list and one flight with its progress, assets and failure reason. */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { getFlight } from '../../../db/sql/flights.js';
import { sendProblem } from '../problem.js';

export function flightRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Querystring: { limit: number; offset: number } }>('/api/flights', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: {
      tags: ['flights'],
      querystring: { type: 'object', additionalProperties: false, properties: {
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, offset: { type: 'integer', minimum: 0, default: 0 } } },
    },
  }, async (request) => {
    const { rows } = await pool.query(
      `SELECT id::text, kind, status, stage, progress, captured_at, operator, failure_reason, created_at
         FROM flight ORDER BY id DESC LIMIT $1 OFFSET $2`,
      [request.query.limit, request.query.offset],
    );
    return { flights: rows };
  });

  app.get<{ Params: { id: string } }>('/api/flights/:id', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: { tags: ['flights'], params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } } },
  }, async (request, reply) => {
    const flight = await getFlight(pool, request.params.id);
    return flight ? { ...flight, footprint: flight.footprint && JSON.parse(flight.footprint) } : sendProblem(reply, 404, 'No such flight', `flight ${request.params.id} does not exist`);
  });
}
