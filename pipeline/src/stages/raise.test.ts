/**
 * Calibrated confidence through the raise stage, on the test database: a detection's raw score
 * becomes the candidate's calibrated score by the sidecar's map of the network that served the
 * run, the raw score stays on the detection and in the triage, and the priority is weighted by it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '#db/connection.js';
import { replaceDetections } from '#db/sql/detections.js';
import { finishDetectionRun, latestDetectionRun, startDetectionRun } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { priorityOf } from '#domain/triage.js';
import { calibrateScore, type Calibration } from '../model/calibration.js';
import { loadModelSpec, type ChangeDetector } from '../model/index.js';
import { loadFlightRasters } from './flight-rasters.js';
import { ingestFlight } from './ingest.js';
import { raiseFlightCandidates } from './raise.js';
import type { StageContext } from './stage.js';
import { ORIGIN, registerUploads, tempDir, testStageContext, writeOrthophoto } from './testing/flight-files.js';

const pool = createTestPool();
const dir = tempDir('raise');
const store = path.join(dir, 'store');
afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emptyTables(pool));

const CALIBRATION: Calibration = { main: { x: [0.5, 0.9], y: [0.2, 0.6] }, surface_only: { x: [0.5, 0.9], y: [0.05, 0.1] } };

/** The stage context with a detector whose sidecar carries `calibration`, none without (raise reads only the sidecar). */
function contextWith(calibration: Calibration | undefined): StageContext {
  const spec = { ...loadModelSpec(), calibration: calibration ?? {} };
  return { ...testStageContext(pool, store), changeDetector: () => Promise.resolve({ spec } as unknown as ChangeDetector) };
}

/** An ingested 40 m x 30 m flight with one detected 10 m x 10 m new structure of raw score 0.7, served by `network`. */
async function flightWithDetection(network: string | null): Promise<string> {
  const flightId = await registerUploads(pool, { orthophoto: writeOrthophoto(path.join(dir, `ortho-${Date.now()}.tif`)) });
  await ingestFlight(testStageContext(pool, store), flightId);
  const rasters = await loadFlightRasters(pool, flightId);
  const runId = await startDetectionRun(pool, flightId, 'test', 'f'.repeat(64), { gsd: 0.5 }, 'shipped');
  await finishDetectionRun(pool, runId, { chipCount: 1, ...(network ? { network } : {}) });
  const { x, y } = ORIGIN;
  const square = [[x + 10, y - 10], [x + 20, y - 10], [x + 20, y - 20], [x + 10, y - 20], [x + 10, y - 10]];
  await inTransaction(pool, (client) =>
    replaceDetections(client, runId, rasters.proj, [{ kind: 'new', geometry: JSON.stringify({ type: 'Polygon', coordinates: [square] }), score: 0.7, heightGainM: 3, shape: 'rectangle' }]),
  );
  return flightId;
}

async function candidate() {
  const { rows } = await pool.query<{ score: number; priority: number; triage: { rawScore: number; calibration: string | null }; area: number; change_type: string }>(
    `SELECT score::float8 AS score, priority, triage, area_m2::float8 AS area, change_type FROM candidate`,
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('raiseFlightCandidates with a calibrated sidecar', () => {
  it("records the serving network on the run and raises the candidate with that network's calibrated score and priority", async () => {
    const flightId = await flightWithDetection('main');
    expect((await latestDetectionRun(pool, flightId))!.params).toMatchObject({ gsd: 0.5, network: 'main' });
    await raiseFlightCandidates(contextWith(CALIBRATION), flightId);
    const raised = await candidate();
    // 0.7 is half-way between the knots 0.5 and 0.9: 0.2 + 0.5 (0.6 - 0.2) = 0.4
    expect(calibrateScore(0.7, CALIBRATION.main)).toBeCloseTo(0.4, 6);
    expect(raised.score).toBeCloseTo(0.4, 5);
    expect(raised.triage.rawScore).toBeCloseTo(0.7, 5);
    expect(raised.triage.calibration).toBe('main');
    const notes = { zones: [], nearHistoric: [], reasons: [] };
    expect(raised.change_type).toBe('new_structure');
    const urgency = priorityOf({ changeType: 'new_structure', areaM2: raised.area, heightGainM: 3 }, notes);
    expect(raised.priority).toBe(priorityOf({ changeType: 'new_structure', areaM2: raised.area, heightGainM: 3, confidence: 0.4 }, notes));
    expect(raised.priority).toBe(Math.round(urgency * 0.7));
  });

  it("applies the shipped sidecar's own map", async () => {
    const shipped = loadModelSpec().calibration;
    expect(shipped?.main).toBeDefined();
    const flightId = await flightWithDetection('main');
    await raiseFlightCandidates(contextWith(shipped), flightId);
    const raised = await candidate();
    expect(raised.score).toBeCloseTo(calibrateScore(0.7, shipped!.main), 5);
    expect(raised.score).not.toBeCloseTo(0.7, 2);
  });

  it("uses the serving network's own map", async () => {
    const flightId = await flightWithDetection('surface_only');
    await raiseFlightCandidates(contextWith(CALIBRATION), flightId);
    expect((await candidate()).score).toBeCloseTo(0.075, 5);
  });

  it('keeps the raw score where the sidecar has no map for the network', async () => {
    const flightId = await flightWithDetection('main');
    await raiseFlightCandidates(contextWith(undefined), flightId);
    const raised = await candidate();
    expect(raised.score).toBeCloseTo(0.7, 5);
    expect(raised.triage.calibration).toBeNull();
  });

  it('calibrates a run that recorded no network (from before it was recorded) with the main network', async () => {
    const flightId = await flightWithDetection(null);
    await raiseFlightCandidates(contextWith(CALIBRATION), flightId);
    expect((await candidate()).score).toBeCloseTo(0.4, 5);
  });
});
