/**
 * The success responses the OpenAPI document describes (responses.ts) against the real replies:
 * the GIS scene in the real database, each route asked as a client would, its status, media type
 * and body checked against what /docs/json says of that status. A route whose reply drifts from
 * its description fails here.
 */
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { createAccounts, PASSWORD } from '../testing/accounts.js';
import { seedGisScene } from '../testing/gis-scene.js';
import { buildApi } from '../server.js';

const pool = createTestPool();
let app: FastifyInstance;
let paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
let token = '';
// OpenAPI 3.0 schemas: `nullable`, `format` (uri, date-time, binary) are annotations here.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });

beforeAll(async () => {
  await emptyTables(pool);
  await seedGisScene(pool);
  await createAccounts(pool);
  app = await buildApi({ pool });
  paths = (await app.inject({ url: '/docs/json' })).json().paths;
  const minted = await app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` }, payload: { label: 'openapi' } });
  expect(minted.statusCode).toBe(201);
  token = minted.json().token;
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

/** [method, documented path, the URL asked] */
const ASKED: Array<[string, string, string]> = [
  ['get', '/api/me', '/api/me'],
  ['get', '/api/tokens', '/api/tokens'],
  ['get', '/api/admin/tokens', '/api/admin/tokens'],
  ['get', '/api/candidates', '/api/candidates?limit=3'],
  ['get', '/api/candidates/{id}', '/api/candidates/1'],
  ['get', '/ogc', '/ogc'],
  ['get', '/ogc/conformance', '/ogc/conformance'],
  ['get', '/ogc/collections', '/ogc/collections'],
  ['get', '/ogc/collections/candidates', '/ogc/collections/candidates'],
  ['get', '/ogc/collections/villages/items', '/ogc/collections/villages/items'],
  ['get', '/ogc/collections/register/items', '/ogc/collections/register/items?bbox=121,31,121.4,31.2&limit=2'],
  ['get', '/ogc/collections/candidates/items/{featureId}', '/ogc/collections/candidates/items/2'],
  ['get', '/api/exports/candidates.geojson', '/api/exports/candidates.geojson'],
  ['get', '/api/exports/candidates.csv', '/api/exports/candidates.csv'],
  ['get', '/api/exports/candidates.gpkg', '/api/exports/candidates.gpkg'],
  ['get', '/api/flights', '/api/flights'],
  ['get', '/api/flights/covering', '/api/flights/covering?bbox=121,31,121.1,31.1'],
  ['get', '/api/tiles/{layer}/{z}/{x}/{y}', '/api/tiles/candidates/11/1712/837.mvt'],
  ['get', '/api/stac', '/api/stac'],
  ['get', '/api/stac/conformance', '/api/stac/conformance'],
  ['get', '/api/stac/collections', '/api/stac/collections'],
  ['get', '/api/stac/collections/flights', '/api/stac/collections/flights'],
  ['get', '/api/stac/collections/flights/items', '/api/stac/collections/flights/items'],
  ['get', '/api/villages', '/api/villages?limit=1'],
  ['get', '/api/schedule', '/api/schedule'],
  ['get', '/api/overlays/{overlay}', '/api/overlays/zones'],
  ['get', '/api/reports/stored', '/api/reports/stored'],
  ['get', '/api/viewer-config', '/api/viewer-config'],
  ['get', '/api/models', '/api/models'],
];

describe('documented success responses against the real replies', () => {
  it.each(ASKED)('%s %s', async (method, documented, url) => {
    const response = await app.inject({ method: method.toUpperCase() as 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const described = paths[documented]?.[method]?.responses[String(response.statusCode)];
    expect(described, `${url} answered ${response.statusCode}: ${response.body.slice(0, 300)}`).toBeDefined();
    const mediaType = String(response.headers['content-type']).split(';')[0]!.trim();
    const content = described!.content ?? {};
    const documentedType = Object.keys(content).find((type) => type.split(';')[0]!.trim() === mediaType);
    expect(documentedType, `${url}: ${mediaType} is not among ${Object.keys(content).join(', ')}`).toBeDefined();
    if (mediaType.endsWith('json')) {
      const validate = ajv.compile(content[documentedType!]!.schema);
      expect(validate(response.json()) ? [] : validate.errors, url).toEqual([]);
    }
  });

  it('describes a review decision and the 409 of a stale one', async () => {
    const review = paths['/api/candidates/{id}/review']!.post!.responses;
    const decide = () => app.inject({ method: 'POST', url: '/api/candidates/3/review', headers: { authorization: `Bearer ${token}` }, payload: { action: 'reopen', version: 1 } });
    const done = await decide();
    expect(done.statusCode).toBe(200);
    expect(ajv.validate(review['200']!.content!['application/json']!.schema, done.json()) ? [] : ajv.errors).toEqual([]);
    const stale = await decide();
    expect(stale.statusCode).toBe(409);
    expect(ajv.validate(review['409']!.content!['application/problem+json']!.schema, stale.json()) ? [] : ajv.errors).toEqual([]);
  });

  it('describes what a token minted with the password looks like', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization: `Bearer ${token}` }, payload: { days: 1 } });
    const schema = paths['/api/tokens']!.post!.responses[String(response.statusCode)]!.content!['application/json']!.schema;
    const validate = ajv.compile(schema);
    expect(validate(response.json()) ? [] : validate.errors).toEqual([]);
  });

  it('fails a reply that drifts from its description', () => {
    const schema = paths['/api/me']!.get!.responses['200']!.content!['application/json']!.schema;
    expect(ajv.validate(schema, { user: { id: 4, username: 'admin', role: 'admin' } })).toBe(false); // id as a number
    expect(ajv.validate(schema, { username: 'admin' })).toBe(false);
  });
});
