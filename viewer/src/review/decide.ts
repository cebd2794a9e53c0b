/**
 * Sends a reviewer's decision. Scheduling a candidate that is not yet verified verifies it first
 * (the workflow needs both steps, each audited). A refusal comes back as ApiError; a 409 is never
 * retried with the fresh version: the reviewer must look again (explainRefusal says so).
 */
import { api, ApiError, type ReviewRequest } from '../api/client.js';
import { t, tOf } from '../i18n/i18n.js';
import type { RejectChoice, ScheduleChoice } from './dialogs.js';

export type Decision =
  | { action: 'verify' }
  | ({ action: 'reject' } & RejectChoice)
  | ({ action: 'schedule' } & ScheduleChoice)
  | { action: 'reopen' }
  | { action: 'mark_demolished' };

const SCHEDULABLE = ['verified', 'still_standing'];

export async function decide(id: string, status: string, version: number, decision: Decision): Promise<{ status: string; version: number }> {
  if (decision.action === 'schedule' && !SCHEDULABLE.includes(status)) {
    const verified = await api.review(id, { action: 'verify', version });
    version = verified.version;
  }
  const result = await api.review(id, { ...decision, version } as ReviewRequest);
  return { status: result.status, version: result.version };
}

/** The fresh state a 409 carries, if it is one. */
export function conflictState(error: unknown): { status: string; version: number } | null {
  return error instanceof ApiError && error.status === 409 && error.problem.current ? error.problem.current : null;
}

/** A refusal in words the reviewer can act on. */
export function explainRefusal(id: string, error: unknown): { title: string; detail: string } {
  const fresh = conflictState(error);
  if (fresh) return { title: t('conflict.title'), detail: t('conflict.detail', { id, status: tOf('status', fresh.status), version: fresh.version }) };
  if (error instanceof ApiError) return { title: error.status === 422 ? t('invalid.title') : error.problem.title, detail: error.problem.detail ?? '' };
  return { title: t('common.error'), detail: error instanceof Error ? error.message : String(error) };
}
