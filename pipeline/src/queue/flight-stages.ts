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

/** Overall progress 0..1 of a flight whose `stage` is `fraction` done. */
export function overallProgress(stage: FlightStage, fraction: number): number {
  const before = FLIGHT_STAGES.slice(0, FLIGHT_STAGES.indexOf(stage)).reduce((sum, s) => sum + WEIGHTS[s], 0);
  return (before + WEIGHTS[stage] * Math.max(0, Math.min(1, fraction))) / TOTAL;
}
