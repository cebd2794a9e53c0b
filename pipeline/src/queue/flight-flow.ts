/**
 * One BullMQ flow per flight: the stages as a chain of parent/child jobs, so each starts only
 * when the one before it has completed, and a flight's jobs can run on any worker. The COG job
 * (stages/cog.ts) is a second child of the last stage: it needs nothing but the uploads, and
 * a lower priority puts it behind every job of the chain that is ready, so that a worker runs it
 * beside or after detection, never before; the flight is done when both branches are. Job ids are
 * derived from the flight (its id and creation time, so that a database restored from a backup
 * cannot collide with jobs Redis still remembers), so queueing the same flight twice adds nothing.
 */
import { FlowProducer, type FlowJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { COG_STAGE, FLIGHT_CHAIN, type FlightStage } from '../stages/stage.js';

export const FLIGHT_QUEUE = 'flights';

export interface FlightJobData {
  flightId: string;
  /** The flight's last stage: the flight is done when it completes. */
  lastStage: FlightStage;
}

/** Retries with backoff for transient faults (database or Redis restarting); a rejected upload is not retried. */
export const FLIGHT_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2_000 },
  failParentOnFailure: true,
  removeOnComplete: { age: 30 * 24 * 3600 },
  removeOnFail: { age: 90 * 24 * 3600 },
};

/**
 * The COG job's priority (BullMQ: jobs without one come first, then 1, 2...): behind every
 * chain job that is ready, so a worker that runs one job at a time takes it after the candidates.
 */
export const COG_JOB_PRIORITY = 10;

/** The flight as the queue knows it. */
export interface QueuedFlight {
  id: string;
  createdAt: Date;
}

export function flightJobId(flight: QueuedFlight, stage: string): string {
  return `flight-${flight.id}-${flight.createdAt.getTime()}-${stage}`;
}

/** The flight, its creation time (ms) and the stage a job id names, or null for another kind of job. */
export function flightOfJobId(jobId: string): { flightId: string; createdAtMs: number; stage: string } | null {
  const match = /^flight-(\d+)-(\d+)-([a-z]+)$/.exec(jobId);
  return match ? { flightId: match[1]!, createdAtMs: Number(match[2]), stage: match[3]! } : null;
}

/**
 * The chain as a flow tree: the last stage is the root, the first the deepest child, and the COG
 * job the root's second child. A reference flight (earlier imagery to compare with, not to
 * search) stops after `coregister`.
 */
export function flightFlow(flight: QueuedFlight, prefix: string, lastStage: FlightStage = 'confirm'): FlowJob {
  const data: FlightJobData = { flightId: flight.id, lastStage };
  const job = (stage: FlightStage, children: FlowJob[]): FlowJob => ({
    name: stage,
    queueName: FLIGHT_QUEUE,
    prefix,
    data,
    opts: { ...FLIGHT_JOB_OPTIONS, jobId: flightJobId(flight, stage), ...(stage === COG_STAGE ? { priority: COG_JOB_PRIORITY } : {}) },
    ...(children.length ? { children } : {}),
  });
  const chain = FLIGHT_CHAIN.slice(0, FLIGHT_CHAIN.indexOf(lastStage) + 1);
  let node: FlowJob | undefined;
  for (const [i, stage] of chain.entries()) {
    node = job(stage, [...(node ? [node] : []), ...(i === chain.length - 1 ? [job(COG_STAGE, [])] : [])]);
  }
  return node!;
}

export async function queueFlight(connection: Redis, prefix: string, flight: QueuedFlight, lastStage: FlightStage = 'confirm'): Promise<void> {
  const producer = new FlowProducer({ connection, prefix });
  try {
    await producer.add(flightFlow(flight, prefix, lastStage));
  } finally {
    await producer.close();
  }
}
