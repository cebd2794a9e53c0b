/**
 * The bundled fixture scene through the real pipeline, for tests that need a flight taken all the
 * way to candidates: a flight worker in this process, on the caller's queue prefix and raster store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { PipelineConfig } from '../config.js';
import { takeInFlight } from '../flight-intake.js';
import { flightDone } from '../flight-settled.js';
import { loadScene } from '../import/load-scene.js';
import { servedDetectors } from '../model/served-detectors.js';
import { createFlightWorker } from '../queue/flight-worker.js';
import { createRedisConnection } from '../queue/redis-connection.js';
import { deleteKeysUnder } from '../queue/testing/redis-keys.js';
import { FLIGHT_STAGE_RUNNERS } from '../stages/index.js';

const SCENE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'scene');

/**
 * Loads the fixture scene and runs its two flights (spring reference, autumn patrol) through the
 * real pipeline with a worker in this process; returns the patrol flight's id. `firstPatrol`: the
 * autumn flight alone, an area's first patrol (no earlier flight to compare with);
 * `afterSurfaceModel`: another file in place of the autumn surface model.
 */
export async function runScene(pool: pg.Pool, config: PipelineConfig, o: { firstPatrol?: boolean; afterSurfaceModel?: string } = {}): Promise<string> {
  await loadScene(pool, SCENE);
  const connection = createRedisConnection(config.redisUrl);
  const detectors = servedDetectors({ threads: config.modelThreads });
  const worker = createFlightWorker({
    pool, connection, config, stages: FLIGHT_STAGE_RUNNERS,
    detectors,
  });
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(SCENE, 'scene.json'), 'utf8')) as { dates: Record<'before' | 'after', string>; flight_time_local: Record<'before' | 'after', string> };
    const at = (which: 'before' | 'after') => `${manifest.dates[which]}T${manifest.flight_time_local[which]}:00+08:00`;
    const file = (name: string) => path.join(SCENE, name);
    if (!o.firstPatrol) {
      const before = await takeInFlight(pool, config, { orthophoto: file('before_ortho.tif'), surfaceModel: file('before_dsm.tif'), capturedAt: at('before'), purpose: 'reference' });
      await flightDone(pool, before.flightId);
    }
    const after = await takeInFlight(pool, config, { orthophoto: file('after_ortho.tif'), surfaceModel: o.afterSurfaceModel ?? file('after_dsm.tif'), capturedAt: at('after') });
    await flightDone(pool, after.flightId);
    return after.flightId;
  } finally {
    await worker.close();
    await detectors.close();
    // The flights' jobs are done: leave nothing of this run's queue prefix in Redis.
    await deleteKeysUnder(connection, config.queuePrefix);
    connection.disconnect();
  }
}

/** A flight worker in this process on the config's queue, for flights made while a test runs (uploads). */
export function startFlightWorker(pool: pg.Pool, config: PipelineConfig): { close: () => Promise<void> } {
  const connection = createRedisConnection(config.redisUrl);
  const detectors = servedDetectors({ threads: config.modelThreads });
  const worker = createFlightWorker({
    pool, connection, config, stages: FLIGHT_STAGE_RUNNERS,
    detectors,
  });
  return { close: async () => { await worker.close(); await detectors.close(); connection.disconnect(); } };
}


