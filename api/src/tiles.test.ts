/** Vector tiles from PostGIS through the API, with the Redis cache: never stale, small at low zoom. */
import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { upsertUser } from '#db/sql/users.js';
import { loadConfig } from '#pipeline/config.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { deleteKeysUnder } from '#pipeline/queue/testing/redis-keys.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';

const pool = createTestPool();
const redis = createRedisConnection(loadConfig().redisUrl);
const prefix = `lingwei-test-tiles-${process.pid}`;
let app: FastifyInstance;
let cookie = '';
let candidateId = '';

/** The XYZ tile containing a lon/lat at zoom z. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n)];
}

async function tile(layer: string, z: number, lon = 121.1001, lat = 31.1001, headers: Record<string, string> = {}) {
  const [x, y] = tileOf(lon, lat, z);
  const response = await app.inject({ url: `/api/tiles/${layer}/${z}/${x}/${y}.mvt`, headers: { cookie, ...headers } });
  const layerOf = () => new VectorTile(new PbfReader(response.rawPayload)).layers[layer];
  const features = () => {
    const l = layerOf();
    return l ? Array.from({ length: l.length }, (_, i) => l.feature(i).properties) : [];
  };
  return { response, features };
}

beforeAll(async () => {
  await emptyTables(pool);
  await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('tiles-test-pw') });
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, area_m2) VALUES (ST_Multi(ST_MakeEnvelope(121.1, 31.1, 121.1002, 31.1002, 4326)), 'new_structure', 400) RETURNING id::text`,
  );
  candidateId = rows[0]!.id;
  // A big and a small baseline building: both at zoom 16, only the big one at zoom 12.
  await pool.query(
    `INSERT INTO baseline_building (source, source_key, footprint, height_m, survey_date, area_m2) VALUES
       ('t', 'big', ST_Multi(ST_MakeEnvelope(121.1003, 31.1, 121.1006, 31.1003, 4326)), 9, '2026-04-10', 900),
       ('t', 'small', ST_Multi(ST_MakeEnvelope(121.1007, 31.1, 121.10075, 31.10005, 4326)), 3, '2026-04-10', 25)`,
  );
  app = await buildApi({ pool, redis, cachePrefix: prefix });
  const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'reviewer', password: 'tiles-test-pw' } });
  cookie = `lingwei_session=${login.cookies[0]!.value}`;
});
afterAll(async () => {
  await app.close();
  await deleteKeysUnder(redis, prefix);
  redis.disconnect();
  await pool.end();
});

describe('vector tiles', () => {
  it('serve candidates as MVT, and show a decision at once although tiles are cached', async () => {
    const before = await tile('candidates', 16);
    expect(before.response.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(before.features()).toEqual([expect.objectContaining({ id: Number(candidateId), status: 'pending', version: 1 })]);
    expect((await tile('candidates', 16)).response.headers.etag).toBe(before.response.headers.etag);
    expect((await tile('candidates', 16, undefined, undefined, { 'if-none-match': String(before.response.headers.etag) })).response.statusCode).toBe(304);

    const review = await app.inject({ method: 'POST', url: `/api/candidates/${candidateId}/review`, headers: { cookie }, payload: { action: 'verify', version: 1 } });
    expect(review.statusCode).toBe(200);
    const after = await tile('candidates', 16);
    expect(after.response.headers.etag).not.toBe(before.response.headers.etag);
    expect(after.features()).toEqual([expect.objectContaining({ status: 'verified', version: 2 })]);
  });

  it('draw candidates as clusters below zoom 14: a point with the count, pending count, highest priority and area', async () => {
    const clusters = (await tile('candidates', 12)).features();
    expect(clusters).toEqual([{ count: 1, pending: 0, priority: 0, area_m2: 400 }]);
    const layer = new VectorTile(new PbfReader((await tile('candidates', 13)).response.rawPayload)).layers.candidates!;
    expect(layer.feature(0).type).toBe(1); // a point
  });

  it('drop small buildings from low-zoom tiles', async () => {
    expect((await tile('baseline', 16)).features().map((f) => f.height_m).sort()).toEqual([3, 9]);
    expect((await tile('baseline', 12)).features().map((f) => f.height_m)).toEqual([9]);
  });

  it('refuse tiles outside the grid and unknown layers', async () => {
    expect((await app.inject({ url: '/api/tiles/candidates/3/9/1.mvt', headers: { cookie } })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/tiles/secrets/3/1/1.mvt', headers: { cookie } })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/tiles/candidates/3/1/1.mvt' })).statusCode).toBe(401);
  });
});
