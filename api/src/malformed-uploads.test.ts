/**
 * The malformed-upload sweep (issue 21): every kind of broken flight file an operator or an
 * attacker can send, through the real upload path (tus over HTTP, POST /api/flights, a flight
 * worker on the real database and Redis, real GDAL). Each must end as a clear refusal: a 422 with
 * its reason, or a flight that fails with its reason. None may end "done". Refused files are
 * removed either way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFlight } from '#db/sql/flights.js';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import gdal from '#pipeline/gdal.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { deleteKeysUnder } from '#pipeline/queue/testing/redis-keys.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { withCorruptTile } from '#pipeline/stages/testing/flight-files.js';
import { startFlightWorker } from '#pipeline/testing/run-scene.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';

const SCENE = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'scene');
const ORTHO = path.join(SCENE, 'after_ortho.tif');
const DSM = path.join(SCENE, 'after_dsm.tif');
const pool = createTestPool();
const store = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-malformed-'));
const made = path.join(store, 'made');
const config: PipelineConfig = { ...loadConfig(), rasterStore: store, queuePrefix: `lingwei-malformed-test-${process.pid}` };
let app: FastifyInstance;
let base = '';
let bearer = '';
let worker: { close: () => Promise<void> };

beforeAll(async () => {
  await emptyTables(pool);
  fs.mkdirSync(made, { recursive: true });
  bearer = await openSession(pool, await upsertUser(pool, { username: 'operator', role: 'operator', passwordHash: await hashPassword('malformed-test-pw') }), 'bearer', 1);
  app = await buildApi({ pool, pipeline: config, uploadMaxBytes: 32 * 1024 * 1024 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  worker = startFlightWorker(pool, config);
});
afterAll(async () => {
  await worker.close();
  const redis = createRedisConnection(config.redisUrl);
  await deleteKeysUnder(redis, config.queuePrefix);
  redis.disconnect();
  await app.close();
  await pool.end();
  fs.rmSync(store, { recursive: true, force: true });
});

const file = (name: string) => path.join(made, name);
const auth = () => ({ authorization: `Bearer ${bearer}` });

/** The scene's surface model with each height replaced by `height(value, i)`, nodata declared as `nodata`. */
function surfaceModel(name: string, height: (value: number, i: number) => number, nodata: number | null = -9999): string {
  const source = gdal.open(DSM);
  const { x: width, y: rows } = source.rasterSize;
  const values = (source.bands.get(1).pixels.read(0, 0, width, rows) as Float32Array).map(height);
  writeGeoTiff(file(name), { width, height: rows, bands: [values], geoTransform: source.geoTransform as [number, number, number, number, number, number], srs: source.srs!.toWKT(), ...(nodata === null ? {} : { nodata }) });
  source.close();
  return file(name);
}

/** A sparse BigTIFF declaring `side` x `side` pixels at 1 cm with nothing written. */
function sparse(name: string, side: number): string {
  const ds = gdal.open(file(name), 'w', 'GTiff', side, side, 3, gdal.GDT_Byte, ['SPARSE_OK=TRUE', 'TILED=YES', 'BIGTIFF=YES', 'COMPRESS=JPEG']);
  ds.geoTransform = [604_900, 0.01, 0, 3_446_300, 0, -0.01];
  ds.srs = gdal.SpatialReference.fromEPSG(4549);
  ds.close();
  return file(name);
}

function write(name: string, bytes: Buffer | string): string {
  fs.writeFileSync(file(name), bytes);
  return file(name);
}

