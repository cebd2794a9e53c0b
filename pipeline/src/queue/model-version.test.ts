/**
 * Serving model versions (issue 19) through the real flight worker, Redis, database and ONNX
 * sessions: a worker left running picks up a promotion at its next flight, without a restart, and
 * every detection run records the version that served it; a rollback goes back just as well.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFlight } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '../config.js';
import { takeInFlight } from '../flight-intake.js';
import { servedDetectors } from '../model/served-detectors.js';
import { storeCopiedVersion } from '../model/testing/store-version.js';
import { recordPromotion, rollback, versionDir } from '../model-store.js';
import { FLIGHT_STAGE_RUNNERS } from '../stages/index.js';
import { ORIGIN, tempDir, writeOrthophoto } from '../stages/testing/flight-files.js';
import { createFlightWorker } from './flight-worker.js';
import { createRedisConnection } from './redis-connection.js';
import { deleteKeysUnder } from './testing/redis-keys.js';

const pool = createTestPool();
const dir = tempDir('model-version');
const store = path.join(dir, 'models');
const config: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'rasters'), queuePrefix: `lingwei-test-model-version-${process.pid}` };
const connection = createRedisConnection(config.redisUrl);
const saved = { store: process.env.MODEL_STORE, version: process.env.MODEL_VERSION };

beforeAll(async () => {
  await emptyTables(pool);
  process.env.MODEL_STORE = store;
  delete process.env.MODEL_VERSION; // vitest.config pins "shipped" for the other tests
});
afterAll(async () => {
  for (const [k, v] of [['MODEL_STORE', saved.store], ['MODEL_VERSION', saved.version]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await deleteKeysUnder(connection, config.queuePrefix);
  connection.disconnect();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

const runVersions = async (flightId: string) =>
  (await pool.query<{ model_version: string; model_sha256: string }>(`SELECT model_version, model_sha256 FROM detection_run WHERE flight_id = $1 ORDER BY id`, [flightId])).rows;

describe('a running worker and the promoted version', () => {
  it('detects the next flight with a version promoted after it started, records it, and goes back after a rollback', async () => {
    const detectors = servedDetectors({ threads: 1 });
    const worker = createFlightWorker({ pool, connection, config, stages: FLIGHT_STAGE_RUNNERS, detectors });
    // Each flight a different file (the same upload twice is the same flight).
    const fly = async (k: number) => {
      const orthophoto = writeOrthophoto(path.join(dir, `flight-${k}.tif`), 600, 500, 0.1, 20, { x: ORIGIN.x + k * 100, y: ORIGIN.y });
      const { flightId } = await takeInFlight(pool, config, { orthophoto, capturedAt: `2026-10-1${k}T10:00:00+08:00` });
      await expect.poll(async () => (await getFlight(pool, flightId))?.status, { timeout: 60_000, interval: 200 }).toBe('done');
      return flightId;
    };
    try {
      const first = await fly(1);
      expect((await runVersions(first)).map((r) => r.model_version)).toEqual(['shipped']);
      expect(detectors.open()).toEqual(['shipped']);
      expect(detectors.holders('shipped')).toBe(0); // each stage job let go of what it held

      storeCopiedVersion(store, 'office-1');
      recordPromotion(store, { version: 'office-1', forced: false, margin: 0.1 });
      const second = await fly(2);
      expect((await runVersions(second)).map((r) => r.model_version)).toEqual(['office-1']);
      // The same worker opened the promoted version's networks, from its folder in the store.
      expect(detectors.open().at(-1)).toBe('office-1');
      expect((await detectors.hold('office-1')).detector.spec as { dir?: string }).toMatchObject({ dir: versionDir(store, 'office-1') });
      // The earlier flight's run keeps the version that served it.
      expect((await runVersions(first)).map((r) => r.model_version)).toEqual(['shipped']);

      rollback(store);
      const third = await fly(3);
      expect((await runVersions(third)).map((r) => r.model_version)).toEqual(['shipped']);
    } finally {
      await worker.close();
      await detectors.close();
    }
  }, 240_000);
});
