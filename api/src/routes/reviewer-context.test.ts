/**
 * What a reviewer needs to see where and when (issue 22 items 7-9), through the API against the
 * real database: the viewer's run-time basemap setting and its Content-Security-Policy, the names
 * in the villages tile, the dossier's village, street, point, capture dates and the flights behind
 * each image and audit row, the flight list's paging past 50, queue positions and files, and the
 * newest flight over a view.
 */
import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { hashPassword } from '../auth/passwords.js';
import { loadBasemapConfig } from '../basemap-config.js';
import { buildApi } from '../server.js';

const pool = createTestPool();
let app: FastifyInstance;
let token = '';
let candidateId = '';
const get = (url: string) => app.inject({ url, headers: { authorization: `Bearer ${token}` } });

/** The XYZ tile containing a lon/lat at zoom z. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n)];
}

beforeAll(async () => {
  await emptyTables(pool);
  token = await openSession(pool, await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('context-test-pw') }), 'bearer', 1);
  await pool.query(
    `INSERT INTO admin_area (id, code, level, name, name_en, geom) VALUES
       (1, 'S1', 'street', '曹路镇', 'Caolu', ST_Multi(ST_MakeEnvelope(121.60, 31.26, 121.64, 31.29, 4326))),
       (2, 'V1', 'village', '民建村', 'Minjian', ST_Multi(ST_MakeEnvelope(121.61, 31.27, 121.62, 31.28, 4326)))`);
  // 60 flights: on a text sort "9" > "60", and the newest would fall off the first page of 50.
  // Flights 1 and 2 were flown over the village (2 later), 3 elsewhere; 58 to 60 wait in the queue.
  await pool.query(`INSERT INTO flight (id, kind, status) SELECT i, 'drone', 'done' FROM generate_series(1, 60) i`);
  await pool.query(
    `UPDATE flight SET captured_at = '2026-09-01T02:00:00Z', footprint = ST_Multi(ST_MakeEnvelope(121.61, 31.27, 121.62, 31.28, 4326)) WHERE id = 1;
     UPDATE flight SET captured_at = '2026-10-15T02:00:00Z', footprint = ST_Multi(ST_MakeEnvelope(121.612, 31.272, 121.618, 31.278, 4326)) WHERE id = 2;
     UPDATE flight SET captured_at = '2026-11-01T02:00:00Z', footprint = ST_Multi(ST_MakeEnvelope(121.0, 31.0, 121.01, 31.01, 4326)) WHERE id = 3;
     UPDATE flight SET status = 'queued' WHERE id IN (58, 59, 60);
     INSERT INTO flight_asset (flight_id, kind, role, uri) VALUES (2, 'orthophoto', 'cog', '/x/ortho.tif'), (2, 'surface_model', 'cog', '/x/dsm.tif');`);
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, area_m2, street_id, village_id, first_flight_id, last_flight_id)
     VALUES (ST_Multi(ST_MakeEnvelope(121.615, 31.275, 121.6152, 31.2752, 4326)), 'new_structure', 400, 1, 2, 1, 2) RETURNING id::text`);
  candidateId = rows[0]!.id;
  // Rows written long after the flights were flown (a flight processed late): observed_at is not the capture day.
  await pool.query(
    `INSERT INTO candidate_observation (candidate_id, flight_id, geom, area_m2, before_flight_id, observed_at)
       SELECT $1, f, geom, 400, CASE WHEN f = 2 THEN 1 END, '2026-12-01T08:00:00Z' FROM candidate, unnest(ARRAY[1, 2]) f WHERE id = $1;
     INSERT INTO review_event (candidate_id, action, to_status, candidate_version, payload) VALUES ($1, 'raise', 'pending', 1, '{"flightId": "1"}');
     INSERT INTO review_event (candidate_id, action, candidate_version, payload) VALUES ($1, 'observe', 2, '{"flightId": "2"}')`.replaceAll('$1', candidateId));
  app = await buildApi({ pool });
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

describe('the viewer configuration', () => {
  it('has no basemap by default, and the viewer page may load nothing from outside', async () => {
    expect((await get('/api/viewer-config')).json()).toEqual({ basemap: null });
    expect((await app.inject({ url: '/api/viewer-config' })).statusCode).toBe(401);
  });

  it('serves a configured basemap as XYZ templates, and lets the viewer page load from its origins only', async () => {
    const basemap = loadBasemapConfig({
      LINGWEI_BASEMAP_URL: 'https://t{s}.tianditu.gov.cn/img_w/wmts?LAYER=img&TILEMATRIXSET=w&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}&tk=K',
      LINGWEI_BASEMAP_LABELS_URL: 'https://t{s}.tianditu.gov.cn/cia_w/wmts?LAYER=cia&TILEMATRIXSET=w&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}&tk=K',
      LINGWEI_BASEMAP_SUBDOMAINS: '0,1', LINGWEI_BASEMAP_ATTRIBUTION: '© 天地图',
    });
    const online = await buildApi({ pool, config: { basemap } });
    try {
      const config = (await online.inject({ url: '/api/viewer-config', headers: { authorization: `Bearer ${token}` } })).json();
      expect(config.basemap).toEqual({
        imagery: [0, 1].map((s) => `https://t${s}.tianditu.gov.cn/img_w/wmts?LAYER=img&TILEMATRIXSET=w&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K`),
        labels: [0, 1].map((s) => `https://t${s}.tianditu.gov.cn/cia_w/wmts?LAYER=cia&TILEMATRIXSET=w&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=K`),
        attribution: '© 天地图', maxzoom: 18,
      });
      const page = await online.inject({ url: '/' });
      const policy = String(page.headers['content-security-policy'] ?? '');
      expect(policy).toContain("img-src 'self' data: blob: https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn");
    } finally {
      await online.close();
    }
  });
});

describe('the villages tile', () => {
  it('carries a point with the name of every street and village it holds, once', async () => {
    const [x, y] = tileOf(121.615, 31.275, 11);
    const response = await get(`/api/tiles/villages/11/${x}/${y}.mvt`);
    expect(response.statusCode).toBe(200);
    const tile = new VectorTile(new PbfReader(response.rawPayload));
    expect(tile.layers.villages?.length).toBe(2);
    const labels = tile.layers.area_labels!;
    const names = Array.from({ length: labels.length }, (_, i) => labels.feature(i)).map((f) => [f.properties.name, f.properties.level, f.type]);
    expect(names.sort()).toEqual([['曹路镇', 'street', 1], ['民建村', 'village', 1]]);
    // A name is in the one tile that holds its point: the village's tile at zoom 15 lacks the street's.
    const [x15, y15] = tileOf(121.615, 31.275, 15);
    const zoomed = new VectorTile(new PbfReader((await get(`/api/tiles/villages/15/${x15}/${y15}.mvt`)).rawPayload)).layers.area_labels!;
    expect(Array.from({ length: zoomed.length }, (_, i) => zoomed.feature(i).properties.name)).toEqual(['民建村']);
  });
});

describe('the dossier', () => {
  it('names the village and street, a point on the candidate, the capture dates and the flights behind the images and audit rows', async () => {
    const detail = (await get(`/api/candidates/${candidateId}`)).json();
    expect(detail.properties).toMatchObject({ village: '民建村', street: '曹路镇' });
    const [lon, lat] = detail.properties.centre as [number, number];
    expect(lon).toBeGreaterThanOrEqual(121.615);
    expect(lon).toBeLessThanOrEqual(121.6152);
    expect(lat).toBeGreaterThanOrEqual(31.275);
    expect(lat).toBeLessThanOrEqual(31.2752);
    const observations = detail.observations.map((o: Record<string, unknown>) => [o.flight_id, o.captured_at, o.before_flight_id, o.before_captured_at]);
    expect(observations).toEqual([
      [1, '2026-09-01T02:00:00+00:00', null, null],
      [2, '2026-10-15T02:00:00+00:00', 1, '2026-09-01T02:00:00+00:00'],
    ]);
    expect(detail.audit.map((row: Record<string, unknown>) => [row.action, row.flight_id, row.flight_captured_at])).toEqual([
      ['raise', 1, '2026-09-01T02:00:00+00:00'],
      ['observe', 2, '2026-10-15T02:00:00+00:00'],
    ]);
  });
});

describe('GET /api/flights', () => {
  it('pages 60 flights newest first by number: 60 to 11, then 10 to 1', async () => {
    const first = (await get('/api/flights')).json().flights as Array<{ id: string }>;
    expect(first.map((f) => Number(f.id))).toEqual(Array.from({ length: 50 }, (_, i) => 60 - i));
    const second = (await get('/api/flights?offset=50')).json().flights as Array<{ id: string }>;
    expect(second.map((f) => Number(f.id))).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('says where each queued flight stands in the queue, and which files a flight has', async () => {
    const flights = (await get('/api/flights?limit=60')).json().flights as Array<Record<string, unknown>>;
    const byId = new Map(flights.map((f) => [f.id, f]));
    expect(['58', '59', '60'].map((id) => byId.get(id)!.queue_position)).toEqual([1, 2, 3]);
    expect(byId.get('57')!.queue_position).toBeNull();
    expect(byId.get('2')).toMatchObject({ has_orthophoto: true, has_surface_model: true });
    expect(byId.get('1')).toMatchObject({ has_orthophoto: false, has_surface_model: false });
  });
});

describe('GET /api/flights/covering', () => {
  it('answers the newest finished flight under the centre of the view, else the newest meeting it, else none', async () => {
    const covering = async (bbox: string) => (await get(`/api/flights/covering?bbox=${bbox}`)).json().flight?.id ?? null;
    // Inside flight 2 (flown last over the village): 2; flight 1 covers it too but is older.
    expect(await covering('121.614,31.274,121.616,31.276')).toBe('2');
    // The whole village: flight 2 is under its centre, though it covers only a third of it.
    expect(await covering('121.61,31.27,121.62,31.28')).toBe('2');
    // A view whose centre only flight 1 covers, reaching into flight 2.
    expect(await covering('121.6100,31.2700,121.6130,31.2730')).toBe('1');
    // A view meeting flight 3 but centred off it.
    expect(await covering('121.008,31.008,121.02,31.02')).toBe('3');
    expect(await covering('121.005,31.005,121.006,31.006')).toBe('3');
    expect(await covering('100,20,100.1,20.1')).toBeNull();
    expect((await get('/api/flights/covering?bbox=121.62,31.27,121.61,31.28')).statusCode).toBe(400);
  });
});
