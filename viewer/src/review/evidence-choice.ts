/**
 * Which observation's evidence chips the dossier shows: the newest with chips that saw the
 * candidate whole. A later flight that saw only a sliver of it (its outline under half the
 * candidate's) is kept in the history but would show the reviewer the wrong picture; its chips
 * are shown only when no other observation has any. And which flights the map shows as "after"
 * and "before": the candidate's last flight and the earlier flight the pipeline compared it with.
 */
import type { CandidateDetail, Observation } from '../api/client.js';

export function evidenceObservation(observations: readonly Observation[]): Observation | null {
  const newestFirst = [...observations].reverse().filter((o) => o.evidence_after);
  return newestFirst.find((o) => !o.sliver) ?? newestFirst[0] ?? null;
}

/**
 * The flights the map shows for a candidate: its last flight, and the earlier flight that flight's
 * detection compared with (the observation's before_flight_id, chosen by the pipeline with its
 * footprint test), never simply the newest flight flown before: that one may not cover the place.
 */
export function imageryFlights(detail: Pick<CandidateDetail, 'properties' | 'observations'>): { after: string | null; before: string | null } {
  const last = detail.properties.last_flight_id;
  if (last === null) return { after: null, before: null };
  const seen = detail.observations.find((o) => String(o.flight_id) === String(last));
  return { after: String(last), before: seen?.before_flight_id == null ? null : String(seen.before_flight_id) };
}
