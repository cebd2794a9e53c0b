/**
 * The words every side of Lingwei shares, declared once: what kind of change a candidate is, the
 * statuses a candidate, a register entry and a flight pass through, and the roles of the people
 * who use it. The database's CHECK constraints (db/migrations) hold the same lists; the pipeline,
 * the API and the viewer import them from here.
 */

/** What kind of change a detected piece is (domain/classify-change.ts decides). */
export type ChangeType = 'new_structure' | 'extension' | 'rooftop_addition' | 'added_floor' | 'demolished';

/** The status triage gives a new candidate (domain/triage.ts): the review queue, or set aside with a reason. */
export type TriageStatus = 'pending' | 'permitted' | 'in_register' | 'previously_rejected';

/** Every status of a candidate, from triage through review to a confirmed demolition (api/src/review/transitions.ts). */
export type CandidateStatus = TriageStatus | 'verified' | 'rejected'
  | 'scheduled' | 'demolished' | 'demolition_confirmed' | 'still_standing' | 'merged';

/** A stock-register entry: an illegal building recorded before, left standing for now, or gone. */
export type RegisterStatus = 'stock' | 'deferred' | 'demolished';

/** Where a flight is on its way from upload to candidates. */
export type FlightStatus = 'uploaded' | 'queued' | 'processing' | 'done' | 'failed';

/** What a user may do: upload flights, review candidates, assess villages, or everything. */
export type Role = 'operator' | 'reviewer' | 'assessor' | 'admin';
export const ROLES: readonly Role[] = ['operator', 'reviewer', 'assessor', 'admin'];
