/**
 * The API's answers to hostile input and hostile pages, against the real database over HTTP
 * (issue 21, items 11-14 and 17): fuzzed values that gave 500 get 400, anonymous callers get 401
 * before any schema detail, HTML cannot be framed or sniffed and runs only its own code, links
 * never follow a forged Host header, and the smaller holes of item 17.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { upsertUser } from '#db/sql/users.js';
import { ROLES, type Role } from '#domain/vocabulary.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';
import { seedGisScene } from './testing/gis-scene.js';

const pool = createTestPool();
const PASSWORD = 'hardening-test-pw';
const PUBLIC_BASE_URL = 'https://lingwei.example.gov.cn/gis';
let app: FastifyInstance;
const cookies: Partial<Record<Role, string>> = {};
let pendingId = '';
let verifiedId = '';
let villageId = '';

beforeAll(async () => {
  await emptyTables(pool);
  await seedGisScene(pool);
  const hash = await hashPassword(PASSWORD);
  for (const role of ROLES) await upsertUser(pool, { username: role, role, passwordHash: hash });
  app = await buildApi({ pool, config: { publicBaseUrl: PUBLIC_BASE_URL } });
  for (const role of ROLES) {
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: role, password: PASSWORD } });
    cookies[role] = login.cookies.find((c) => c.name === 'lingwei_session')!.value;
  }
  pendingId = (await pool.query(`SELECT id::text FROM candidate WHERE status = 'pending' ORDER BY id LIMIT 1`)).rows[0].id;
  verifiedId = (await pool.query(`SELECT id::text FROM candidate WHERE status = 'verified' ORDER BY id LIMIT 1`)).rows[0].id;
  villageId = (await pool.query(`SELECT id::text FROM admin_area WHERE level = 'village' ORDER BY id LIMIT 1`)).rows[0].id;
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

const as = (role: Role) => ({ cookie: `lingwei_session=${cookies[role]}` });

describe('fuzzed values get 400, not 500 (item 11)', () => {
  const BIG = '9223372036854775808'; // 2^63
  // [what, role, method, url, body]
  const cases: Array<[string, Role, 'GET' | 'POST', () => string, (() => object)?]> = [
    ['NUL in village', 'reviewer', 'GET', () => '/api/candidates?village=a%00b'],
    ['NUL in street', 'reviewer', 'GET', () => '/api/candidates?street=%00'],
    ['NUL in street (export)', 'reviewer', 'GET', () => '/api/exports/candidates.csv?street=%00'],
    ['NUL in village (OGC)', 'reviewer', 'GET', () => '/ogc/collections/candidates/items?village=%00'],
    ['NUL in team (schedule list)', 'reviewer', 'GET', () => '/api/schedule?team=%00'],
    ['NUL in reasonText', 'reviewer', 'POST', () => `/api/candidates/${pendingId}/review`, () => ({ action: 'reject', version: 1, reasonCode: 'other', reasonText: 'bad\u0000text' })],
    ['NUL in team', 'reviewer', 'POST', () => `/api/candidates/${verifiedId}/review`, () => ({ action: 'schedule', version: 1, scheduledFor: '2026-12-01', team: 'team\u0000' })],
    ['NUL in a token label', 'reviewer', 'POST', () => '/api/tokens', () => ({ label: 'qgis\u0000' })],
    ['year 0000 (candidates from)', 'reviewer', 'GET', () => '/api/candidates?from=0000-01-01'],
    ['year 0000 (candidates to)', 'reviewer', 'GET', () => '/api/exports/candidates.geojson?to=0000-12-31'],
    ['year 0000 (schedule)', 'reviewer', 'GET', () => '/api/schedule?from=0000-01-01&to=2026-01-01'],
    ['year 0000 (scheduledFor)', 'reviewer', 'POST', () => `/api/candidates/${verifiedId}/review`, () => ({ action: 'schedule', version: 1, scheduledFor: '0000-06-01', team: '一队' })],
    ['year 0000 (assessment)', 'assessor', 'GET', () => `/api/villages/${villageId}/assessment?from=0000-01-01&to=0000-02-01`],
    ['year 0000 (OGC datetime)', 'reviewer', 'GET', () => '/ogc/collections/register/items?datetime=0000-01-01/2026-01-01'],
    ['year 0000 (captured_at)', 'operator', 'POST', () => '/api/flights', () => ({ orthophoto: '0'.repeat(32), captured_at: '0000-01-01T00:00:00Z' })],
    ['offset 2^63 (candidates)', 'reviewer', 'GET', () => `/api/candidates?offset=${BIG}`],
    ['offset 2^63 (flights)', 'operator', 'GET', () => `/api/flights?offset=${BIG}`],
    ['offset 2^63 (villages)', 'assessor', 'GET', () => `/api/villages?offset=${BIG}`],
    ['offset 2^63 (stored reports)', 'assessor', 'GET', () => `/api/reports/stored?offset=${BIG}`],
    ['offset 2^63 (STAC)', 'operator', 'GET', () => `/api/stac/collections/flights/items?offset=${BIG}`],
    ['offset 2^63 (OGC)', 'reviewer', 'GET', () => `/ogc/collections/villages/items?offset=${BIG}`],
    ['offset 1e19 (OGC register)', 'reviewer', 'GET', () => '/ogc/collections/register/items?offset=1e19'],
    ['min_area 1e309', 'reviewer', 'GET', () => '/api/candidates?min_area=1e309'],
    ['min_area Infinity', 'reviewer', 'GET', () => '/api/candidates?min_area=Infinity'],
    ['min_area -Infinity (export)', 'reviewer', 'GET', () => '/api/exports/candidates.csv?min_area=-Infinity'],
    ['limit Infinity (OGC)', 'reviewer', 'GET', () => '/ogc/collections/candidates/items?limit=Infinity'],
    ['tile x 1e309', 'reviewer', 'GET', () => '/api/tiles/candidates/14/1e309/6000.mvt'],
    ['raster tile x Infinity', 'reviewer', 'GET', () => '/api/flights/1/tiles/ortho/18/Infinity/107196.webp'],
  ];
  for (const [what, role, method, url, body] of cases) {
    it(`${what}: 400`, async () => {
      const response = await app.inject({ method, url: url(), headers: as(role), ...(body ? { payload: body() } : {}) });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });
  }

  it('changed nothing while refusing', async () => {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM review_event`);
    expect(rows[0].n).toBe(0);
  });
});

describe('anonymous callers learn nothing about bodies (item 12)', () => {
  const bad: Array<[string, string, object]> = [
    ['review', '/api/candidates/1/review', { action: 'burn', version: 'one' }],
    ['flight', '/api/flights', { orthophoto: 'not-an-id' }],
    ['token', '/api/tokens', { days: 'forever', extra: 1 }],
    ['logout', '/api/logout', { anything: [1, 2, 3] }],
  ];
  for (const [what, url, payload] of bad) {
    it(`a bad ${what} body without a login gets 401 and no schema detail`, async () => {
      const response = await app.inject({ method: 'POST', url, payload });
      expect(response.statusCode).toBe(401);
      expect(response.json().title).toBe('Not logged in');
      expect(response.body).not.toMatch(/body\/|must be|must have/);
    });
  }

  it('a signed-in caller of the wrong role gets 403 before validation too', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/flights', headers: as('assessor'), payload: { orthophoto: 'not-an-id' } });
    expect(response.statusCode).toBe(403);
  });
});

describe('pages cannot be framed, sniffed or made to run foreign code (item 13)', () => {
  const policyOf = (headers: Record<string, unknown>) => String(headers['content-security-policy'] ?? '');

  it('the viewer', async () => {
    const response = await app.inject({ url: '/' });
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const policy = policyOf(response.headers);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain("'unsafe-eval'");
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  });

  it('the report and assessment pages (self-contained: no script at all)', async () => {
    for (const url of ['/api/reports/weekly/2026-W47?format=html', `/api/villages/${villageId}/assessment.html?from=2026-07-01&to=2026-10-01`]) {
      const response = await app.inject({ url, headers: as('assessor') });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(policyOf(response.headers)).toContain("default-src 'none'");
      expect(policyOf(response.headers)).toContain("frame-ancestors 'none'");
    }
  });

  it('JSON and problem answers are not sniffed either', async () => {
    const response = await app.inject({ url: '/api/candidates', headers: as('reviewer') });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect((await app.inject({ url: '/api/me' })).headers['x-content-type-options']).toBe('nosniff');
  });

  it('marks the session cookie Secure when configured, or when the request came over TLS', async () => {
    const secureOf = async (config: object, headers: Record<string, string> = {}) => {
      const api = await buildApi({ pool, config });
      try {
        const login = await api.inject({ method: 'POST', url: '/api/login', headers, payload: { username: 'reviewer', password: PASSWORD } });
        return login.cookies.find((c) => c.name === 'lingwei_session')!.secure ?? false;
      } finally {
        await api.close();
      }
    };
    expect(await secureOf({ cookieSecure: true })).toBe(true);
    expect(await secureOf({ cookieSecure: false }, { 'x-forwarded-proto': 'https' })).toBe(false);
    expect(await secureOf({ cookieSecure: 'auto' })).toBe(false);
    // auto behind a trusted proxy that terminated TLS; an untrusted X-Forwarded-Proto is ignored.
    expect(await secureOf({ cookieSecure: 'auto', trustProxy: true }, { 'x-forwarded-proto': 'https' })).toBe(true);
    expect(await secureOf({ cookieSecure: 'auto', trustProxy: false }, { 'x-forwarded-proto': 'https' })).toBe(false);
  });
});

describe('links come from PUBLIC_BASE_URL, never the Host header (item 14)', () => {
  const hrefs = (document: unknown): string[] => JSON.stringify(document).match(/"href":"[^"]*"/g)?.map((h) => h.slice(8, -1)) ?? [];
  const forged = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };

  for (const [url, role] of [
    ['/ogc', 'reviewer'], ['/ogc/collections', 'reviewer'], ['/ogc/collections/candidates', 'reviewer'],
    ['/ogc/collections/candidates/items?limit=2', 'reviewer'], ['/ogc/collections/villages/items', 'reviewer'],
    ['/api/stac', 'operator'], ['/api/stac/collections/flights', 'operator'], ['/api/stac/collections/flights/items', 'operator'],
  ] as const) {
    it(url, async () => {
      const response = await app.inject({ url, headers: { ...as(role), ...forged } });
      const links = hrefs(response.json());
      expect(links.length).toBeGreaterThan(0);
      for (const href of links) expect(href.startsWith(`${PUBLIC_BASE_URL}/`), href).toBe(true);
    });
  }
});

describe('item 17', () => {
  it('refuses a reason or a team made only of invisible characters', async () => {
    for (const reasonText of ['\u200b\u200b', ' \u3000\u2060 ', '\u200d\ufeff\u00ad']) {
      const reject = await app.inject({ method: 'POST', url: `/api/candidates/${pendingId}/review`, headers: as('reviewer'), payload: { action: 'reject', version: 1, reasonCode: 'other', reasonText } });
      expect(reject.statusCode, JSON.stringify(reasonText)).toBe(422);
    }
    const team = await app.inject({ method: 'POST', url: `/api/candidates/${verifiedId}/review`, headers: as('reviewer'), payload: { action: 'schedule', version: 1, scheduledFor: '2026-12-01', team: '\u200b' } });
    expect(team.statusCode).toBe(422);
    const { rows } = await pool.query(`SELECT status, version FROM candidate WHERE id = $1`, [pendingId]);
    expect(rows[0]).toEqual({ status: 'pending', version: 1 });
  });

  it('does not take a one-element array for a user name or password', async () => {
    for (const payload of [{ username: ['reviewer'], password: PASSWORD }, { username: 'reviewer', password: [PASSWORD] }]) {
      const response = await app.inject({ method: 'POST', url: '/api/login', payload });
      expect(response.statusCode).toBe(400);
      expect(response.cookies).toHaveLength(0);
    }
  });

  it('tus does not answer Access-Control-Allow-Origin: * (the viewer is same-origin)', async () => {
    const options = await app.inject({ method: 'OPTIONS', url: '/api/uploads', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(options.headers['access-control-allow-origin']).toBeUndefined();
    const upload = (origin: string) => app.inject({
      method: 'POST', url: '/api/uploads',
      headers: { ...as('operator'), origin, 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': `filename ${Buffer.from('a.tif').toString('base64')}` },
    });
    // A page of another origin may not change anything with the cookie (authenticate.ts).
    const foreign = await upload('https://evil.example');
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const post = await upload(new URL(PUBLIC_BASE_URL).origin);
    expect(post.statusCode).toBe(201);
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    // tus writes its own answers; they are not sniffed or framed either.
    expect([post.headers['x-content-type-options'], post.headers['x-frame-options']]).toEqual(['nosniff', 'DENY']);
  });
});
