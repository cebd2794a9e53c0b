/**
 * The COG files as GDAL's /vsicurl/ opens them: the real gdalinfo against the app listening on a
 * port. GDAL probes for sidecar files (.aux.xml, .ovr, .msk, ...) before it reads the COG; those
 * are answered 404, the answer GDAL takes for "no such file", never 400.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlight, upsertFlightAsset } from '#db/sql/flights.js';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { tempDir } from '#pipeline/stages/testing/flight-files.js';
import { hashPassword } from '../auth/passwords.js';
import { buildApi } from '../server.js';

const run = promisify(execFile);
const pool = createTestPool();
const dir = tempDir('cog-routes');
let app: FastifyInstance;
let address = '';
let token = '';
let flightId = '';
const answered: Array<{ method: string; url: string; status: number }> = [];

beforeAll(async () => {
  await emptyTables(pool);
  token = await openSession(pool, await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('cog-routes-pw') }), 'bearer', 1);
  const cog = path.join(dir, 'dsm.tif');
  await run('gdal_translate', ['-q', '-of', 'COG', path.resolve(import.meta.dirname, '../../../fixtures/scene/after_dsm.tif'), cog]);
  flightId = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00' });
  await upsertFlightAsset(pool, flightId, {
    kind: 'surface_model', role: 'cog', uri: cog, sha256: null, bytes: fs.statSync(cog).size,
    width: null, height: null, band_count: 1, data_type: 'Float32', gsd_m: null, crs: null,
  });
  app = await buildApi({ pool });
  app.addHook('onResponse', async (request, reply) => void answered.push({ method: request.method, url: request.url, status: reply.statusCode }));
  address = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GDAL /vsicurl/ on a flight COG (issue 22 item 4)', () => {
  it('opens it with every sidecar probe answered 404, none 400', async () => {
    answered.length = 0;
    const { stdout } = await run('gdalinfo', [
      '--config', 'GDAL_HTTP_HEADERS', `Authorization: Bearer ${token}`,
      // As QGIS and a plain gdalinfo do: no GDAL_DISABLE_READDIR_ON_OPEN, so GDAL looks for sidecars.
      `/vsicurl/${address}/api/flights/${flightId}/assets/dsm.tif`,
    ], { env: { ...process.env, CPL_DEBUG: 'OFF' } }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`${error.message}${error.stderr ?? ''}\n${JSON.stringify(answered)}`);
    });
    expect(stdout).toContain('Driver: GTiff/GeoTIFF');
    const probes = answered.filter((a) => !new URL(a.url, address).pathname.endsWith('/dsm.tif'));
    expect(probes.length, JSON.stringify(answered)).toBeGreaterThan(0);
    expect(probes.filter((p) => p.status !== 404), JSON.stringify(probes)).toEqual([]);
  });

  it('answers 404 problem+json to any other file name, 400 to a malformed flight id', async () => {
    const get = (url: string, method: 'GET' | 'HEAD' = 'GET') => app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
    for (const file of ['dsm.tif.aux.xml', 'dsm.tif.ovr', 'dsm.tif.msk', 'dsm.aux', 'dsm.TIF', 'ortho.tiff', '..%2Fdsm.tif', 'x'.repeat(300)]) {
      const response = await get(`/api/flights/${flightId}/assets/${file}`);
      expect([file, response.statusCode, response.headers['content-type']]).toEqual([file, 404, 'application/problem+json; charset=utf-8']);
      expect((await get(`/api/flights/${flightId}/assets/${file}`, 'HEAD')).statusCode).toBe(404);
    }
    expect((await get(`/api/flights/${flightId}/assets/dsm.tif`, 'HEAD')).statusCode).toBe(200);
    expect((await get('/api/flights/1x/assets/dsm.tif.aux.xml')).statusCode).toBe(400);
    // Without a token it is still 401 first: the probe says nothing about what exists.
    expect((await app.inject({ method: 'HEAD', url: `/api/flights/${flightId}/assets/dsm.tif.aux.xml` })).statusCode).toBe(401);
  });
});
