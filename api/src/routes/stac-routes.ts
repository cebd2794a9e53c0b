/**
 * The STAC catalog of flights: /api/stac (catalog, with conformsTo: a STAC API without search),
 * /api/stac/conformance, /api/stac/collections, /api/stac/collections/flights (collection, with an
 * `item` link per flight for static crawlers), its items (one per flight that is done or holds
 * COGs; bbox, datetime, limit, offset) with the COGs as assets. Links are
 * absolute, built from the configured public base URL (PUBLIC_BASE_URL), never from the request's
 * Host header, which the client chooses: a forged Host must not send a GIS client elsewhere.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { stacFlightIds, stacFlights, stacFlightsExtent } from '#db/sql/flights.js';
import { parseDatetime } from '../ogc/datetime.js';
import { sendProblem } from '../problem.js';
import { flightItem, flightItemCollection, flightsCollection, STAC_CONFORMANCE, stacCatalog, stacCollections } from '../rasters/stac.js';
import { parseBbox } from './candidate-query.js';
import { idParams } from './id-schema.js';

const ROLES = ['operator', 'reviewer', 'assessor'] as const;

export function stacRoutes(app: FastifyInstance, pool: pg.Pool, publicBaseUrl: string): void {
  const apiBase = () => `${publicBaseUrl}/api`;
  app.get('/api/stac', {
    config: { roles: ROLES },
    schema: { tags: ['stac'], summary: 'The STAC catalog (root)' },
  }, async (_request, reply) => reply.type('application/json').send(stacCatalog(apiBase())));

  app.get('/api/stac/conformance', {
    config: { roles: ROLES },
    schema: { tags: ['stac'], summary: 'The conformance classes of the STAC API' },
  }, async (_request, reply) => reply.type('application/json').send({ conformsTo: STAC_CONFORMANCE }));

  const collection = async () => flightsCollection(apiBase(), await stacFlightsExtent(pool), await stacFlightIds(pool));

  app.get('/api/stac/collections', {
    config: { roles: ROLES },
    schema: { tags: ['stac'], summary: 'The STAC collections: flights' },
  }, async (_request, reply) => reply.type('application/json').send(stacCollections(apiBase(), await collection())));

  app.get('/api/stac/collections/flights', {
    config: { roles: ROLES },
    schema: { tags: ['stac'], summary: 'The flights collection' },
  }, async (_request, reply) => reply.type('application/json').send(await collection()));

  app.get<{ Querystring: { limit: number; offset: number; bbox?: string; datetime?: string } }>('/api/stac/collections/flights/items', {
    config: { roles: ROLES },
    schema: {
      tags: ['stac'],
      summary: 'The flights as STAC items, oldest first, paged',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 },
          bbox: { type: 'string', maxLength: 200, description: 'west,south,east,north in degrees: flights whose footprint meets it' },
          datetime: { type: 'string', maxLength: 100, description: 'an instant or an interval (2026-10-15, 2026-10-01/2026-10-31, ../2026-10-01): flights flown then' },
        },
      },
    },
  }, async (request, reply) => {
    const { limit, offset } = request.query;
    const bbox = request.query.bbox === undefined ? undefined : parseBbox(request.query.bbox);
    if (typeof bbox === 'string') return sendProblem(reply, 400, 'The request is not valid', bbox);
    const datetime = request.query.datetime === undefined ? undefined : parseDatetime(request.query.datetime);
    if (typeof datetime === 'string') return sendProblem(reply, 400, 'The request is not valid', datetime);
    const { flights, matched } = await stacFlights(pool, { limit, offset, bbox, datetime });
    return reply.type('application/geo+json').send(flightItemCollection(apiBase(), flights, { limit, offset, matched }, { bbox: request.query.bbox, datetime: request.query.datetime }));
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
