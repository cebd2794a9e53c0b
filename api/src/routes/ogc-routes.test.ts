/**
 * OGC API – Features against the real database, and read by a real client: GDAL's OAPIF driver
 * (ogrinfo, as QGIS uses it) against the app listening on a port, with a bearer token.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAreaConditions } from '#db/sql/admin-areas.js';
import { candidateConditions } from '#db/sql/candidate-reads.js';
import { registerConditions } from '#db/sql/register.js';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import type { Role } from '#domain/vocabulary.js';
import { hashPassword } from '../auth/passwords.js';
import { buildApi } from '../server.js';
import { seedGisScene } from '../testing/gis-scene.js';

const pool = createTestPool();
const PASSWORD = 'lingwei-test-pw';
let app: FastifyInstance;
let base = '';
const tokens: Partial<Record<Role, string>> = {};
const run = promisify(execFile);
const requested: string[] = [];

/** A port free now on loopback: links are built from PUBLIC_BASE_URL, so it is known before listening. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

beforeAll(async () => {
  await emptyTables(pool);
  await seedGisScene(pool);
  const hash = await hashPassword(PASSWORD);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = await buildApi({ pool, config: { publicBaseUrl: base } });
  // What GDAL asked for, to see that it followed the next links.
  app.addHook('onRequest', async (request) => void requested.push(request.url));
  for (const role of ['operator', 'reviewer', 'assessor'] as const) {
    await upsertUser(pool, { username: role, role, passwordHash: hash });
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: role, password: PASSWORD } });
    const cookie = login.cookies.find((c) => c.name === 'lingwei_session')!.value;
    const created = await app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: `lingwei_session=${cookie}` }, payload: { label: 'GIS' } });
    tokens[role] = created.json().token;
  }
  await app.listen({ host: '127.0.0.1', port });
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

const bearer = (role: Role = 'reviewer') => ({ authorization: `Bearer ${tokens[role]}` });
const get = (url: string, headers: Record<string, string> = bearer()) => app.inject({ url, headers });

/** ogrinfo on the OAPIF endpoint with the token (or none); stdout, or the failure's stderr. */
async function ogrinfo(args: string[], token: string | null): Promise<{ ok: boolean; out: string }> {
  const auth = token ? ['--config', 'GDAL_HTTP_HEADERS', `Authorization: Bearer ${token}`] : [];
  try {
    const { stdout } = await run('ogrinfo', [...auth, '-ro', ...args], { env: { ...process.env, CPL_DEBUG: 'OFF' } });
    return { ok: true, out: stdout };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, out: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('GDAL as the client (ogrinfo, OAPIF driver)', () => {
  it('lists the collections and summarises candidates with a bearer token', async () => {
    const list = await ogrinfo(['-so', `OAPIF:${base}/ogc`], tokens.reviewer!);
    expect(list.ok, list.out).toBe(true);
    for (const name of ['candidates', 'register', 'villages']) expect(list.out).toContain(name);
    const summary = await ogrinfo(['-so', `OAPIF:${base}/ogc`, 'candidates'], tokens.assessor!);
    expect(summary.ok, summary.out).toBe(true);
    expect(summary.out).toMatch(/Feature Count: 7/);
    expect(summary.out).toMatch(/change_type: String/);
  });

  it('reads the features inside -spat, with their attributes, following next links', async () => {
    const read = await ogrinfo(['-al', '-q', '-oo', 'PAGE_SIZE=2', '-spat', '121.0', '31.0', '121.2', '31.2', `OAPIF:${base}/ogc`, 'candidates'], tokens.reviewer!);
    expect(read.ok, read.out).toBe(true);
    // Five candidates in the west village, two per page: GDAL had to follow two next links.
    expect(read.out.match(/OGRFeature\(candidates\)/g)).toHaveLength(5);
    const pages = requested.filter((url) => url.startsWith('/ogc/collections/candidates/items') && url.includes('bbox='));
    expect(pages.map((url) => new URL(url, base).searchParams.get('offset') ?? '0')).toEqual(expect.arrayContaining(['0', '2', '4']));
    expect(read.out).toContain('village (String) = 北新泾村');
    expect(read.out).toContain('change_type (String) = rooftop_addition');
    expect(read.out).not.toContain('天山村');
  });

  it('reads villages with their Chinese names', async () => {
    const read = await ogrinfo(['-al', '-q', `OAPIF:${base}/ogc`, 'villages'], tokens.assessor!);
    expect(read.ok, read.out).toBe(true);
    expect(read.out.match(/OGRFeature\(villages\)/g)).toHaveLength(2);
    expect(read.out).toContain('name (String) = 天山村');
  });

  it('keeps the feature id and the triage reasons through ogr2ogr into a Shapefile and a CSV (issue 22 item 2)', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `UPDATE candidate SET triage = '{"reasons": ["sensitive_zone", "large_area"]}' WHERE priority = 90 RETURNING id::text`,
    );
    const dir = await mkdtemp(join(tmpdir(), 'lingwei-ogr2ogr-'));
    try {
      const auth = ['--config', 'GDAL_HTTP_HEADERS', `Authorization: Bearer ${tokens.reviewer}`];
      const env = { ...process.env, CPL_DEBUG: 'OFF' };
      // Shapefiles default to Latin-1, so Chinese names need ENCODING=UTF-8 (as docs/api.md says).
      await run('ogr2ogr', [...auth, '-f', 'ESRI Shapefile', '-lco', 'ENCODING=UTF-8', join(dir, 'candidates.shp'), `OAPIF:${base}/ogc`, 'candidates'], { env });
      await run('ogr2ogr', [...auth, '-f', 'CSV', join(dir, 'villages.csv'), `OAPIF:${base}/ogc`, 'villages'], { env });
      await run('ogr2ogr', [...auth, '-f', 'CSV', join(dir, 'register.csv'), `OAPIF:${base}/ogc`, 'register'], { env });
      const { stdout } = await run('ogrinfo', ['-ro', '-al', '-q', '-where', `id = ${rows[0]!.id}`, join(dir, 'candidates.shp')], { env });
      // The id is an ordinary attribute, the reasons a plain string, not GDAL's "(2:sensitive_zone,large_area)".
      expect(stdout.match(/OGRFeature\(candidates\)/g), stdout).toHaveLength(1);
      expect(stdout).toMatch(new RegExp(`\\bid \\(Integer(64)?\\) = ${rows[0]!.id}\\n`));
      expect(stdout).toContain('village (String) = 北新泾村');
      expect(stdout).toContain('reasons (String) = sensitive_zone; large_area');
      const villageIds = (await pool.query<{ id: string }>(`SELECT id::text FROM admin_area WHERE level = 'village' ORDER BY code`)).rows.map((r) => r.id);
      const villages = (await readFile(join(dir, 'villages.csv'), 'utf8')).split('\n');
      expect(villages[0]!.split(',')[0]).toBe('id');
      expect(villages.slice(1, 3).map((line) => line.split(',')[0]!.replaceAll('"', ''))).toEqual(villageIds);
      expect((await readFile(join(dir, 'register.csv'), 'utf8')).split('\n')[0]!.split(',')[0]).toBe('id');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails without a token, and with the operator role', async () => {
    expect((await ogrinfo(['-so', `OAPIF:${base}/ogc`, 'candidates'], null)).ok).toBe(false);
    expect((await ogrinfo(['-so', `OAPIF:${base}/ogc`, 'candidates'], tokens.operator!)).ok).toBe(false);
  });
});

describe('the service documents', () => {
  it('links the landing page to conformance, data and the OpenAPI document, with absolute URLs', async () => {
    const landing = await get('/ogc');
    expect(landing.headers['content-type']).toContain('application/json');
    const links = landing.json().links as Array<{ rel: string; href: string; type: string }>;
    expect(links.map((l) => l.rel)).toEqual(expect.arrayContaining(['self', 'conformance', 'data', 'service-desc']));
    const serviceDesc = links.find((l) => l.rel === 'service-desc')!;
    expect(serviceDesc.type).toBe('application/vnd.oai.openapi+json;version=3.0');
    const openapi = await app.inject({ url: new URL(serviceDesc.href).pathname });
    expect(Object.keys(openapi.json().paths)).toEqual(expect.arrayContaining(['/ogc/collections/candidates/items', '/ogc/collections/villages/items/{featureId}']));
    expect((await get('/ogc/conformance')).json().conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson');
  });

  it('describes each collection with its CRS84 extent and time span', async () => {
    const { collections } = (await get('/ogc/collections')).json();
    expect(collections.map((c: { id: string }) => c.id)).toEqual(['candidates', 'register', 'villages']);
    const candidates = (await get('/ogc/collections/candidates')).json();
    expect(candidates.crs).toEqual(['http://www.opengis.net/def/crs/OGC/1.3/CRS84']);
    expect(candidates.extent.spatial.bbox[0].map((v: number) => Number(v.toFixed(4)))).toEqual([121.05, 31.1, 121.2702, 31.1002]);
    expect(candidates.extent.temporal.interval[0]).toEqual(['2026-09-10T02:00:00.000Z', '2026-10-15T02:00:00.000Z']);
    expect((await get('/ogc/collections/register')).json().extent.temporal.interval[0][0]).toBe('2024-05-01T00:00:00+08:00');
    expect((await get('/ogc/collections/villages')).json().extent.temporal).toBeUndefined();
    expect((await get('/ogc/collections/nothing')).statusCode).toBe(404);
  });

  it('serves JSON to f=json and to JSON or any Accept, refuses other formats', async () => {
    expect((await get('/ogc?f=json')).statusCode).toBe(200);
    expect((await get('/ogc/collections', { ...bearer(), accept: 'text/html,*/*;q=0.8' })).statusCode).toBe(200);
    const html = await get('/ogc?f=html');
    expect([html.statusCode, html.headers['content-type']]).toEqual([400, 'application/problem+json; charset=utf-8']);
    const notAcceptable = await get('/ogc/collections/candidates/items', { ...bearer(), accept: 'text/html' });
    expect(notAcceptable.statusCode).toBe(406);
    expect(notAcceptable.json().detail).toContain('f=json');
  });
});

describe('items', () => {
  const items = async (collection: string, query = '') => {
    const response = await get(`/ogc/collections/${collection}/items${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { numberMatched: number; numberReturned: number; features: Array<{ id: number; properties: Record<string, unknown> }>; links: Array<{ rel: string; href: string }> };
  };

  it('pages with limit and offset, with next and prev links that lead on', async () => {
    const first = await items('candidates', '?limit=3');
    expect([first.numberMatched, first.numberReturned]).toEqual([7, 3]);
    expect(first.features.map((f) => f.properties.priority)).toEqual([90, 80, 70]);
    expect(first.links.map((l) => l.rel)).toEqual(['self', 'next', 'collection']);
    const next = first.links.find((l) => l.rel === 'next')!.href;
    expect(next).toBe(`${base}/ogc/collections/candidates/items?limit=3&offset=3`);
    const second = await items('candidates', new URL(next).search);
    expect(second.features.map((f) => f.properties.priority)).toEqual([60, 50, 40]);
    expect(second.links.map((l) => l.rel)).toEqual(['self', 'next', 'prev', 'collection']);
    const last = await items('candidates', '?limit=3&offset=6');
    expect([last.numberReturned, last.links.map((l) => l.rel)]).toEqual([1, ['self', 'prev', 'collection']]);
    const beyond = await items('candidates', '?limit=3&offset=100');
    expect([beyond.numberMatched, beyond.numberReturned]).toEqual([7, 0]);
  });

  it('defaults the limit to 100 and takes a limit over 10000 as 10000', async () => {
    expect((await items('candidates')).numberReturned).toBe(7);
    const huge = await items('candidates', '?limit=50000&offset=2');
    expect(new URL(huge.links.find((l) => l.rel === 'prev')!.href).searchParams.get('limit')).toBe('10000');
    expect((await get('/ogc/collections/candidates/items?limit=0')).statusCode).toBe(400);
  });

  it('filters by bbox, in every collection', async () => {
    expect((await items('candidates', '?bbox=121.2,31.0,121.4,31.2')).numberMatched).toBe(2);
    expect((await items('register', '?bbox=121.0,31.0,121.1,31.2')).features.map((f) => f.properties.external_id)).toEqual(['R-1', 'R-2']);
    expect((await items('villages', '?bbox=121.25,31.05,121.26,31.06')).features.map((f) => f.properties.name)).toEqual(['天山村']);
  });

  it('refuses a bbox out of range or malformed with problem+json', async () => {
    for (const [bbox, detail] of [['121,31,200,32', 'out of range'], ['121,31,122', 'four numbers'], ['122,31,121,32', 'west < east']]) {
      const response = await get(`/ogc/collections/candidates/items?bbox=${bbox}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().detail).toContain(detail);
    }
    expect((await get('/ogc/collections/villages/items?bbox-crs=EPSG:4490')).statusCode).toBe(400);
  });

  it('filters by datetime: instants, intervals and open intervals', async () => {
    const ids = async (collection: string, datetime: string) => (await items(collection, `?datetime=${encodeURIComponent(datetime)}`)).numberMatched;
    expect(await ids('candidates', '2026-09-10')).toBe(3);
    expect(await ids('candidates', '2026-10-01T00:00:00+08:00')).toBe(1); // seen in September and again in October
    expect(await ids('candidates', '2026-10-01/2026-10-31')).toBe(5);
    expect(await ids('candidates', '../2026-10-01')).toBe(3);
    expect(await ids('candidates', '2026-10-14T18:00:00Z/..')).toBe(5);
    expect(await ids('register', '2025-01-01/..')).toBe(2);
    expect(await ids('register', '2024-05-01')).toBe(1);
    expect(await ids('villages', '2024-05-01')).toBe(2); // villages have no time
    const bad = await get('/ogc/collections/candidates/items?datetime=2026-10-31/2026-10-01');
    expect([bad.statusCode, bad.json().detail]).toEqual([400, 'datetime interval must start before it ends']);
  });

  it('takes the filters of GET /api/candidates on the candidates', async () => {
    const pending = await items('candidates', '?status=pending&type=new_structure,extension&village=310105001002');
    expect(pending.features.map((f) => f.properties.priority)).toEqual([40, 30]);
  });

  it('serves one feature by id, and 404 for an unknown one', async () => {
    const { features } = await items('register', '?limit=1');
    const one = await get(`/ogc/collections/register/items/${features[0]!.id}`);
    expect(one.headers['content-type']).toContain('application/geo+json');
    expect(one.json()).toMatchObject({ type: 'Feature', id: features[0]!.id, properties: { external_id: 'R-1', village: '北新泾村' } });
    expect(one.json().links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'collection']);
    const candidate = (await get(`/ogc/collections/candidates/items/${(await items('candidates', '?limit=1')).features[0]!.id}`)).json();
    expect(candidate.properties).toMatchObject({ priority: 90, village: '北新泾村', street: '新泾镇' });
    expect((await get('/ogc/collections/villages/items/99999999')).statusCode).toBe(404);
    expect((await get('/ogc/collections/villages/items/1;DROP')).statusCode).toBe(400);
  });

  it('treats SQL in the parameters as plain text, changing nothing', async () => {
    const nasty = encodeURIComponent("x'); DROP TABLE candidate; --");
    expect((await items('candidates', `?village=${nasty}`)).numberMatched).toBe(0);
    for (const query of [`bbox=${nasty}`, `datetime=${nasty}`, `limit=${nasty}`, `status=${nasty}`]) {
      expect((await get(`/ogc/collections/candidates/items?${query}`)).statusCode).toBe(400);
    }
    const { rows } = await pool.query(`SELECT (SELECT count(*) FROM candidate)::int AS c, (SELECT count(*) FROM register_entry)::int AS r`);
    expect(rows[0]).toEqual({ c: 7, r: 3 });
  });
});

describe('spatial queries use the GiST indexes', () => {
  // The test tables are tiny, so the planner would rightly scan them; with sequential scans
  // priced out, a plan through the index shows that the bbox condition can use it.
  const bbox: [number, number, number, number] = [121, 31, 121.1, 31.2];
  it.each([
    ['candidate c', (params: unknown[]) => candidateConditions({ bbox }, params), 'candidate_geom_idx'],
    ['register_entry r', (params: unknown[]) => registerConditions({ bbox }, params), 'register_entry_footprint_idx'],
    ['admin_area a', (params: unknown[]) => adminAreaConditions({ level: 'village', bbox }, params), 'admin_area_geom_idx'],
  ])('%s', async (table, conditions, index) => {
    const params: unknown[] = [];
    const where = conditions(params);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT count(*) FROM ${table} ${where}`, params);
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(index);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
