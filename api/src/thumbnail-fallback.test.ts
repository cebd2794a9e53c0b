/**
 * The thumbnail of a flight whose candidates came before its COGs (issue 20): ingested, its COG job
 * not yet run. It is drawn from the reduced orthophoto, cached a minute only, with an ETag naming
 * that source; once the COG job has run the same address is drawn from the COG. Real PostgreSQL,
 * GDAL, sharp; the fixture scene.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig } from '#pipeline/config.js';
import { writeFlightCogs } from '#pipeline/stages/cog.js';
import { ingestFlight } from '#pipeline/stages/ingest.js';
import { registerUploads, tempDir, testStageContext } from '#pipeline/stages/testing/flight-files.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';

const SCENE = path.resolve(import.meta.dirname, '../../fixtures/scene');
const pool = createTestPool();
const dir = tempDir('thumbnail-fallback');
const store = path.join(dir, 'store');
let app: FastifyInstance;
let token = '';
let flight = '';
/** Ingested too, then its reduced orthophoto file removed from the raster store. */
let lost = '';

beforeAll(async () => {
  await emptyTables(pool);
  token = await openSession(pool, await upsertUser(pool, { username: 'viewer', role: 'reviewer', passwordHash: await hashPassword('thumbnail-test-pw') }), 'bearer', 1);
  flight = await registerUploads(pool, { orthophoto: path.join(SCENE, 'after_ortho.tif') });
  lost = await registerUploads(pool, { orthophoto: path.join(SCENE, 'after_ortho.tif') });
  for (const id of [flight, lost]) await ingestFlight(testStageContext(pool, store), id); // the COG jobs have not run
  app = await buildApi({ pool, pipeline: { ...loadConfig(), rasterStore: store } });
}, 240_000);
afterAll(async () => {
  await app?.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function getThumbnail(headers: Record<string, string> = {}, id = flight) {
  return app.inject({ url: `/api/flights/${id}/thumbnail.webp`, headers: { authorization: `Bearer ${token}`, ...headers } });
}

async function decoded(webp: Buffer) {
  const { data, info } = await sharp(webp).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let opaque = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] === 255) opaque += 1;
  return { data, width: info.width, height: info.height, opaque };
}

/** Mean absolute difference of the colour channels over pixels opaque in both (0 to 255), and how many there were. */
function difference(a: Buffer, b: Buffer): { mean: number; pixels: number } {
  let sum = 0;
  let pixels = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i + 3] !== 255 || b[i + 3] !== 255) continue;
    pixels += 1;
    for (let c = 0; c < 3; c += 1) sum += Math.abs(a[i + c]! - b[i + c]!) / 3;
  }
  return { mean: pixels ? sum / pixels : Infinity, pixels };
}

describe('the thumbnail before the COG job has run', () => {
  let before: { body: Buffer; etag: string } = { body: Buffer.alloc(0), etag: '' };

  it('is drawn from the reduced orthophoto, cached for a minute only', async () => {
    expect((await pool.query(`SELECT count(*)::int AS n FROM flight_asset WHERE flight_id = $1 AND role = 'cog'`, [flight])).rows[0].n).toBe(0);
    const response = await getThumbnail();
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('image/webp');
    expect(response.headers['cache-control']).toBe('private, max-age=60');
    const etag = String(response.headers.etag);
    expect(etag).toContain('-reduced-');
    expect((await getThumbnail({ 'if-none-match': etag })).statusCode).toBe(304);
    const image = await decoded(response.rawPayload);
    expect(Math.max(image.width, image.height)).toBe(512);
    expect(image.opaque).toBeGreaterThan(image.width * image.height * 0.5);
    before = { body: response.rawPayload, etag };
  }, 60_000);

  it('is 404 Raster file missing, not a server error, when the reduced orthophoto is recorded but gone', async () => {
    const { rows } = await pool.query<{ uri: string }>(`SELECT uri FROM flight_asset WHERE flight_id = $1 AND kind = 'orthophoto' AND role = 'reduced'`, [lost]);
    expect(rows).toHaveLength(1);
    fs.rmSync(rows[0]!.uri);
    const response = await getThumbnail({}, lost);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ title: 'Raster file missing' });
    expect(response.json().detail).toContain('reduced raster');
  });

  it('is replaced by the COG\'s thumbnail once the COG job has run', async () => {
    await writeFlightCogs(testStageContext(pool, store), flight);
    // A client revalidating the fallback thumbnail gets the COG's, not 304.
    const response = await getThumbnail({ 'if-none-match': before.etag });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('private, max-age=3600');
    expect(String(response.headers.etag)).toContain('-cog-');
    const [fallback, fromCog] = await Promise.all([decoded(before.body), decoded(response.rawPayload)]);
    expect([fromCog.width, fromCog.height]).toEqual([fallback.width, fallback.height]);
    const measured = difference(fallback.data, fromCog.data);
    console.log('fallback thumbnail against COG thumbnail, mean absolute difference (0-255):', JSON.stringify(measured));
    expect(measured.pixels).toBeGreaterThan(fallback.width * fallback.height * 0.5);
    expect(measured.mean).toBeLessThan(6);
  }, 240_000);
});
