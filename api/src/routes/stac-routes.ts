/**
 * The STAC catalog of flights: /api/stac (catalog), /api/stac/collections/flights (collection),
 * its items (one per flight that is done or holds COGs) with the COGs as assets. Links are
 * absolute, built from the configured public base URL (PUBLIC_BASE_URL), never from the request's
 * Host header, which the client chooses: a forged Host must not send a GIS client elsewhere.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { stacFlights, stacFlightsExtent } from '../../../db/sql/flights.js';
import { sendProblem } from '../problem.js';
import { flightItem, flightItemCollection, flightsCollection, stacCatalog } from '../rasters/stac.js';
import { idParams } from './id-schema.js';

const ROLES = ['operator', 'reviewer', 'assessor'] as const;

export function stacRoutes(app: FastifyInstance, pool: pg.Pool, publicBaseUrl: string): void {
  const apiBase = () => `${publicBaseUrl}/api`;
  app.get('/api/stac', {
    config: { roles: ROLES },
    schema: { tags: ['stac'], summary: 'The STAC catalog (root)' },
  }, async (_request, reply) => reply.type('application/json').send(stacCatalog(apiBase())));

  app.get('/api/stac/collections/flights', {
    config: { roles: ROLES },
    schema: { tags: ['stac'], summary: 'The flights collection' },
  }, async (_request, reply) => reply.type('application/json').send(flightsCollection(apiBase(), await stacFlightsExtent(pool))));

  app.get<{ Querystring: { limit: number; offset: number } }>('/api/stac/collections/flights/items', {
    config: { roles: ROLES },
    schema: {
      tags: ['stac'],
      summary: 'The flights as STAC items, oldest first, paged',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } },
      },
    },
  }, async (request, reply) => {
    const { limit, offset } = request.query;
    const { flights, matched } = await stacFlights(pool, { limit, offset });
    return reply.type('application/geo+json').send(flightItemCollection(apiBase(), flights, { limit, offset, matched }));
  });

  app.get<{ Params: { flightId: string } }>('/api/stac/collections/flights/items/:flightId', {
    config: { roles: ROLES },
    schema: {
      tags: ['stac'],
      summary: 'One flight as a STAC item',
      params: idParams('flightId'),
    },
  }, async (request, reply) => {
    const { flights } = await stacFlights(pool, { limit: 1, offset: 0, id: request.params.flightId });
    if (!flights[0]) return sendProblem(reply, 404, 'No such item', `flight ${request.params.flightId} does not exist, or has no COGs yet (it is listed once ingested)`);
    return reply.type('application/geo+json').send(flightItem(apiBase(), flights[0]));
  });
}
