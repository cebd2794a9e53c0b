/**
 * Sends a reviewer's decision. Scheduling a candidate that is not yet verified verifies it first
 * (the workflow needs both steps, each audited; see decision-steps.ts). A refusal comes back as
 * ApiError, or as PartlyDecided when the verify went through and the schedule was refused; a 409
 * is never retried with the fresh version: the reviewer must look again (explainRefusal says so).
 */
import { api, ApiError } from '../api/client.js';
import { t, tOf } from '../i18n/i18n.js';
import { conflictState, refusalOf, sendInSteps, type CandidateState } from './decision-steps.js';
import type { RejectChoice, ScheduleChoice } from './dialogs.js';

export { conflictState, PartlyDecided, stateAfterRefusal } from './decision-steps.js';

export type Decision =
  | { action: 'verify' }
  | ({ action: 'reject' } & RejectChoice)
  | ({ action: 'schedule' } & ScheduleChoice)
  | { action: 'reopen' }
  | { action: 'mark_demolished' };

export function decide(id: string, status: string, version: number, decision: Decision): Promise<CandidateState> {
  return sendInSteps((request) => api.review(id, request), status, version, decision);
}

/** A refusal in words the reviewer can act on. */
export function explainRefusal(id: string, error: unknown): { title: string; detail: string } {
  const fresh = conflictState(error);
  if (fresh) return { title: t('conflict.title'), detail: t('conflict.detail', { id, status: tOf('status', fresh.status), version: fresh.version }) };
  const refusal = refusalOf(error); // after a completed verify, the refused schedule is what to explain
  if (refusal instanceof ApiError) return { title: refusal.status === 422 ? t('invalid.title') : refusal.problem.title, detail: refusal.problem.detail ?? '' };
  return { title: t('common.error'), detail: refusal instanceof Error ? refusal.message : String(refusal) };
}
