/**
 * Test helper: what a test of the flight worker runs it with, against the real database, Redis and
 * model: the test database's pool (emptied before the file's tests), a temporary folder holding the
 * raster store, a queue prefix of the file's own, a Redis connection and the served detectors; all
 * given back after the file's tests (the queue's keys deleted, the folder removed).
 * Call it at a test file's top level: it registers the file's beforeAll and afterAll.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '../../config.js';
import { servedDetectors } from '../../model/served-detectors.js';
import { tempDir } from '../../stages/testing/flight-files.js';
import { createRedisConnection } from '../redis-connection.js';
import { deleteKeysUnder } from './redis-keys.js';

/** `name` names the temporary folder and the queue prefix; `config` is laid over the loaded configuration. */
export function flightWorkerParts(name: string, config: Partial<PipelineConfig> = {}) {
  const pool = createTestPool();
  const dir = tempDir(name);
  const full: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'store'), queuePrefix: `lingwei-test-${name}-${process.pid}`, ...config };
  const connection = createRedisConnection(full.redisUrl);
  const detectors = servedDetectors({ threads: 1 });
  beforeAll(() => emptyTables(pool));
  afterAll(async () => {
    await detectors.close();
    await deleteKeysUnder(connection, full.queuePrefix);
    connection.disconnect();
    await pool.end();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { pool, dir, config: full, connection, detectors };
}
