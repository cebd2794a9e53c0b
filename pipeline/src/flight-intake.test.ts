/** Taking in a flight against the real database and Redis: the same orthophoto twice at once. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from './config.js';
import { takeInFlight } from './flight-intake.js';
import { createRedisConnection } from './queue/redis-connection.js';
import { deleteKeysUnder } from './queue/testing/redis-keys.js';
import { tempDir } from './stages/testing/flight-files.js';

const pool = createTestPool();
const dir = tempDir('intake');
const config: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'store'), queuePrefix: `lingwei-test-intake-${process.pid}` };
const ORTHO = path.resolve(import.meta.dirname, '../../fixtures/scene/after_ortho.tif');

beforeEach(() => emptyTables(pool));
afterAll(async () => {
  const redis = createRedisConnection(config.redisUrl);
  await deleteKeysUnder(redis, config.queuePrefix);
  redis.disconnect();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('takeInFlight', () => {
  it('makes one flight of one orthophoto taken in twice at the same moment (two API instances); the other gets it as a duplicate', async () => {
    const upload = { orthophoto: ORTHO, capturedAt: '2026-10-15T10:00:00+08:00' };
    const both = await Promise.all([takeInFlight(pool, config, upload), takeInFlight(pool, config, upload)]);
    expect(both.map((t) => t.duplicate).sort()).toEqual([false, true]);
    expect(both[0]!.flightId).toBe(both[1]!.flightId);
    const { rows } = await pool.query(`SELECT count(*)::int AS flights, (SELECT count(*)::int FROM flight_asset) AS assets FROM flight`);
    expect(rows[0]).toEqual({ flights: 1, assets: 1 });
    // one flight folder in the store, not a second half-made one
    expect(fs.readdirSync(path.join(config.rasterStore, 'flights'))).toHaveLength(1);
  });

  it('takes the same orthophoto with another surface model as a new flight, the same pair again as a duplicate', async () => {
    const dsm = path.resolve(import.meta.dirname, '../../fixtures/scene/after_dsm.tif');
    const corrected = path.join(dir, 'corrected-dsm.tif');
    fs.copyFileSync(path.resolve(import.meta.dirname, '../../fixtures/scene/before_dsm.tif'), corrected);
    const at = { capturedAt: '2026-10-15T10:00:00+08:00' };
    const alone = await takeInFlight(pool, config, { orthophoto: ORTHO, ...at });
    const withDsm = await takeInFlight(pool, config, { orthophoto: ORTHO, surfaceModel: dsm, ...at });
    const again = await takeInFlight(pool, config, { orthophoto: ORTHO, surfaceModel: dsm, ...at });
    const fixed = await takeInFlight(pool, config, { orthophoto: ORTHO, surfaceModel: corrected, ...at });
    expect([alone.duplicate, withDsm.duplicate, again.duplicate, fixed.duplicate]).toEqual([false, false, true, false]);
    expect(again.flightId).toBe(withDsm.flightId);
    expect(new Set([alone.flightId, withDsm.flightId, fixed.flightId]).size).toBe(3);
  });
});
