/**
 * The stages of a flight, in order, and how much of a flight's processing each one is: the
 * overall progress the API shows is the finished stages' weights plus the running stage's share.
 */
export const FLIGHT_STAGES = ['ingest', 'coregister', 'plan', 'detect', 'vectorise', 'raise', 'confirm'] as const;
export type FlightStage = (typeof FLIGHT_STAGES)[number];

const WEIGHTS: Record<FlightStage, number> = { ingest: 15, coregister: 5, plan: 2, detect: 55, vectorise: 10, raise: 10, confirm: 3 };
const TOTAL = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);

export function isFlightStage(name: string): name is FlightStage {
  return (FLIGHT_STAGES as readonly string[]).includes(name);
}

/** Overall progress 0..1 of a flight whose `stage` is `fraction` done. */
export function overallProgress(stage: FlightStage, fraction: number): number {
  const before = FLIGHT_STAGES.slice(0, FLIGHT_STAGES.indexOf(stage)).reduce((sum, s) => sum + WEIGHTS[s], 0);
  return (before + WEIGHTS[stage] * Math.max(0, Math.min(1, fraction))) / TOTAL;
}
