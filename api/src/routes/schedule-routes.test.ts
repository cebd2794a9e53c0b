/** The demolition schedule and the GeoJSON overlays against the real database, bad input included. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { hashPassword } from '../auth/passwords.js';
import { buildApi } from '../server.js';

const pool = createTestPool();
let app: FastifyInstance;
let cookie = '';
const ids = { first: '', second: '' };

beforeAll(async () => {
  await emptyTables(pool);
  const reviewer = await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('schedule-pw') });
  const { rows: areas } = await pool.query<{ id: string }>(
    `INSERT INTO admin_area (code, level, name, geom) VALUES
       ('S1', 'street', '曹路镇', ST_Multi(ST_MakeEnvelope(121.0, 31.0, 121.5, 31.5, 4326))),
       ('S2', 'street', '川沙新镇', ST_Multi(ST_MakeEnvelope(121.5, 31.0, 122.0, 31.5, 4326))) RETURNING id::text`);
  const { rows: candidates } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, status, area_m2, street_id) VALUES
       (ST_Multi(ST_MakeEnvelope(121.1, 31.1, 121.1002, 31.1002, 4326)), 'new_structure', 'scheduled', 120, $1),
       (ST_Multi(ST_MakeEnvelope(121.6, 31.1, 121.6002, 31.1002, 4326)), 'extension', 'demolished', 30, $2) RETURNING id::text`,
    [areas[0]!.id, areas[1]!.id]);
  ids.first = candidates[0]!.id;
  ids.second = candidates[1]!.id;
  await pool.query(`INSERT INTO flight (kind, status, captured_at) VALUES ('drone', 'done', '2026-12-20T10:00:00+08:00')`);
  await pool.query(
    `INSERT INTO demolition_schedule (candidate_id, scheduled_for, team, created_by, status, demolished_at, confirmation, confirmed_by_flight_id) VALUES
       ($1, '2026-12-01', '一队', $3, 'scheduled', NULL, NULL, NULL),
       ($2, '2026-11-20', '二队', $3, 'done', now(), 'confirmed', (SELECT id FROM flight LIMIT 1))`,
    [ids.first, ids.second, reviewer]);
  await pool.query(
    `INSERT INTO planning_permit (permit_no, geom, valid_from, valid_to, holder) VALUES
       ('沪规-2026-001', ST_Multi(ST_MakeEnvelope(121.1, 31.1, 121.101, 31.101, 4326)), '2026-01-01', '2027-01-01', '某公司')`);
  await pool.query(
    `INSERT INTO sensitive_zone (zone_key, kind, name, geom) VALUES
       ('river-1', 'river_bank', '川杨河', ST_Multi(ST_MakeEnvelope(121.6, 31.1, 121.61, 31.11, 4326)))`);
  app = await buildApi({ pool });
  const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'reviewer', password: 'schedule-pw' } });
  cookie = `lingwei_session=${login.cookies.find((c) => c.name === 'lingwei_session')!.value}`;
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

const get = (url: string) => app.inject({ url, headers: { cookie } });

describe('GET /api/schedule', () => {
  it('lists schedules by date with street, team and what the last flight confirmed', async () => {
    const response = await get('/api/schedule');
    expect(response.statusCode).toBe(200);
    expect(response.json().schedules.map((s: Record<string, unknown>) => [s.candidate_id, s.scheduled_for, s.team, s.street, s.status, s.confirmation, s.confirmed_on]))
      .toEqual([[ids.second, '2026-11-20', '二队', '川沙新镇', 'done', 'confirmed', '2026-12-20'], [ids.first, '2026-12-01', '一队', '曹路镇', 'scheduled', null, null]]);
    const [, first] = response.json().schedules;
    expect(first).toMatchObject({ candidate_status: 'scheduled', candidate_version: 1, change_type: 'new_structure', area_m2: 120 });
    expect(first.center[0]).toBeCloseTo(121.1001, 4);
  });

  it('filters by dates, street, team, status and candidate', async () => {
    const only = async (query: string) => (await get(`/api/schedule?${query}`)).json().schedules.map((s: { candidate_id: string }) => s.candidate_id);
    expect(await only('from=2026-11-25')).toEqual([ids.first]);
    expect(await only('to=2026-11-25')).toEqual([ids.second]);
    expect(await only('street=S2')).toEqual([ids.second]);
    expect(await only(`team=${encodeURIComponent('一队')}`)).toEqual([ids.first]);
    expect(await only('status=done')).toEqual([ids.second]);
    expect(await only(`candidate=${ids.first}`)).toEqual([ids.first]);
    expect(await only(`team=${encodeURIComponent("x' OR 1=1 --")}`)).toEqual([]);
  });

  it('refuses bad filters with a problem that says what is wrong', async () => {
    const reversed = await get('/api/schedule?from=2026-12-01&to=2026-11-01');
    expect([reversed.statusCode, reversed.json().detail]).toEqual([400, 'from (2026-12-01) is after to (2026-11-01)']);
    expect(reversed.headers['content-type']).toContain('application/problem+json');
    for (const query of ['from=yesterday', 'status=pending', 'candidate=1;1', 'limit=0', 'to=2026-13-01']) {
      const response = await get(`/api/schedule?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json().title).toBe('The request is not valid');
    }
  });
});

describe('GET /api/overlays/:overlay', () => {
  it('gives permits and zones as GeoJSON, filtered by bbox', async () => {
    const permits = await get('/api/overlays/permits');
    expect(permits.headers['content-type']).toContain('application/geo+json');
    expect(permits.json().features.map((f: { properties: object }) => f.properties)).toEqual([
      { permit_no: '沪规-2026-001', holder: '某公司', description: null, valid_from: '2026-01-01', valid_to: '2027-01-01' }]);
    expect((await get('/api/overlays/zones?bbox=121.55,31.05,121.65,31.15')).json().features[0].properties).toEqual({ zone_key: 'river-1', kind: 'river_bank', name: '川杨河' });
    expect((await get('/api/overlays/zones?bbox=121.0,31.0,121.2,31.2')).json().features).toEqual([]);
  });

  it('refuses an unknown overlay and a bad bbox', async () => {
    expect((await get('/api/overlays/buildings')).statusCode).toBe(400);
    const bbox = await get('/api/overlays/permits?bbox=122,31,121,32');
    expect([bbox.statusCode, bbox.json().detail]).toEqual([400, 'bbox must have west < east and south < north']);
  });
});
