/**
 * Flights: the list, one flight with its progress, assets, failure reason and notices, and its progress
 * live as Server-Sent Events (the flight row is what workers update, so any API instance can
 * stream any flight).
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { getFlight, listFlights, newestFlightCovering } from '#db/sql/flights.js';
import type { FlightCovering, FlightDetail, FlightList, FlightProgress, Sendable } from '../api-contract.js';
import { sendProblem } from '../problem.js';
import { idParams } from './id-schema.js';

export function flightRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Querystring: { limit: number; offset: number }; Reply: Sendable<FlightList> }>('/api/flights', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: {
      tags: ['flights'], summary: 'Flights, newest first, with status and progress',
      querystring: { type: 'object', additionalProperties: false, properties: {
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, offset: { type: 'integer', minimum: 0, default: 0 } } },
    },
  }, async (request) => {
    return { flights: await listFlights(pool, request.query.limit, request.query.offset) };
  });

  app.get<{ Querystring: { bbox: string }; Reply: Sendable<FlightCovering> }>('/api/flights/covering', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: {
      tags: ['flights'],
      summary: 'The newest finished flight over a map view',
      description: "The finished flight captured last among those under the box's centre, else the one captured last that meets the box; null when none does.",
      querystring: { type: 'object', additionalProperties: false, required: ['bbox'], properties: {
        bbox: { type: 'string', pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', description: 'west,south,east,north in lon/lat' } } },
    },
  }, async (request, reply) => {
    const [w, s, e, n] = request.query.bbox.split(',').map(Number) as [number, number, number, number];
    if (![w, s, e, n].every(Number.isFinite) || w >= e || s >= n) return sendProblem(reply, 400, 'The request is not valid', 'bbox must be west,south,east,north with west < east and south < north');
    return { flight: await newestFlightCovering(pool, [w, s, e, n]) };
  });

  app.get<{ Params: { id: string }; Reply: Sendable<FlightDetail> }>('/api/flights/:id', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: { tags: ['flights'], summary: 'One flight: status, progress, files, footprint', params: idParams('id') },
  }, async (request, reply) => {
    const flight = await getFlight(pool, request.params.id);
    return flight ? { ...flight, footprint: flight.footprint && JSON.parse(flight.footprint) } : sendProblem(reply, 404, 'No such flight', `flight ${request.params.id} does not exist`);
  });
}

/** How often the event stream looks at the flight row, ms. */
const EVENT_POLL_MS = 500;

export function flightEventRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Params: { id: string } }>('/api/flights/:id/events', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: { tags: ['flights'], summary: 'A flight\'s progress as server-sent events', params: idParams('id') },
  }, async (request, reply) => {
    if (!(await getFlight(pool, request.params.id))) return sendProblem(reply, 404, 'No such flight', `flight ${request.params.id} does not exist`);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let last = '';
    let open = true;
    request.raw.on('close', () => (open = false));
    while (open) {
      const flight = await getFlight(pool, request.params.id);
      if (!flight) break;
      const event = JSON.stringify({ status: flight.status, stage: flight.stage, progress: flight.progress, failure_reason: flight.failure_reason } satisfies FlightProgress);
      if (event !== last) {
        reply.raw.write(`event: progress\ndata: ${event}\n\n`);
        last = event;
      }
      if (flight.status === 'done' || flight.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, EVENT_POLL_MS));
    }
    reply.raw.end();
  });
}
