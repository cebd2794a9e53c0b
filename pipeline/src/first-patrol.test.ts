/**
 * An area's first patrol through the real pipeline and services: the fixture scene's autumn flight
 * taken in with no earlier flight (its orthophoto and surface model, the baseline in PostGIS). The
 * surface-model-only network serves it (ChangeDetector.networkFor: heights and no earlier
 * orthophoto), the run records that network, and raise calibrates its candidates with that
 * network's map, not the main network's. A surface model with holes over more than
 * FIRST_PATROL_HOLES of the orthophoto leaves the flight, all of it, to the main network.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { latestDetectionRun } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from './config.js';
import gdal from './gdal.js';
import { calibrateScore } from './model/calibration.js';
import { FIRST_PATROL_HOLES, loadModelSpec } from './model/index.js';
import { writeGeoTiff } from './raster/index.js';
import { tempDir } from './stages/testing/flight-files.js';
import { surfaceModelUncovered } from './stages/flight-inputs.js';
import { loadFlightRasters } from './stages/flight-rasters.js';
import type { DetectionPlan } from './stages/plan.js';
import { runScene } from './testing/run-scene.js';

const SCENE = path.resolve(import.meta.dirname, '../../fixtures/scene');

/** The scene's autumn surface model with its western `share` of columns turned to nodata. */
function holedSurfaceModel(share: number): string {
  const source = gdal.open(path.join(SCENE, 'after_dsm.tif'));
  try {
    const band = source.bands.get(1);
    const { x: width, y: height } = source.rasterSize;
    const data = band.pixels.read(0, 0, width, height, undefined, { data_type: gdal.GDT_Float32 }) as Float32Array;
    const nodata = band.noDataValue!;
    for (let r = 0; r < height; r++) for (let c = 0; c < Math.round(share * width); c++) data[r * width + c] = nodata;
    const file = path.join(dir, `after_dsm-holed-${share}.tif`);
    writeGeoTiff(file, { width, height, bands: [data], geoTransform: source.geoTransform! as [number, number, number, number, number, number], srs: source.srs!.toWKT(), nodata });
    return file;
  } finally {
    source.close();
  }
}

const pool = createTestPool();
const dir = tempDir('first-patrol');
const config: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'store'), queuePrefix: `lingwei-test-first-patrol-${process.pid}` };

afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a first patrol (no earlier flight)', () => {
  it('is served by the surface-model-only network, and its candidates carry that network\'s calibrated score', async () => {
    await emptyTables(pool);
    const flightId = await runScene(pool, config, { firstPatrol: true });
    const run = (await latestDetectionRun(pool, flightId))!;
    expect(run.params).toMatchObject({ network: 'surface_only' });
    expect(await surfaceModelUncovered(await loadFlightRasters(pool, flightId), (run.params as unknown as DetectionPlan).grid)).toBeLessThan(FIRST_PATROL_HOLES);
    const { rows } = await pool.query<{ score: number; triage: { rawScore: number; calibration: string | null } }>(
      `SELECT score, triage FROM candidate WHERE first_flight_id = $1`, [flightId]);
    // The fixture's new structures stand on ground the baseline leaves empty: some are raised.
    expect(rows.length).toBeGreaterThan(0);
    const map = loadModelSpec().calibration?.surface_only;
    expect(map).toBeDefined();
    for (const r of rows) {
      expect(r.triage.calibration).toBe('surface_only');
      expect(r.score).toBeCloseTo(calibrateScore(r.triage.rawScore, map!), 5);
    }
  }, 300_000);

  it('goes to the main network as a whole flight when its surface model leaves more than FIRST_PATROL_HOLES of the orthophoto without heights', async () => {
    await emptyTables(pool);
    const flightId = await runScene(pool, config, { firstPatrol: true, afterSurfaceModel: holedSurfaceModel(FIRST_PATROL_HOLES * 4) });
    const run = (await latestDetectionRun(pool, flightId))!;
    expect(run.params).toMatchObject({ network: 'main' });
    // Measured once over the whole flight: the tenth turned to nodata, and the scene's water (1.1%).
    const uncovered = await surfaceModelUncovered(await loadFlightRasters(pool, flightId), (run.params as unknown as DetectionPlan).grid);
    expect(uncovered).toBeGreaterThan(0.095);
    expect(uncovered).toBeLessThan(0.125);
    const { rows } = await pool.query<{ calibration: string | null }>(`SELECT triage->>'calibration' AS calibration FROM candidate WHERE first_flight_id = $1`, [flightId]);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.calibration))).toEqual(new Set(['main']));
  }, 300_000);
});
