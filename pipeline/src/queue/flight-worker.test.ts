/**
 * The worker against the real Redis and database: jobs left in Redis by a flight of an earlier
 * database (reset, restored, or a demo database made again) share its id with a flight of this
 * one, and must neither run on it nor fail it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createFlight, getFlight } from '#db/sql/flights.js';
import { emptyTables } from '#db/testing/test-database.js';
import { takeInFlight } from '../flight-intake.js';
import { FLIGHT_STAGE_RUNNERS } from '../stages/index.js';
import { writeOrthophoto } from '../stages/testing/flight-files.js';
import { FLIGHT_QUEUE, queueFlight } from './flight-flow.js';
import { createFlightWorker } from './flight-worker.js';
import { COG_STAGE, FLIGHT_STAGES, FlightRejectedError, type FlightStage, type StageRunner } from '../stages/stage.js';
import { flightWorkerParts } from './testing/flight-worker-parts.js';

const { pool, dir, config, connection, detectors } = flightWorkerParts('worker');

describe('the flight worker', () => {
  it('fails the jobs of a flight that no longer exists without touching the flight that now has its id', async () => {
    const earlier = await createFlight(pool, {});
    const { created_at: earlierCreated } = (await getFlight(pool, earlier))!;
    await queueFlight(connection, config.queuePrefix, { id: earlier, createdAt: earlierCreated });
    // The database is made again; its first flight gets the same id.
    await emptyTables(pool);
    const now = await createFlight(pool, {});
    expect(now).toBe(earlier);

    const worker = createFlightWorker({
      pool, connection, config, stages: FLIGHT_STAGE_RUNNERS, detectors,
    });
    const queue = new Queue(FLIGHT_QUEUE, { connection, prefix: config.queuePrefix });
    try {
      // Every stage of the old flow ends failed: the first two taken as "no longer exists", the others as their parents.
      await expect.poll(async () => (await queue.getJobCounts('failed')).failed, { timeout: 20_000 }).toBe(FLIGHT_STAGES.length);
      const counts = await queue.getJobCounts('waiting', 'waiting-children', 'active', 'delayed', 'completed');
      expect(counts).toEqual({ waiting: 0, 'waiting-children': 0, active: 0, delayed: 0, completed: 0 });
      // The failure events have been handled by now (each is one query); the new flight is untouched.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const flight = (await getFlight(pool, now))!;
      expect([flight.status, flight.failure_reason, flight.stage]).toEqual(['uploaded', null, null]);
    } finally {
      await queue.close();
      await worker.close();
    }
  });

  it('removes the files of a flight that failed for good: its upload and anything half-made', async () => {
    const good = writeOrthophoto(path.join(dir, 'good.tif'), 1200, 900);
    const corrupt = path.join(dir, 'corrupt.tif');
    fs.writeFileSync(corrupt, fs.readFileSync(good).subarray(0, 3000));
    const worker = createFlightWorker({
      pool, connection, config, stages: FLIGHT_STAGE_RUNNERS, detectors,
    });
    try {
      const { flightId } = await takeInFlight(pool, config, { orthophoto: corrupt });
      const folder = path.join(config.rasterStore, 'flights', flightId);
      expect(fs.existsSync(path.join(folder, 'upload-orthophoto.tif'))).toBe(true);
      await expect.poll(async () => (await getFlight(pool, flightId))?.status, { timeout: 20_000 }).toBe('failed');
      await expect.poll(() => fs.existsSync(folder), { timeout: 5_000 }).toBe(false);
      expect((await getFlight(pool, flightId))!.failure_reason).toMatch(/truncated or corrupt/);
    } finally {
      await worker.close();
    }
  });

  it('lets go of the model versions a stage job held, whether the stage ends or fails', async () => {
    const flightId = await createFlight(pool, {});
    const { created_at: createdAt } = (await getFlight(pool, flightId))!;
    const heldDuring: number[] = [];
    // Each stage of the chain holds the shipped networks as detect does; the third (plan) finds
    // the flight unusable. The COG job, taken beside the chain at a moment that varies, holds
    // nothing (counted, it made the calls before the failure three or four).
    const stage = (name: FlightStage): StageRunner => async (ctx) => {
      await ctx.changeDetector('shipped');
      heldDuring.push(detectors.holders('shipped'));
      if (name === 'plan') throw new FlightRejectedError('the upload cannot be read');
    };
    const stages = Object.fromEntries(FLIGHT_STAGES.map((s) => [s, s === COG_STAGE ? async () => undefined : stage(s)])) as Record<FlightStage, StageRunner>;
    const worker = createFlightWorker({ pool, connection, config, detectors, stages });
    try {
      await queueFlight(connection, config.queuePrefix, { id: flightId, createdAt });
      await expect.poll(async () => (await getFlight(pool, flightId))?.status, { timeout: 20_000 }).toBe('failed');
      expect(heldDuring).toEqual([1, 1, 1]);
      expect(detectors.holders('shipped')).toBe(0);
      expect(detectors.open()).toContain('shipped'); // released, and kept open for the next job
    } finally {
      await worker.close();
    }
  });
});
