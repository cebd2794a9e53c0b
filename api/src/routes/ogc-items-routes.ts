/**
 * OGC API – Features items: /ogc/collections/{candidates|register|villages}/items (bbox,
 * datetime, limit/offset paging with next/prev links) and /items/{featureId}, as GeoJSON in CRS84.
 * One route per collection, so that the OpenAPI document lists each one's own parameters.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { COLLECTION_IDS, CRS84, type CollectionId } from '../ogc/collections.js';
import { parseDatetime } from '../ogc/datetime.js';
import { withGisProperties } from '../ogc/gis-properties.js';
import { GEOJSON, JSON_TYPE, pageLinks } from '../ogc/links.js';
import { sendProblem } from '../problem.js';
import { CANDIDATE_FILTER_PROPERTIES, candidateFilterOf, parseBbox, type CandidateFilterQuery } from './candidate-query.js';
import { FORMAT_PROPERTY, OGC_ROLES, refuseNonJson } from './ogc-routes.js';
import { COLLECTION_SOURCES } from './ogc-sources.js';
import { idParams } from './id-schema.js';

/** The most features one page carries; a larger limit is taken as this, as OGC API – Features asks. */
export const MAX_LIMIT = 10_000;

interface ItemsQuery extends CandidateFilterQuery {
  datetime?: string;
  limit: number;
  offset: number;
  f?: string;
}

const ITEMS_PROPERTIES = {
  bbox: { type: 'string', maxLength: 200, description: 'west,south,east,north in CRS84 (degrees)' },
  'bbox-crs': { type: 'string', enum: [CRS84] },
  crs: { type: 'string', enum: [CRS84] },
  datetime: { type: 'string', maxLength: 100, description: 'an instant or an interval: 2026-10-15, 2026-10-15T13:44:00+08:00, 2026-10-01/2026-10-31, ../2026-10-01, 2026-10-01/..' },
  limit: { type: 'integer', minimum: 1, default: 100, description: `features per page, at most ${MAX_LIMIT} (larger is taken as ${MAX_LIMIT})` },
  offset: { type: 'integer', minimum: 0, default: 0 },
  ...FORMAT_PROPERTY,
};

/** `publicBaseUrl`: where clients reach the API (PUBLIC_BASE_URL), for the links (see ogc-routes.ts). */
export function ogcItemsRoutes(app: FastifyInstance, pool: pg.Pool, publicBaseUrl: string): void {
  for (const id of COLLECTION_IDS) itemsRoutes(app, pool, id, publicBaseUrl);
}

function itemsRoutes(app: FastifyInstance, pool: pg.Pool, id: CollectionId, publicBaseUrl: string): void {
  const source = COLLECTION_SOURCES[id];
  // The candidates also take GET /api/candidates' filters (status, type, village, street, ...).
  const properties = id === 'candidates' ? { ...CANDIDATE_FILTER_PROPERTIES, ...ITEMS_PROPERTIES } : ITEMS_PROPERTIES;

  app.get<{ Querystring: ItemsQuery }>(`/ogc/collections/${id}/items`, {
    config: { roles: OGC_ROLES },
    schema: { tags: ['ogc'], summary: `Features of ${id}`, querystring: { type: 'object', properties } },
  }, async (request, reply) => {
    if (refuseNonJson(request, reply)) return reply;
    const q = request.query;
    const bbox = q.bbox === undefined ? undefined : parseBbox(q.bbox);
    if (typeof bbox === 'string') return sendProblem(reply, 400, 'The request is not valid', bbox);
    const datetime = q.datetime === undefined ? undefined : parseDatetime(q.datetime);
    if (typeof datetime === 'string') return sendProblem(reply, 400, 'The request is not valid', datetime);
    const candidateFilter = id === 'candidates' ? candidateFilterOf({ ...q, bbox: undefined }) : undefined;
    if (typeof candidateFilter === 'string') return sendProblem(reply, 400, 'The request is not valid', candidateFilter);
    const limit = Math.min(q.limit, MAX_LIMIT);
    const { features, matched } = await source.items(pool, { bbox, datetime, limit, offset: q.offset, candidateFilter });
    const self = `${publicBaseUrl}${request.url}`;
    return reply.type(GEOJSON).header('Content-Crs', `<${CRS84}>`).send({
      type: 'FeatureCollection',
      timeStamp: new Date().toISOString(),
      numberMatched: matched,
      numberReturned: features.length,
      links: [
        ...pageLinks(self, { offset: q.offset, limit, returned: features.length, matched }),
        { href: `${publicBaseUrl}/ogc/collections/${id}`, rel: 'collection', type: JSON_TYPE },
      ],
      // The id as a property too, lists as joined strings: what ogr2ogr keeps in a Shapefile or CSV.
      features: features.map(withGisProperties),
    });
  });

  app.get<{ Params: { featureId: string }; Querystring: { f?: string } }>(`/ogc/collections/${id}/items/:featureId`, {
    config: { roles: OGC_ROLES },
    schema: {
      tags: ['ogc'], summary: `One feature of ${id}`,
      params: idParams('featureId'),
      querystring: { type: 'object', properties: FORMAT_PROPERTY },
    },
  }, async (request, reply) => {
    if (refuseNonJson(request, reply)) return reply;
    const { features } = await source.items(pool, { id: request.params.featureId, limit: 1, offset: 0 });
    const feature = features[0];
    if (!feature) return sendProblem(reply, 404, 'No such feature', `${id} has no feature ${request.params.featureId}`);
    const collection = `${publicBaseUrl}/ogc/collections/${id}`;
    return reply.type(GEOJSON).header('Content-Crs', `<${CRS84}>`).send({
      ...withGisProperties(feature),
      links: [
        { href: `${collection}/items/${request.params.featureId}`, rel: 'self', type: GEOJSON },
        { href: collection, rel: 'collection', type: JSON_TYPE },
      ],
    });
  });
}
