/** Every stage of a flight, by name: what the worker runs for each job of the flight flow. */
import type { FlightStage, StageRunner } from './stage.js';
import { confirmDemolitions } from './confirm-demolitions.js';
import { writeFlightCogs } from './cog.js';
import { coregisterFlight } from './coregister.js';
import { detectFlight } from './detect.js';
import { ingestFlight } from './ingest.js';
import { planFlight } from './plan.js';
import { raiseFlightCandidates } from './raise.js';
import { vectoriseFlight } from './vectorise.js';

export const FLIGHT_STAGE_RUNNERS: Record<FlightStage, StageRunner> = {
  ingest: ingestFlight,
  coregister: coregisterFlight,
  plan: planFlight,
  detect: detectFlight,
  vectorise: (ctx, flightId) => vectoriseFlight(ctx, flightId),
  raise: raiseFlightCandidates,
  cog: writeFlightCogs,
  confirm: confirmDemolitions,
};
