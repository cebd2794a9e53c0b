/** The API against the real database: accounts, the role matrix, and bad input of every kind. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { upsertUser } from '#db/sql/users.js';
import { ROLES, type Role } from '#domain/vocabulary.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';

const pool = createTestPool();
const PASSWORD = 'lingwei-test-pw';
let app: FastifyInstance;
const tokens: Partial<Record<Role, string>> = {};
let candidateId = '';

beforeAll(async () => {
  await emptyTables(pool);
  const hash = await hashPassword(PASSWORD);
  for (const role of ROLES) await upsertUser(pool, { username: role, role, passwordHash: hash });
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, area_m2, priority) VALUES
       (ST_Multi(ST_MakeEnvelope(121.1, 31.1, 121.1002, 31.1002, 4326)), 'new_structure', 120, 60),
       (ST_Multi(ST_MakeEnvelope(121.3, 31.1, 121.3002, 31.1002, 4326)), 'extension', 30, 20) RETURNING id::text`,
  );
  candidateId = rows[0]!.id;
  app = await buildApi({ pool });
  for (const role of ROLES) {
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: role, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    tokens[role] = login.cookies.find((c) => c.name === 'lingwei_session')!.value;
  }
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

const as = (role: Role | null) => (role ? { cookie: `lingwei_session=${tokens[role]}` } : {});

describe('accounts', () => {
  it('refuses a wrong password without saying which part was wrong', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'reviewer', password: 'nope-nope' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().title).toBe('Wrong user name or password');
  });

  it('gives scripts bearer tokens that work without the cookie', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/tokens', headers: as('assessor'), payload: { label: 'QGIS' } });
    expect(created.statusCode).toBe(201);
    const me = await app.inject({ url: '/api/me', headers: { authorization: `Bearer ${created.json().token}` } });
    expect(me.json().user).toMatchObject({ username: 'assessor', role: 'assessor' });
  });

  it('treats an expired session as logged out', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'operator', password: PASSWORD } });
    const token = login.cookies.find((c) => c.name === 'lingwei_session')!.value;
    await pool.query(`UPDATE api_session SET expires_at = now() - interval '1 minute' WHERE kind = 'cookie' AND created_at = (SELECT max(created_at) FROM api_session)`);
    const me = await app.inject({ url: '/api/me', headers: { cookie: `lingwei_session=${token}` } });
    expect(me.statusCode).toBe(401);
    expect(me.json().detail).toContain('expired');
  });
});

describe('the role matrix', () => {
  // [method, url, payload, roles allowed besides admin]
  const routes: Array<[string, () => string, object | undefined, readonly Role[]]> = [
    ['GET', () => '/api/me', undefined, ['operator', 'reviewer', 'assessor']],
    ['POST', () => '/api/tokens', {}, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/tokens', undefined, ['operator', 'reviewer', 'assessor']],
    ['DELETE', () => '/api/tokens/999999', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/admin/tokens', undefined, []],
    ['DELETE', () => '/api/admin/users/nobody/tokens', undefined, []],
    ['GET', () => '/api/candidates', undefined, ['reviewer', 'assessor']],
    ['GET', () => `/api/candidates/${candidateId}`, undefined, ['reviewer', 'assessor']],
    ['POST', () => `/api/candidates/${candidateId}/review`, { action: 'mark_demolished', version: 1 }, ['reviewer']],
    ['GET', () => '/ogc', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/conformance', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections/candidates', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections/candidates/items', undefined, ['reviewer', 'assessor']],
    ['GET', () => `/ogc/collections/candidates/items/${candidateId}`, undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections/register', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections/register/items', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections/register/items/1', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections/villages', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections/villages/items', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/ogc/collections/villages/items/1', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/exports/candidates.gpkg', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/exports/candidates.geojson', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/exports/candidates.csv', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/flights', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/flights/1', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/flights/covering?bbox=121,31,122,32', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/viewer-config', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/flights/999999/events', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/flights/999999/tiles/ortho/18/219265/107196.webp', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/flights/999999/tiles/dsm/18/219265/107196.png?style=ramp', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/flights/999999/assets/ortho.tif', undefined, ['operator', 'reviewer', 'assessor']],
    ['HEAD', () => '/api/flights/999999/assets/dsm.tif', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/flights/999999/thumbnail.webp', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => `/api/candidates/${candidateId}/evidence/999999/after`, undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/stac', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/stac/conformance', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/stac/collections', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/stac/collections/flights', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/stac/collections/flights/items', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/stac/collections/flights/items/999999', undefined, ['operator', 'reviewer', 'assessor']],
    ['POST', () => '/api/flights', { orthophoto: '0'.repeat(32), captured_at: '2026-10-15T13:44:00+08:00' }, ['operator']],
    ['HEAD', () => `/api/uploads/${'0'.repeat(32)}`, undefined, ['operator']],
    ['DELETE', () => `/api/uploads/${'0'.repeat(32)}`, undefined, ['operator']],
    ['GET', () => '/api/villages', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/schedule?from=2026-11-01&to=2026-12-31', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/overlays/permits', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/overlays/zones?bbox=121,31,122,32', undefined, ['operator', 'reviewer', 'assessor']],
    ['GET', () => '/api/villages/999999/assessment?from=2026-07-01&to=2026-10-01', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/villages/999999/assessment.html?from=2026-07-01&to=2026-10-01', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/villages/999999/assessment.pdf?from=2026-07-01&to=2026-10-01', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/reports/weekly/2026-W47', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/reports/monthly/2026-11?format=csv', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/reports/quarterly/2026-Q4?format=html', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/reports/stored', undefined, ['reviewer', 'assessor']],
    ['GET', () => '/api/reports/stored/999999', undefined, ['reviewer', 'assessor']],
  ];
  for (const [method, url, payload, allowed] of routes) {
    for (const role of [null, ...ROLES] as const) {
      const expected = role === null ? 401 : role === 'admin' || allowed.includes(role) ? 'allowed' : 403;
      it(`${method} ${url().replace(/\d+/g, ':id')} as ${role ?? 'anonymous'}: ${expected}`, async () => {
        const response = await app.inject({ method: method as 'GET' | 'POST', url: url(), headers: as(role), ...(payload ? { payload } : {}) });
        if (expected === 'allowed') expect([200, 201, 404, 422]).toContain(response.statusCode);
        else expect(response.statusCode).toBe(expected);
      });
    }
  }
});

describe('candidates', () => {
  it('lists GeoJSON, most urgent first, filtered by bbox and status', async () => {
    const all = await app.inject({ url: '/api/candidates', headers: as('reviewer') });
    expect(all.headers['content-type']).toContain('application/geo+json');
    expect(all.json()).toMatchObject({ type: 'FeatureCollection', numberMatched: 2 });
    expect(all.json().features[0].properties.priority).toBe(60);
    const near = await app.inject({ url: '/api/candidates?bbox=121.0,31.0,121.2,31.2&status=pending,verified', headers: as('reviewer') });
    expect(near.json().features.map((f: { id: number }) => String(f.id))).toEqual([candidateId]);
  });

  it('treats SQL in every filter as plain text', async () => {
    const nasty = encodeURIComponent("x'); DROP TABLE candidate; --");
    for (const query of [`village=${nasty}`, `street=${nasty}`]) {
      const response = await app.inject({ url: `/api/candidates?${query}`, headers: as('reviewer') });
      expect(response.statusCode).toBe(200);
      expect(response.json().numberMatched).toBe(0);
    }
    for (const query of [`status=${nasty}`, `type=${nasty}`, `min_area=${nasty}`, `from=${nasty}`, `bbox=${nasty}`]) {
      expect((await app.inject({ url: `/api/candidates?${query}`, headers: as('reviewer') })).statusCode).toBe(400);
    }
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM candidate`);
    expect(rows[0].n).toBe(2);
  });

  it('explains a bbox out of range, an unknown id, and an unknown route', async () => {
    const bbox = await app.inject({ url: '/api/candidates?bbox=121,31,200,32', headers: as('reviewer') });
    expect([bbox.statusCode, bbox.json().detail]).toEqual([400, 'bbox is out of range: longitudes -180..180, latitudes -90..90']);
    expect((await app.inject({ url: '/api/candidates/99999999', headers: as('reviewer') })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/candidates/1%3B1', headers: as('reviewer') })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/nothing-here', headers: as('reviewer') })).json().title).toBe('Not found');
  });
});

describe('reviewing over HTTP', () => {
  it('applies a decision, then refuses a stale version with 409 and the fresh state', async () => {
    const { rows } = await pool.query<{ id: string }>(`SELECT id::text FROM candidate WHERE change_type = 'extension'`);
    const url = `/api/candidates/${rows[0]!.id}/review`;
    const first = await app.inject({ method: 'POST', url, headers: as('reviewer'), payload: { action: 'verify', version: 1 } });
    expect(first.json()).toMatchObject({ status: 'verified', version: 2 });
    const stale = await app.inject({ method: 'POST', url, headers: as('reviewer'), payload: { action: 'reject', version: 1, reasonCode: 'false_detection' } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current).toEqual({ status: 'verified', version: 2 });
  });

  it('refuses malformed JSON, wrong types and huge bodies, changing nothing', async () => {
    const url = `/api/candidates/${candidateId}/review`;
    const headers = { ...as('reviewer'), 'content-type': 'application/json' };
    const malformed = await app.inject({ method: 'POST', url, headers, payload: '{"action": "verify", ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    expect((await app.inject({ method: 'POST', url, headers, payload: { action: 'verify', version: 'one' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url, headers, payload: { action: 'burn', version: 1 } })).statusCode).toBe(400);
    const huge = await app.inject({ method: 'POST', url, headers, payload: JSON.stringify({ action: 'reject', version: 1, reasonText: 'x'.repeat(2 << 20) }) });
    expect(huge.statusCode).toBe(413);
    const { rows } = await pool.query(`SELECT status, version FROM candidate WHERE id = $1`, [candidateId]);
    expect(rows[0]).toEqual({ status: 'pending', version: 1 });
  });
});

describe('flight progress as Server-Sent Events', () => {
  it('streams the flight row until the flight ends', async () => {
    const { rows } = await pool.query<{ id: string }>(`INSERT INTO flight (status, stage, progress) VALUES ('processing', 'detect', 0.5) RETURNING id::text`);
    const id = rows[0]!.id;
    setTimeout(() => void pool.query(`UPDATE flight SET status = 'done', stage = NULL, progress = 1 WHERE id = $1`, [id]), 700);
    const response = await app.inject({ url: `/api/flights/${id}/events`, headers: as('operator') });
    expect(response.headers['content-type']).toBe('text/event-stream');
    const events = response.body.split('\n\n').filter(Boolean).map((chunk) => JSON.parse(chunk.split('data: ')[1]!));
    expect(events[0]).toEqual({ status: 'processing', stage: 'detect', progress: 0.5, failure_reason: null });
    expect(events[events.length - 1]).toEqual({ status: 'done', stage: null, progress: 1, failure_reason: null });
  });
});

describe('the OpenAPI document', () => {
  it('describes the routes at /docs', async () => {
    const spec = await app.inject({ url: '/docs/json' });
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(['/api/login', '/api/candidates', '/api/candidates/{id}/review']));
  });
});
