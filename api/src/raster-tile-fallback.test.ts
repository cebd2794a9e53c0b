/**
 * Raster tiles of a flight whose candidates came before its COGs (issue 20): ingested, its COG job
 * not yet run. Tiles are drawn from the reduced raster (coarse zooms) or the upload (fine zooms),
 * look like the COG's tiles of the same place, are cached briefly only, and once the COG job has
 * run the same addresses are drawn from the COGs. Real PostgreSQL, GDAL, sharp; the fixture scene.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig } from '#pipeline/config.js';
import gdal from '#pipeline/gdal.js';
import { writeFlightCogs } from '#pipeline/stages/cog.js';
import { ingestFlight } from '#pipeline/stages/ingest.js';
import { registerUploads, tempDir, testStageContext } from '#pipeline/stages/testing/flight-files.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';

const SCENE = path.resolve(import.meta.dirname, '../../fixtures/scene');
const pool = createTestPool();
const dir = tempDir('raster-tile-fallback');
const store = path.join(dir, 'store');
let app: FastifyInstance;
let token = '';
/** The fixture flight (8-bit RGB, Float32 heights), and the same orthophoto as 16-bit colour and as RGBA. */
const flights = { plain: '', sixteenBit: '', rgba: '' };
let centre: [number, number] = [0, 0];

async function translated(name: string, options: string[]): Promise<string> {
  const source = await gdal.openAsync(path.join(SCENE, 'after_ortho.tif'));
  try {
    (await gdal.translateAsync(path.join(dir, name), source, options)).close();
  } finally {
    source.close();
  }
  return path.join(dir, name);
}

beforeAll(async () => {
  await emptyTables(pool);
  token = await openSession(pool, await upsertUser(pool, { username: 'viewer', role: 'reviewer', passwordHash: await hashPassword('fallback-test-pw') }), 'bearer', 1);
  flights.plain = await registerUploads(pool, { orthophoto: path.join(SCENE, 'after_ortho.tif'), surfaceModel: path.join(SCENE, 'after_dsm.tif') });
  flights.sixteenBit = await registerUploads(pool, { orthophoto: await translated('ortho16.tif', ['-ot', 'UInt16', '-scale', '0', '255', '0', '4000']) });
  flights.rgba = await registerUploads(pool, { orthophoto: await translated('rgba.tif', ['-b', '1', '-b', '2', '-b', '3', '-b', 'mask', '-colorinterp', 'red,green,blue,alpha', '-co', 'ALPHA=YES']) });
  for (const id of Object.values(flights)) await ingestFlight(testStageContext(pool, store), id); // the COG jobs have not run
  const { rows } = await pool.query<{ x: number; y: number }>(`SELECT ST_X(ST_Centroid(footprint)) AS x, ST_Y(ST_Centroid(footprint)) AS y FROM flight WHERE id = $1`, [flights.plain]);
  centre = [rows[0]!.x, rows[0]!.y];
  app = await buildApi({ pool, pipeline: { ...loadConfig(), rasterStore: store } });
}, 240_000);
afterAll(async () => {
  await app?.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n)];
}

async function getTile(flightId: string, asset: 'ortho' | 'dsm', z: number, headers: Record<string, string> = {}) {
  const [x, y] = tileOf(...centre, z);
  return app.inject({ url: `/api/flights/${flightId}/tiles/${asset}/${z}/${x}/${y}.png`, headers: { authorization: `Bearer ${token}`, ...headers } });
}

/** Mean absolute difference of the colour channels over pixels opaque in both tiles (0 to 255), and how many there were. */
async function difference(a: Buffer, b: Buffer): Promise<{ mean: number; pixels: number }> {
  const [pa, pb] = await Promise.all([a, b].map(async (png) => sharp(png).ensureAlpha().raw().toBuffer()));
  let sum = 0;
  let pixels = 0;
  for (let i = 0; i < pa!.length; i += 4) {
    if (pa![i + 3] !== 255 || pb![i + 3] !== 255) continue;
    pixels += 1;
    for (let c = 0; c < 3; c += 1) sum += Math.abs(pa![i + c]! - pb![i + c]!) / 3;
  }
  return { mean: pixels ? sum / pixels : Infinity, pixels };
}

// Zoom 17 at 31° N: 1.0 m tile pixels (the reduced raster's 0.25 m are finer: drawn from it); zoom
// 20: 0.13 m (finer than the reduced raster: drawn from the upload, 0.1 m colour, 0.2 m heights,
// when the upload's pixels are the COG's; 16-bit colour takes ingest's stretch, so the reduced raster).
const CASES = [
  ['plain', 'ortho', 17, 'reduced'], ['plain', 'ortho', 20, 'upload'], ['plain', 'dsm', 17, 'reduced'], ['plain', 'dsm', 20, 'upload'],
  ['sixteenBit', 'ortho', 20, 'reduced'], ['rgba', 'ortho', 20, 'upload'],
] as const;

describe('raster tiles before the COG job has run', () => {
  const before = new Map<string, { body: Buffer; etag: string }>();

  it('are drawn from the reduced raster at coarse zooms and the upload at fine zooms, cached for a minute only', async () => {
    expect((await pool.query(`SELECT count(*)::int AS n FROM flight_asset WHERE role = 'cog'`)).rows[0].n).toBe(0);
    for (const [flight, asset, z, source] of CASES) {
      const response = await getTile(flights[flight], asset, z);
      expect(response.statusCode, `${flight} ${asset} z${z}`).toBe(200);
      expect(response.headers['cache-control']).toBe('private, max-age=60');
      const etag = String(response.headers.etag);
      expect(etag).toContain(`-${source}-`);
      expect((await getTile(flights[flight], asset, z, { 'if-none-match': etag })).statusCode).toBe(304);
      before.set(`${flight} ${asset} z${z}`, { body: response.rawPayload, etag });
    }
  }, 120_000);

  it('look like the COG tiles of the same place, which replace them once the COG job has run', async () => {
    for (const id of Object.values(flights)) await writeFlightCogs(testStageContext(pool, store), id);
    const measured: Record<string, { mean: number; pixels: number }> = {};
    for (const [flight, asset, z] of CASES) {
      const key = `${flight} ${asset} z${z}`;
      const earlier = before.get(key)!;
      // A client revalidating its fallback tile gets the COG's tile, not 304.
      const response = await getTile(flights[flight], asset, z, { 'if-none-match': earlier.etag });
      expect(response.statusCode, key).toBe(200);
      expect(response.headers['cache-control']).toBe('private, max-age=3600');
      expect(String(response.headers.etag)).toContain('-cog-');
      measured[key] = await difference(earlier.body, response.rawPayload);
    }
    console.log('fallback tile against COG tile, mean absolute difference (0-255):', JSON.stringify(measured));
    for (const [key, { mean, pixels }] of Object.entries(measured)) {
      expect(pixels, key).toBeGreaterThan(1000);
      expect(mean, key).toBeLessThan(6);
    }
  }, 240_000);
});
