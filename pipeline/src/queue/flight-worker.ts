/**
 * The worker side of the flight flow: runs each stage job, mirrors progress into the flight row
 * (which the API reads), and turns a rejected upload into a failed flight with its reason.
 * Transient faults (PostgreSQL or Redis restarting) throw ordinary errors, which BullMQ retries
 * with backoff; a worker killed mid-job leaves a stalled job that another worker picks up.
 */
import { DelayedError, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { getFlight, markFlightFailed, setFlightProgress, setFlightStatus } from '#db/sql/flights.js';
import type { PipelineConfig } from '../config.js';
import type { HeldDetector, ServedDetectors } from '../model/served-detectors.js';
import { inCallOrder } from '../in-call-order.js';
import { FLIGHT_FILES, flightPath, mediumOf, removeFlightFiles } from '../raster-store.js';
import { removeAllCogOverviews } from '../stages/cog-sources.js';
import { COG_STAGE, FlightRejectedError, isFlightStage, StageNotReadyError, type FlightStage, type StageContext, type StageRunner } from '../stages/stage.js';
import { FLIGHT_QUEUE, flightOfJobId, type FlightJobData } from './flight-flow.js';
import { reportStageProgress } from './flight-progress.js';

export interface FlightWorkerOptions {
  pool: pg.Pool;
  connection: Redis;
  config: PipelineConfig;
  stages: Record<FlightStage, StageRunner>;
  /**
   * The process's change detectors by model version (model/served-detectors.ts): a job holds each
   * version it asks for until it ends, so no promotion closes the sessions it is running on.
   */
  detectors: Pick<ServedDetectors, 'hold'>;
  /** How long a job's lock lasts without renewal; a killed worker's job moves to another worker 1 to 1.5 times this after. Default 30 s. */
  lockDurationMs?: number;
}

/**
 * How often a worker looks for jobs whose worker died: half the lock, so a killed worker's job
 * moves to another within 1.5 x the lock (BullMQ's fixed 30 s check made a 10 s lock take a
 * minute: a job is marked at one check and moved at a later one once its lock has expired).
 */
export function stalledCheckIntervalMs(lockDurationMs: number): number {
  return Math.max(500, Math.floor(lockDurationMs / 2));
}

/** How long a job whose stage is not ready (StageNotReadyError) waits before it is taken again. */
const NOT_READY_WAIT_MS = 2_000;

export interface JobProgress {
  stage: FlightStage;
  /** Overall progress of the flight, 0..1. */
  overall: number;
}

export function createFlightWorker(options: FlightWorkerOptions): Worker<FlightJobData> {
  const { pool, connection, config, stages, detectors, lockDurationMs = 30_000 } = options;
  const worker = new Worker<FlightJobData>(
    FLIGHT_QUEUE,
    async (job: Job<FlightJobData>, token?: string) => {
      if (!isFlightStage(job.name)) throw new UnrecoverableError(`unknown stage ${job.name}`);
      const stage = job.name;
      const { flightId } = job.data;
      // A job left in Redis for a flight row that no longer exists (a database restored or reset)
      // must not act on whichever flight now has that id.
      const named = job.id ? flightOfJobId(job.id) : null;
      const flight = await getFlight(pool, flightId);
      if (!flight || (named && named.createdAtMs !== flight.created_at.getTime())) {
        throw new UnrecoverableError(`job ${job.id} belongs to a flight that no longer exists`);
      }
      const progress = inCallOrder(async (fraction: number) => {
        const overall = await reportStageProgress(connection, config.queuePrefix, { id: flightId, createdAtMs: flight.created_at.getTime() }, stage, fraction);
        await job.updateProgress({ stage, overall } satisfies JobProgress);
        await setFlightProgress(pool, flightId, stage, overall);
      });
      // The COG job reports from its first write on, not when taken: it may be put back to wait
      // for ingest's verdict (StageNotReadyError), and the flight row then keeps showing ingest.
      if (stage !== COG_STAGE) await progress(0);
      const held: HeldDetector[] = [];
      const changeDetector: StageContext['changeDetector'] = async (version) => {
        const one = await detectors.hold(version);
        held.push(one);
        return one.detector;
      };
      try {
        await stages[stage]({ pool, config, progress, changeDetector }, flightId);
      } catch (error) {
        if (error instanceof FlightRejectedError) {
          await markFlightFailed(pool, flightId, error.message);
          throw new UnrecoverableError(error.message);
        }
        if (error instanceof StageNotReadyError) {
          await job.moveToDelayed(Date.now() + NOT_READY_WAIT_MS, token);
          throw new DelayedError();
        }
        throw error;
      } finally {
        for (const one of held) one.release();
      }
      await progress(1);
      if (stage === job.data.lastStage) {
        // Every job of the flight has ended (the last stage runs after both branches), so nothing
        // reads ingest's overviews any more: an ingest that ran again after the COG job had copied
        // and deleted them (retried after its verdict was recorded, or a killed worker's ingest
        // taken over) made them anew for no one (stages/cog-sources.ts).
        removeLeftoverCogOverviews(config.rasterStore, flightId);
        await setFlightStatus(pool, flightId, 'done');
      }
    },
    {
      connection, prefix: config.queuePrefix, concurrency: config.concurrency, autorun: true,
      lockDuration: lockDurationMs, stalledInterval: stalledCheckIntervalMs(lockDurationMs),
    },
  );
  // A job's final failure, whoever saw it: retries exhausted, unrecoverable, or stalled too often
  // (a killed worker; BullMQ then fails the job in Redis without any worker's 'failed' event).
  // Every worker listens; recording is conditional, so the first reason stands.
  const eventsConnection = connection.duplicate();
  const events = new QueueEvents(FLIGHT_QUEUE, { connection: eventsConnection, prefix: config.queuePrefix });
  events.on('failed', ({ jobId, failedReason }) => {
    const job = flightOfJobId(jobId);
    if (!job) return;
    recordFailure(job.flightId, job.createdAtMs, `Processing stopped at the ${job.stage} stage: ${failedReason}`)
      .catch((e: unknown) => console.error('[worker] could not record the failure', e));
  });
  // Only on the flight the job was made for: a stale job of a flight that no longer exists fails
  // (see above), and so does the chain of stages above it ("child ... failed"), whose ids name
  // the same old flight; none of it may fail whichever flight now has that id.
  // A flight that failed for good keeps no files: its uploads and half-made COGs would otherwise
  // fill the store until someone cleans by hand (an operator uploads a corrected file anyway).
  const recordFailure = async (flightId: string, createdAtMs: number, reason: string) => {
    const flight = await getFlight(pool, flightId);
    if (!flight || flight.created_at.getTime() !== createdAtMs) return;
    await markFlightFailed(pool, flightId, reason);
    if ((await getFlight(pool, flightId))?.status === 'failed') removeFlightFiles(config.rasterStore, flightId);
  };
  // BullMQ leaves a connection it was given open: the duplicate is ours to close, or it keeps the
  // process alive after the worker.
  worker.on('closed', () => void events.close().finally(() => eventsConnection.disconnect()));
  return worker;
}

/** Removes ingest's overviews of both uploads left in a flight's folder (a directory store's). */
function removeLeftoverCogOverviews(store: string, flightId: string): void {
  if (mediumOf(store).virtual) return;
  const anyFlightFile = flightPath(store, flightId, FLIGHT_FILES.orthophotoCog);
  for (const role of ['orthophoto', 'surface_model'] as const) removeAllCogOverviews(role, anyFlightFile, ['partial', 'whole', 'claimed']);
}