async function upload(source: string): Promise<string> {
  const bytes = fs.readFileSync(source);
  const created = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', ...auth(), 'upload-length': String(bytes.length) } });
  expect(created.status).toBe(201);
  const id = created.headers.get('location')!.split('/').pop()!;
  const patched = await fetch(`${base}/api/uploads/${id}`, {
    method: 'PATCH', headers: { 'tus-resumable': '1.0.0', ...auth(), 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(bytes),
  });
  expect(patched.status).toBe(204);
  return id;
}

interface Case {
  name: string;
  files: () => { orthophoto: string; surfaceModel?: string };
  /** The reason the operator is given, at upload (422) or as the flight's failure. */
  reason: RegExp;
}

const georeferenceless = () => {
  const ds = gdal.open(file('no-georef.tif'), 'w', 'GTiff', 300, 300, 3, gdal.GDT_Byte);
  ds.close();
  return file('no-georef.tif');
};

const CASES: Case[] = [
  { name: 'a PDF', files: () => ({ orthophoto: write('notes.tif', '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n') }), reason: /not a GeoTIFF: the file looks like a PDF/ },
  { name: 'an empty-looking text file', files: () => ({ orthophoto: write('text.tif', 'these are my flight notes') }), reason: /not a GeoTIFF/ },
  { name: 'a truncated orthophoto', files: () => ({ orthophoto: write('truncated.tif', fs.readFileSync(ORTHO).subarray(0, 300_000)) }), reason: /truncated or corrupt/ },
  { name: 'a TIFF header only', files: () => ({ orthophoto: write('header.tif', fs.readFileSync(ORTHO).subarray(0, 64)) }), reason: /truncated or corrupt/ },
  { name: 'a surface model as the orthophoto', files: () => ({ orthophoto: DSM }), reason: /has 1 band\(s\)/ },
  { name: 'an orthophoto without georeference', files: () => ({ orthophoto: georeferenceless() }), reason: /no georeference/ },
  { name: 'an orthophoto as the surface model', files: () => ({ orthophoto: ORTHO, surfaceModel: write('ortho-as-dsm.tif', fs.readFileSync(path.join(SCENE, 'before_ortho.tif'))) }), reason: /surface model has 3 bands/ },
  { name: 'a surface model elsewhere', files: () => ({ orthophoto: ORTHO, surfaceModel: (() => {
    const source = gdal.open(DSM);
    const gt = source.geoTransform as [number, number, number, number, number, number];
    const values = source.bands.get(1).pixels.read(0, 0, 1000, 1000) as Float32Array;
    writeGeoTiff(file('elsewhere.tif'), { width: 1000, height: 1000, bands: [values], geoTransform: [gt[0] + 10_000, gt[1], 0, gt[3], 0, gt[5]], srs: source.srs!.toWKT(), nodata: -9999 });
    source.close();
    return file('elsewhere.tif');
  })() }), reason: /does not overlap the orthophoto/ },
  { name: 'a surface model all NaN', files: () => ({ orthophoto: ORTHO, surfaceModel: surfaceModel('all-nan.tif', () => Number.NaN) }), reason: /holds no heights/ },
  { name: 'a surface model all nodata', files: () => ({ orthophoto: ORTHO, surfaceModel: surfaceModel('all-nodata.tif', () => -9999) }), reason: /holds no heights/ },
  { name: 'heights of infinity', files: () => ({ orthophoto: ORTHO, surfaceModel: surfaceModel('inf.tif', (v, i) => (i % 500 === 0 ? Number.POSITIVE_INFINITY : v)) }), reason: /impossible heights.*to infinity/ },
  { name: 'heights of minus infinity', files: () => ({ orthophoto: ORTHO, surfaceModel: surfaceModel('minus-inf.tif', (v, i) => (i % 500 === 0 ? Number.NEGATIVE_INFINITY : v)) }), reason: /impossible heights, from minus infinity/ },
  { name: 'heights of 1e30', files: () => ({ orthophoto: ORTHO, surfaceModel: surfaceModel('1e30.tif', (v, i) => (i % 500 === 0 ? 1e30 : v)) }), reason: /impossible heights.*1e\+30 m/ },
  { name: 'NaN declared as nodata, the -9999 fill left as heights', files: () => ({ orthophoto: ORTHO, surfaceModel: surfaceModel('nan-and-fill.tif', (v, i) => (i % 7 === 0 ? Number.NaN : v), Number.NaN) }), reason: /impossible heights, from -9999 m/ },
  { name: 'a sparse BigTIFF declaring 40 billion pixels', files: () => ({ orthophoto: sparse('sparse.tif', 200_000) }), reason: /FLIGHT_MAX_PIXELS.*holds data in only 0 of its/ },
  { name: 'a corrupt JPEG tile in the middle of the orthophoto', files: () => ({ orthophoto: withCorruptTile(ORTHO, file('corrupt-tile.tif'), 27) }), reason: /orthophoto could not be read to the end: the file is truncated or corrupt.*JPEGLib/ },
];

describe('the malformed-upload sweep', { timeout: 120_000 }, () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: a clear refusal, never "done", and its files removed', async (_name, sweepCase) => {
    const { orthophoto, surfaceModel: dsm } = sweepCase.files();
    const ids = { orthophoto: await upload(orthophoto), surface_model: dsm ? await upload(dsm) : undefined };
    const response = await fetch(`${base}/api/flights`, {
      method: 'POST', headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ orthophoto: ids.orthophoto, ...(ids.surface_model ? { surface_model: ids.surface_model } : {}), captured_at: '2026-10-15T13:44:00+08:00' }),
    });
    if (response.status === 422) {
      const problem = (await response.json()) as { detail: string; removed: string[] };
      expect(problem.detail).toMatch(sweepCase.reason);
      for (const id of problem.removed) expect(fs.existsSync(path.join(store, 'uploads', id))).toBe(false);
      return;
    }
    // Taken in: the worker must fail it with the reason, and its files go.
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    await expect.poll(async () => (await getFlight(pool, id))?.status, { timeout: 60_000, interval: 250 }).toBe('failed');
    expect((await getFlight(pool, id))!.failure_reason).toMatch(sweepCase.reason);
    await expect.poll(() => fs.existsSync(path.join(store, 'flights', id)), { timeout: 5_000 }).toBe(false);
  });
});
