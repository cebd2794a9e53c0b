/**
 * Co-registration against the real database and the fixture scene's COGs: a flight that matches
 * its reference is registered quietly; one that matches nowhere is flagged to the operator.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFlight } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import gdal from '../gdal.js';
import { writeGeoTiff } from '../raster/index.js';
import { writeFlightCogs } from './cog.js';
import { coregisterFlight } from './coregister.js';
import { ingestFlight } from './ingest.js';
import { registerUploads, tempDir, testStageContext } from './testing/flight-files.js';

const SCENE = path.resolve(import.meta.dirname, '../../../fixtures/scene');
const pool = createTestPool();
const dir = tempDir('coregister');
const ctx = testStageContext(pool, path.join(dir, 'store'));

beforeAll(async () => {
  await emptyTables(pool);
  // The spring flight, done, is the reference every later flight here is compared with.
  const reference = await registerUploads(pool, { orthophoto: path.join(SCENE, 'before_ortho.tif') });
  await ingestFlight(ctx, reference);
  await writeFlightCogs(ctx, reference); // a finished flight has its COGs
  await pool.query(`UPDATE flight SET status = 'done', captured_at = '2026-04-10T10:30:00+08:00' WHERE id = $1`, [reference]);
}, 120_000);
afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The autumn orthophoto under a sheared geotransform (rows slide east as they go south): a broken export. */
function sheared(target: string): string {
  fs.copyFileSync(path.join(SCENE, 'after_ortho.tif'), target);
  const dataset = gdal.open(target, 'r+');
  const [x0, gsd, , y0, , ys] = dataset.geoTransform as number[];
  dataset.geoTransform = [x0!, gsd!, 0.3 * gsd!, y0!, 0, ys!];
  dataset.close();
  return target;
}

/** The autumn orthophoto with its rows stored bottom first under the same north-up georeference: a south-up export not flipped. */
function unflippedSouthUp(target: string): string {
  const source = gdal.open(path.join(SCENE, 'after_ortho.tif'));
  const { x: w, y: h } = source.rasterSize;
  const bands = [1, 2, 3].map((b) => {
    const rows = source.bands.get(b).pixels.read(0, 0, w, h) as Uint8Array;
    const flipped = new Uint8Array(rows.length);
    for (let r = 0; r < h; r += 1) flipped.set(rows.subarray((h - 1 - r) * w, (h - r) * w), r * w);
    return flipped;
  });
  writeGeoTiff(target, { width: w, height: h, bands, geoTransform: source.geoTransform as [number, number, number, number, number, number], srs: source.srs!.toWKT() });
  source.close();
  return target;
}

async function coregistered(orthophoto: string) {
  const flightId = await registerUploads(pool, { orthophoto });
  await ingestFlight(ctx, flightId);
  const result = await coregisterFlight(ctx, flightId);
  return { result, flight: (await getFlight(pool, flightId))! };
}

describe('coregisterFlight', () => {
  it('registers a flight that matches its reference without a notice', async () => {
    const { result, flight } = await coregistered(path.join(SCENE, 'after_ortho.tif'));
    expect(result.reference).toBe('earlier_orthophoto');
    expect(Math.abs(result.dxM - 0.989)).toBeLessThan(0.3);
    expect(flight.notices).toEqual([]);
  });

  it('flags a flight that matches its reference nowhere (a south-up export not flipped, a sheared geotransform) to the operator', async () => {
    for (const orthophoto of [unflippedSouthUp(path.join(dir, 'unflipped.tif')), sheared(path.join(dir, 'sheared.tif'))]) {
      const { result, flight } = await coregistered(orthophoto);
      expect(result.reference).toBe('none');
      expect(flight.notices).toEqual([expect.stringMatching(/^The flight does not match the earlier orthophoto of the same place: none of the \d windows compared correlated .*candidates are unreliable/)]);
    }
  });
});
