/**
 * A flight's two branches side by side (the chain of stages and the COG job), on a worker that
 * runs two jobs at once, against the real Redis, BullMQ, PostgreSQL, GDAL and model: the flight's
 * progress never falls back whichever branch reports, the COG job waits for ingest's verdict, and
 * a done flight keeps none of ingest's overviews.
 * The real stages run; the only thing added is an order between two of them, so that the
 * interleaving the test is about happens every time instead of by chance.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { getFlight } from '#db/sql/flights.js';
import { writeGeoTiff } from '../raster/index.js';
import { takeInFlight } from '../flight-intake.js';
import { FLIGHT_STAGE_RUNNERS } from '../stages/index.js';
import { ORIGIN, writeOrthophoto, writeSurfaceModel } from '../stages/testing/flight-files.js';
import type { StageRunner } from '../stages/stage.js';
import { FLIGHT_QUEUE, flightJobId } from './flight-flow.js';
import { createFlightWorker } from './flight-worker.js';
import { flightWorkerParts } from './testing/flight-worker-parts.js';

const { pool, dir, config, connection, detectors } = flightWorkerParts('branches', { concurrency: 2 });

/** A promise and the function that settles it. */
function signal(): { done: Promise<void>; fire: () => void } {
  let fire = () => {};
  const done = new Promise<void>((resolve) => (fire = resolve));
  return { done, fire };
}

/** `runner` started only once `after` has fired. */
const after = (after: Promise<void>, runner: StageRunner): StageRunner => async (ctx, flightId) => {
  await after;
  return runner(ctx, flightId);
};

