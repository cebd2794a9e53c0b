/**
 * Refusals that named the wrong cause (issue 21 item 16), on real GDAL-written files and the real
 * test database: a complex (CInt16) surface model was "truncated or corrupt", a file labelled
 * WGS 84 with projected or swapped coordinates was told to "reproject to WGS 84", and
 * `cli ingest --captured-at 2026-11-00` printed PostgreSQL's error with a stack trace.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';
import { writeGeoTiff } from '#pipeline/raster/write-geotiff.js';
import { tempDir, writeOrthophoto, writeSurfaceModel } from '#pipeline/stages/testing/flight-files.js';
import { runIngestCommand } from '#scripts/commands/ingest.js';
import { inspectUploadedRaster } from './uploads/check-uploaded-rasters.js';

// The ingest command opens its own pool on DATABASE_URL: point it at the test database.
process.env.TEST_DATABASE_URL = testDatabaseUrl();
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
const pool = createTestPool();
const dir = tempDir('wrong-cause');

beforeAll(() => emptyTables(pool));
afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An RGB orthophoto labelled EPSG:4326 whose upper-left corner is at (x, y). */
function orthophotoInDegrees(name: string, x: number, y: number, pixel: number): string {
  const file = path.join(dir, name);
  const width = 400;
  const height = 300;
  const band = () => new Uint8Array(width * height).fill(120);
  writeGeoTiff(file, { width, height, bands: [band(), band(), band()], geoTransform: [x, pixel, 0, y, 0, -pixel], srs: 4326 });
  return file;
}

const problemOf = async (...args: Parameters<typeof inspectUploadedRaster>) => {
  const result = await inspectUploadedRaster(...args);
  return 'problem' in result ? result.problem : '';
};

describe('upload refusals name the real cause', () => {
  it('a complex (CInt16) surface model is refused for its pixel type, not as truncated or corrupt', async () => {
    const real = writeSurfaceModel(path.join(dir, 'dsm.tif'));
    const complex = path.join(dir, 'dsm-cint16.tif');
    execFileSync('gdal_translate', ['-q', '-ot', 'CInt16', real, complex]);
    const problem = await problemOf('surface_model', complex);
    expect(problem).toContain('complex numbers (CInt16)');
    expect(problem).not.toMatch(/truncated|corrupt/);
  });

  it('a file labelled WGS 84 holding projected metres is told so, not to reproject to WGS 84', async () => {
    const problem = await problemOf('orthophoto', orthophotoInDegrees('metres-as-degrees.tif', 350_000, 3_450_000, 0.1));
    expect(problem).toMatch(/labelled in degrees .* look like metres of a projected system/);
    expect(problem).toContain('x 350000, y 3450000');
    expect(problem).not.toContain('Reproject it to');
  });

  it('a file labelled WGS 84 with latitude and longitude swapped is told so', async () => {
    const problem = await problemOf('orthophoto', orthophotoInDegrees('swapped.tif', 31.2, 121.5, 0.000001));
    expect(problem).toContain('latitude and longitude look swapped');
    expect(problem).not.toContain('Reproject it to');
  });

  it('a good file in degrees still passes', async () => {
    const result = await inspectUploadedRaster('orthophoto', orthophotoInDegrees('good-degrees.tif', 121.4, 31.2, 0.000001));
    expect('raster' in result).toBe(true);
  });
});

describe('cli ingest --captured-at', () => {
  async function ingest(args: string[]): Promise<{ code: number; err: string }> {
    const errors: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.map(String).join(' ')));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      return { code: await runIngestCommand(args), err: errors.join('\n') };
    } finally {
      error.mockRestore();
      log.mockRestore();
    }
  }

  it('refuses a day that does not exist with a sentence, and queues nothing', async () => {
    const ortho = writeOrthophoto(path.join(dir, 'ortho.tif'));
    for (const [capturedAt, says] of [
      ['2026-11-00', 'not a date and time with its offset'],
      ['2026-11-00T10:00:00+08:00', '2026-11-00 is not a day of the calendar'],
      ['2026-02-30T10:00:00+08:00', '2026-02-30 is not a day of the calendar'],
      ['0000-01-01T00:00:00Z', '0000-01-01 is not a day of the calendar'],
      ['2026-11-01T25:00:00+08:00', 'is not a time of day'],
      ['2026-11-01T10:00:00+25:00', 'is not a UTC offset'],
    ] as const) {
      const result = await ingest([ortho, '--captured-at', capturedAt]);
      expect(result.code, capturedAt).toBe(2);
      expect(result.err).toContain(says);
      expect(result.err).not.toMatch(/\n\s+at |error:|date\/time field/);
    }
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM flight`);
    expect(rows[0].n).toBe(0);
  });
});
