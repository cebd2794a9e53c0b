/**
 * Each stage's own progress of a flight, kept in one Redis hash per flight, so that whichever job
 * reports (a chain stage or the COG job beside it, on any worker) computes the flight's overall
 * progress from both branches (stages/stage.ts overallProgress) instead of from its own stage's
 * place alone. The flight row takes the greater of what it holds and what is reported
 * (db/sql/flights.ts setFlightProgress), so two reports computed at once cannot make it fall back.
 */
import type { Redis } from 'ioredis';
import { isFlightStage, overallProgress, type FlightStage } from '../stages/stage.js';

/** How long a flight's stage progress is kept after its last report: a flight's flow ends well within it. */
const KEPT_S = 30 * 24 * 3600;

/** The hash of one flight, named after its id and creation time as its jobs are (queue/flight-flow.ts). */
function progressKey(prefix: string, flightId: string, createdAtMs: number): string {
  return `${prefix}:flight-progress:${flightId}-${createdAtMs}`;
}

/**
 * Records that `stage` of the flight is `fraction` done and returns the flight's overall progress
 * from every stage's latest report, in one round trip (MULTI).
 */
export async function reportStageProgress(connection: Redis, prefix: string, flight: { id: string; createdAtMs: number }, stage: FlightStage, fraction: number): Promise<number> {
  const key = progressKey(prefix, flight.id, flight.createdAtMs);
  const replies = await connection.multi().hset(key, stage, String(fraction)).expire(key, KEPT_S).hgetall(key).exec();
  const [error, all] = replies?.[2] ?? [new Error('the progress transaction was discarded'), null];
  if (error) throw error;
  const fractions: Partial<Record<FlightStage, number>> = {};
  for (const [name, value] of Object.entries(all as Record<string, string>)) if (isFlightStage(name)) fractions[name] = Number(value);
  return overallProgress(fractions);
}
