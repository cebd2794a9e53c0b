/**
 * The steps a decision takes on the server, pure apart from the `send` it is given. Scheduling a
 * candidate that is not yet verified is two requests (verify, then schedule), each audited. When
 * the second one is refused, the first has already happened: the candidate is verified, with a
 * new version. PartlyDecided carries that state to the caller, so the queue does not keep the
 * stale version (and turn the reviewer's next action into a misleading 409) and undo can find it.
 */
import { ApiError, type ReviewRequest } from '../api/client.js';

export interface CandidateState { status: string; version: number }

/** Statuses a candidate can be scheduled from directly; any other is verified first. */
export const SCHEDULABLE: readonly string[] = ['verified', 'still_standing'];

/** The first step (verify) was done, the second was refused: `refusal` is that refusal. */
export class PartlyDecided extends Error {
  constructor(readonly done: CandidateState & { action: 'verify' }, readonly refusal: unknown) {
    super(refusal instanceof Error ? refusal.message : String(refusal));
    this.name = 'PartlyDecided';
  }
}

/** The refusal itself: what the server said about the step that failed. */
export const refusalOf = (error: unknown): unknown => (error instanceof PartlyDecided ? error.refusal : error);

/** Sends `request` at `version`, verifying first where scheduling needs it; the state it ends in. */
export async function sendInSteps(
  send: (request: ReviewRequest) => Promise<CandidateState>,
  status: string,
  version: number,
  request: Omit<ReviewRequest, 'version'>,
): Promise<CandidateState> {
  if (request.action !== 'schedule' || SCHEDULABLE.includes(status)) return pick(await send({ ...request, version }));
  const verified = pick(await send({ action: 'verify', version }));
  try {
    return pick(await send({ ...request, version: verified.version }));
  } catch (error) {
    throw new PartlyDecided({ action: 'verify', ...verified }, error);
  }
}

const pick = ({ status, version }: CandidateState): CandidateState => ({ status, version });

/** The fresh state a 409 carries, if the refusal is one. */
export function conflictState(error: unknown): CandidateState | null {
  const refusal = refusalOf(error);
  return refusal instanceof ApiError && refusal.status === 409 && refusal.problem.current ? refusal.problem.current : null;
}

/**
 * What the candidate is now, as far as a refused decision tells: the state a 409 reports (the
 * newest), else the state the completed first step left; null when nothing changed or is known.
 */
export function stateAfterRefusal(error: unknown): CandidateState | null {
  const fresh = conflictState(error);
  if (fresh) return fresh;
  return error instanceof PartlyDecided ? pick(error.done) : null;
}
