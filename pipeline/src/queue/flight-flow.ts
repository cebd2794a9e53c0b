/**
 * One BullMQ flow per flight: the stages as a chain of parent/child jobs, so each starts only
 * when the one before it has completed, and a flight's jobs can run on any worker. Job ids are
 * derived from the flight (its id and creation time, so that a database restored from a backup
 * cannot collide with jobs Redis still remembers), so queueing the same flight twice adds nothing.
 */
import { FlowProducer, type FlowJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { FLIGHT_STAGES, type FlightStage } from '../stages/stage.js';

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
 * The chain as a flow tree: the last stage is the root, the first the deepest child. A reference
 * flight (earlier imagery to compare with, not to search) stops after `coregister`.
 */
export function flightFlow(flight: QueuedFlight, prefix: string, lastStage: FlightStage = 'confirm'): FlowJob {
  let node: FlowJob | undefined;
  for (const stage of FLIGHT_STAGES.slice(0, FLIGHT_STAGES.indexOf(lastStage) + 1)) {
    node = {
      name: stage,
      queueName: FLIGHT_QUEUE,
      prefix,
      data: { flightId: flight.id, lastStage } satisfies FlightJobData,
      opts: { ...FLIGHT_JOB_OPTIONS, jobId: flightJobId(flight, stage) },
      ...(node ? { children: [node] } : {}),
    };
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
