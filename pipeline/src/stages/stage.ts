/**
 * The stage contract: the stages of a flight in order, what every stage is given, what it is (a
 * StageRunner), and the error that ends a flight for good. The queue (queue/flight-worker.ts) runs
 * stages through this contract; stages never import the queue.
 */
import type pg from 'pg';
import type { PipelineConfig } from '../config.js';
import type { ChangeDetector } from '../model/index.js';

/**
 * The stages of a flight, in the order a worker that runs one job at a time takes them, and how
 * much of a flight's processing each one is: the overall progress the API shows is the finished
 * stages' weights plus the running stage's share. All but `cog` are a chain, each starting when
 * the one before it has completed (FLIGHT_CHAIN); `cog`, the full-resolution COGs, waits for
 * nothing and is queued behind the chain (queue/flight-flow.ts), so candidates never wait for it.
 */
export const FLIGHT_STAGES = ['ingest', 'coregister', 'plan', 'detect', 'vectorise', 'raise', 'cog', 'confirm'] as const;
export type FlightStage = (typeof FLIGHT_STAGES)[number];
/** The job of a flight's full-resolution COGs (stages/cog.ts), beside the chain. */
export const COG_STAGE = 'cog' satisfies FlightStage;
/** The stages that run one after the other. */
export const FLIGHT_CHAIN: readonly FlightStage[] = FLIGHT_STAGES.filter((stage) => stage !== COG_STAGE);

const WEIGHTS: Record<FlightStage, number> = { ingest: 8, coregister: 4, plan: 2, detect: 45, vectorise: 8, raise: 8, cog: 22, confirm: 3 };
const TOTAL = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);

export function isFlightStage(name: string): name is FlightStage {
  return (FLIGHT_STAGES as readonly string[]).includes(name);
}

/**
 * Overall progress 0..1 of a flight from each stage's own progress (0..1; a stage not begun is 0,
 * a finished one 1): the sum of the stages' weighted shares. The chain and the COG job run side by
 * side, so each adds its share and neither takes back the other's (a COG job reporting its own
 * stage's place after `raise` made the flight's progress fall back when detection reported next).
 */
export function overallProgress(fractions: Partial<Record<FlightStage, number>>): number {
  const done = FLIGHT_STAGES.reduce((sum, stage) => sum + WEIGHTS[stage] * Math.max(0, Math.min(1, fractions[stage] ?? 0)), 0);
  return done / TOTAL;
}

/** What every stage is given. */
export interface StageContext {
  pool: pg.Pool;
  config: PipelineConfig;
  /** Reports the stage's own progress, 0..1 (to the job and to the flight row). */
  progress(fraction: number): Promise<void>;
  /**
   * The worker's change detector of a model-store version (its ONNX sessions loaded once per
   * process; model/served-detectors.ts): the version a flight's detection run recorded, or, when
   * none is given, the version served now.
   */
  changeDetector(version?: string): Promise<ChangeDetector>;
}

/** One stage's work on one flight: the worker runs it as one job of the flight's flow. */
export type StageRunner = (ctx: StageContext, flightId: string) => Promise<unknown>;

/**
 * The flight cannot be processed as uploaded (bad file, no georeference...). The message is shown
 * to the operator as the flight's failure reason; retrying would not help, so the queue does not.
 */
export class FlightRejectedError extends Error {
  override name = 'FlightRejectedError';
}

/**
 * What the stage needs another job of the flight to have done first has not been done yet (the
 * COG job before ingest has accepted the uploads). The queue puts the job back for a few seconds
 * without counting an attempt; nothing of the flight is changed.
 */
export class StageNotReadyError extends Error {
  override name = 'StageNotReadyError';
}
