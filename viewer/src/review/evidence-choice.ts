/**
 * Which observation's evidence chips the dossier shows: the newest with chips that saw the
 * candidate whole. A later flight that saw only a sliver of it (its outline under half the
 * candidate's) is kept in the history but would show the reviewer the wrong picture; its chips
 * are shown only when no other observation has any.
 */
import type { Observation } from '../api/client.js';

export function evidenceObservation(observations: readonly Observation[]): Observation | null {
  const newestFirst = [...observations].reverse().filter((o) => o.evidence_after);
  return newestFirst.find((o) => !o.sliver) ?? newestFirst[0] ?? null;
}
