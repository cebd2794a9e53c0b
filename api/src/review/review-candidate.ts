/**
 * A reviewer's decision, end to end: the candidate must exist, the reviewer must have seen its
 * current version, the workflow must allow the step, and then the write is one atomic
 * compare-and-set. The outcome maps to HTTP: ok 200, not_found 404, conflict 409, invalid 422.
 */
import type pg from 'pg';
import { applyReview, candidateReviewState } from '#db/sql/reviews.js';
import { judgeReview, type ReviewRequest } from './transitions.js';

export type ReviewResult =
  | { outcome: 'ok'; status: string; version: number }
  | { outcome: 'not_found' }
  | { outcome: 'conflict'; current: { status: string; version: number } }
  | { outcome: 'invalid'; problem: string };

export async function reviewCandidate(pool: pg.Pool, candidateId: string, actorId: string, request: ReviewRequest): Promise<ReviewResult> {
  const current = await candidateReviewState(pool, candidateId);
  if (!current) return { outcome: 'not_found' };
  if (current.version !== request.version) return { outcome: 'conflict', current };
  const verdict = judgeReview(current.status, request);
  if (!verdict.ok) return { outcome: 'invalid', problem: verdict.problem };
  const written = await applyReview(pool, {
    candidateId,
    actorId,
    action: request.action,
    expectedVersion: request.version,
    fromStatus: current.status,
    toStatus: verdict.to,
    reasonCode: request.reasonCode ?? null,
    reasonText: request.reasonText ?? null,
    scheduledFor: request.scheduledFor ?? null,
    team: request.team ?? null,
    into: request.into ?? null,
  });
  if (!written.applied) {
    if ('refused' in written) return { outcome: 'invalid', problem: written.refused };
    return written.current ? { outcome: 'conflict', current: written.current } : { outcome: 'not_found' };
  }
  return { outcome: 'ok', status: verdict.to, version: written.version };
}
