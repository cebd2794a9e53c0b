/**
 * An area's first patrol through the real pipeline and services: the fixture scene's autumn flight
 * taken in with no earlier flight (its orthophoto and surface model, the baseline in PostGIS). The
 * surface-model-only network serves it (ChangeDetector.networkFor: heights and no earlier
 * orthophoto), the run records that network, and raise calibrates its candidates with that
 * network's map, not the main network's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { latestDetectionRun } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from './config.js';
import { calibrateScore } from './model/calibration.js';
import { loadModelSpec } from './model/index.js';
import { tempDir } from './stages/testing/flight-files.js';
import { runScene } from './testing/run-scene.js';

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
});