describe('the chain and the COG job side by side', () => {
  it("never takes the flight's progress back when the COG job reports before detection (it fell from 0.98 to 0.14)", async () => {
    // Detection starts only after the COG job has written the COGs: the COG job's reports come first.
    const cogWritten = signal();
    const stages = {
      ...FLIGHT_STAGE_RUNNERS,
      detect: after(cogWritten.done, FLIGHT_STAGE_RUNNERS.detect),
      cog: (async (ctx, flightId) => {
        const written = await FLIGHT_STAGE_RUNNERS.cog(ctx, flightId);
        cogWritten.fire();
        return written;
      }) satisfies StageRunner,
    };
    const worker = createFlightWorker({ pool, connection, config, stages, detectors });
    try {
      const { flightId } = await takeInFlight(pool, config, {
        orthophoto: writeOrthophoto(path.join(dir, 'o.tif'), 1200, 900),
        surfaceModel: writeSurfaceModel(path.join(dir, 'd.tif'), 600, 450),
      });
      const seen: number[] = [];
      const stagesSeen: string[] = [];
      for (let status = ''; status !== 'done';) {
        const flight = (await getFlight(pool, flightId))!;
        expect(flight.status).not.toBe('failed');
        status = flight.status;
        if (seen.at(-1) !== flight.progress) seen.push(flight.progress);
        if (flight.stage && stagesSeen.at(-1) !== flight.stage) stagesSeen.push(flight.stage);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const fallsBack = seen.slice(1).map((p, i) => [seen[i]!, p]).filter(([before, now]) => now! < before!);
      expect(fallsBack).toEqual([]);
      expect(seen.at(-1)).toBe(1);
      expect(seen.length).toBeGreaterThan(3);
      // The COG job, taken beside ingest and put back until ingest's verdict, does not show as the
      // flight's stage before co-registration has begun.
      expect(stagesSeen.indexOf('cog')).toBeGreaterThan(stagesSeen.indexOf('coregister'));
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('does not write the COGs of an upload that ingest then rejects, taken beside ingest (it wrote and recorded them)', async () => {
    // Ingest starts only after the COG job has been tried once: on a worker running two jobs at
    // once the COG job is taken at once, beside ingest.
    const cogTried = signal();
    const stages = {
      ...FLIGHT_STAGE_RUNNERS,
      ingest: after(cogTried.done, FLIGHT_STAGE_RUNNERS.ingest),
      cog: (async (ctx, flightId) => {
        try {
          return await FLIGHT_STAGE_RUNNERS.cog(ctx, flightId);
        } finally {
          cogTried.fire();
        }
      }) satisfies StageRunner,
    };
    // A surface model with impossible heights: ingest reads them all and rejects the flight.
    const [w, h] = [600, 450];
    const impossible = path.join(dir, 'impossible.tif');
    writeGeoTiff(impossible, { width: w, height: h, bands: [new Float32Array(w * h).map((_, i) => (i % 997 === 0 ? Number.POSITIVE_INFINITY : 4))], geoTransform: [ORIGIN.x, 0.2, 0, ORIGIN.y, 0, -0.2], srs: 4549 });
    const worker = createFlightWorker({ pool, connection, config, stages, detectors });
    const queue = new Queue(FLIGHT_QUEUE, { connection, prefix: config.queuePrefix });
    try {
      const { flightId } = await takeInFlight(pool, config, { orthophoto: writeOrthophoto(path.join(dir, 'o2.tif'), 1200, 900), surfaceModel: impossible });
      await expect.poll(async () => (await getFlight(pool, flightId))!.status, { timeout: 60_000 }).toBe('failed');
      const flight = (await getFlight(pool, flightId))!;
      expect(flight.failure_reason).toMatch(/impossible heights/);
      // The COG job ends failed too, having recorded nothing and left no file behind.
      const cogJobId = flightJobId({ id: flightId, createdAt: flight.created_at }, 'cog');
      await expect.poll(async () => (await Job.fromId(queue, cogJobId))?.getState(), { timeout: 30_000 }).toBe('failed');
      expect((await getFlight(pool, flightId))!.assets.filter((a) => a.role === 'cog')).toEqual([]);
      await expect.poll(() => fs.existsSync(path.join(config.rasterStore, 'flights', flightId)), { timeout: 5_000 }).toBe(false);
    } finally {
      await queue.close();
      await worker.close();
    }
  }, 120_000);

  it("leaves none of ingest's overviews once the flight is done, when ingest ran again after the COG job had used them (they stayed for good)", async () => {
    // Ingest's first attempt records its verdict and then fails as a lost connection would, so it
    // is retried; the retry runs once the COG job has copied and deleted the overviews, and makes
    // them again for a COG job that has already run (as a killed worker's ingest taken over does).
    const cogDone = signal();
    let ingestAttempts = 0;
    const stages = {
      ...FLIGHT_STAGE_RUNNERS,
      ingest: (async (ctx, flightId) => {
        ingestAttempts += 1;
        if (ingestAttempts > 1) return after(cogDone.done, FLIGHT_STAGE_RUNNERS.ingest)(ctx, flightId);
        await FLIGHT_STAGE_RUNNERS.ingest(ctx, flightId);
        throw new Error('Connection is closed.');
      }) satisfies StageRunner,
      cog: (async (ctx, flightId) => {
        const written = await FLIGHT_STAGE_RUNNERS.cog(ctx, flightId);
        cogDone.fire();
        return written;
      }) satisfies StageRunner,
    };
    const worker = createFlightWorker({ pool, connection, config, stages, detectors });
    try {
      // 10 cm: ingest makes the orthophoto's overviews.
      const { flightId } = await takeInFlight(pool, config, { orthophoto: writeOrthophoto(path.join(dir, 'o3.tif'), 1200, 900) });
      await expect.poll(async () => (await getFlight(pool, flightId))!.status, { timeout: 90_000 }).toBe('done');
      expect(ingestAttempts).toBe(2);
      expect(fs.readdirSync(path.join(config.rasterStore, 'flights', flightId)).filter((name) => name.includes('.overviews.'))).toEqual([]);
    } finally {
      await worker.close();
    }
  }, 120_000);
});
