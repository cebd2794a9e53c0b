/**
 * OGC API – Features, Part 1 (Core, GeoJSON, OpenAPI 3.0) under /ogc, for GIS clients (QGIS,
 * GDAL's OAPIF driver): the landing page, conformance, the collections and their descriptions.
 * The features themselves are in ogc-items-routes.ts. GIS clients send a bearer token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Role } from '#domain/vocabulary.js';
import { COLLECTION_IDS, collectionDocument, CONFORMANCE, landingPage, type CollectionId } from '../ogc/collections.js';
import { refusedFormat } from '../ogc/format.js';
import { JSON_TYPE } from '../ogc/links.js';
import { sendProblem } from '../problem.js';
import { COLLECTION_SOURCES } from './ogc-sources.js';

export const OGC_ROLES: readonly Role[] = ['reviewer', 'assessor'];
export const FORMAT_PROPERTY = { f: { type: 'string', maxLength: 20, description: 'json (the only format); or send Accept: application/json' } } as const;

/** Sends 400/406 when the client asks for something other than JSON; returns whether it did. */
export function refuseNonJson(request: FastifyRequest<{ Querystring: { f?: string } }>, reply: FastifyReply): boolean {
  const refusal = refusedFormat(request.query.f, request.headers.accept);
  if (!refusal) return false;
  void sendProblem(reply, refusal.status, refusal.status === 406 ? 'Not acceptable' : 'The request is not valid', refusal.detail);
  return true;
}

/**
 * `publicBaseUrl`: where clients reach the API (PUBLIC_BASE_URL). Links are built from it, never
 * from the request's Host header, which the client chooses: a forged Host must not send a GIS
 * client (and its bearer token) elsewhere.
 */
export function ogcRoutes(app: FastifyInstance, pool: pg.Pool, publicBaseUrl: string): void {
  const schema = { tags: ['ogc'], querystring: { type: 'object', properties: FORMAT_PROPERTY } };
  type Query = { Querystring: { f?: string } };

  app.get<Query>('/ogc', { config: { roles: OGC_ROLES }, schema: { ...schema, summary: 'OGC API – Features landing page' } }, async (request, reply) => {
    if (refuseNonJson(request, reply)) return reply;
    return reply.type(JSON_TYPE).send(landingPage(publicBaseUrl));
  });

  app.get<Query>('/ogc/conformance', { config: { roles: OGC_ROLES }, schema: { ...schema, summary: 'Conformance classes' } }, async (request, reply) => {
    if (refuseNonJson(request, reply)) return reply;
    return reply.type(JSON_TYPE).send({ conformsTo: CONFORMANCE });
  });

  const describe = async (id: CollectionId) => collectionDocument(publicBaseUrl, id, await COLLECTION_SOURCES[id].extent(pool));

  app.get<Query>('/ogc/collections', { config: { roles: OGC_ROLES }, schema: { ...schema, summary: 'The collections' } }, async (request, reply) => {
    if (refuseNonJson(request, reply)) return reply;
    const collections = await Promise.all(COLLECTION_IDS.map((id) => describe(id)));
    const self = `${publicBaseUrl}/ogc/collections`;
    return reply.type(JSON_TYPE).send({ links: [{ href: self, rel: 'self', type: JSON_TYPE, title: 'the collections' }], collections });
  });

  for (const id of COLLECTION_IDS) {
    app.get<Query>(`/ogc/collections/${id}`, { config: { roles: OGC_ROLES }, schema: { ...schema, summary: `The ${id} collection` } }, async (request, reply) => {
      if (refuseNonJson(request, reply)) return reply;
      return reply.type(JSON_TYPE).send(await describe(id));
    });
  }
}
