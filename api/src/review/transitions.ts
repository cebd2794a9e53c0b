/**
 * What a reviewer may do to a candidate in each status, and where it leads: the demolition
 * office's workflow from 疑似违建图斑 to 已拆除. Pure: the API checks every request against it
 * before touching the database, and the database write re-checks status and version atomically.
 */

export type ReviewAction = 'verify' | 'reject' | 'reopen' | 'schedule' | 'mark_demolished' | 'merge';
export type RejectReason = 'false_detection' | 'permitted_construction' | 'already_in_register' | 'not_a_structure' | 'other';

export const REJECT_REASONS: readonly RejectReason[] = ['false_detection', 'permitted_construction', 'already_in_register', 'not_a_structure', 'other'];

/** From which statuses each action may start, and the status it leads to. */
const TRANSITIONS: Record<ReviewAction, { from: readonly string[]; to: string }> = {
  // Set-aside candidates (permitted, in register, rejected before) can still be verified or rejected
  // by a reviewer who looks at them: triage advises, it does not decide.
  verify: { from: ['pending', 'permitted', 'in_register', 'previously_rejected', 'still_standing'], to: 'verified' },
  reject: { from: ['pending', 'permitted', 'in_register', 'previously_rejected', 'verified'], to: 'rejected' },
  reopen: { from: ['verified', 'rejected', 'scheduled', 'demolished', 'still_standing'], to: 'pending' },
  schedule: { from: ['verified', 'still_standing'], to: 'scheduled' },
  mark_demolished: { from: ['scheduled'], to: 'demolished' },
  // A duplicate (the same structure raised twice) is folded into another candidate; what is already
  // scheduled or demolished keeps its own record.
  merge: { from: ['pending', 'permitted', 'in_register', 'previously_rejected', 'verified', 'rejected', 'still_standing'], to: 'merged' },
};

export interface ReviewRequest {
  action: ReviewAction;
  /** The candidate version the reviewer saw: a stale one is refused (409). */
  version: number;
  reasonCode?: RejectReason;
  /** Required with reason "other"; optional note otherwise. */
  reasonText?: string;
  /** schedule: the date (YYYY-MM-DD) and the team. */
  scheduledFor?: string;
  team?: string;
  /** merge: the id of the candidate this one duplicates. */
  into?: string;
}

const DONE: Record<ReviewAction, string> = {
  verify: 'verified',
  reject: 'rejected',
  reopen: 'reopened',
  schedule: 'scheduled for demolition',
  mark_demolished: 'marked demolished',
  merge: 'merged into another',
};

export type Verdict = { ok: true; to: string } | { ok: false; problem: string };

/**
 * Whether `text` has anything a reader can see: a letter, digit, punctuation mark or symbol.
 * trim() leaves zero-width spaces, joiners, soft hyphens and word joiners, which look empty in
 * the audit trail yet passed as a reason.
 */
export function hasVisibleText(text: string | undefined): boolean {
  return text !== undefined && /[\p{L}\p{N}\p{P}\p{S}]/u.test(text);
}

export function judgeReview(status: string, request: ReviewRequest): Verdict {
  const transition = TRANSITIONS[request.action];
  if (!transition) return { ok: false, problem: `unknown action ${JSON.stringify(request.action)}` };
  if (!transition.from.includes(status)) return { ok: false, problem: `a ${status} candidate cannot be ${DONE[request.action]}` };
  if (request.action === 'reject') {
    if (!request.reasonCode || !REJECT_REASONS.includes(request.reasonCode)) return { ok: false, problem: `a rejection needs a reason code: ${REJECT_REASONS.join(', ')}` };
    if (request.reasonCode === 'other' && !hasVisibleText(request.reasonText)) return { ok: false, problem: 'a rejection for "other" reasons needs the reason in words' };
  }
  if (request.action === 'schedule') {
    if (!request.scheduledFor || !/^\d{4}-\d{2}-\d{2}$/.test(request.scheduledFor)) return { ok: false, problem: 'a schedule needs a date (YYYY-MM-DD)' };
    if (!hasVisibleText(request.team)) return { ok: false, problem: 'a schedule needs the demolition team' };
  }
  if (request.action === 'merge' && !request.into) return { ok: false, problem: 'a merge needs the id of the candidate it duplicates (into)' };
  return { ok: true, to: transition.to };
}
