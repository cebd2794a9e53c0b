/**
 * SQL of the review family: a reviewer's decision on a candidate, applied only if the candidate
 * is still at the version the reviewer saw (optimistic concurrency), together with its audit row
 * and, for schedules, the schedule row: one transaction, so of reviewers racing on a candidate
 * exactly one wins and the trail holds exactly what happened.
 */
import type pg from 'pg';
import { inTransaction } from '../connection.js';

export interface ReviewWrite {
  candidateId: string;
  actorId: string;
  action: 'verify' | 'reject' | 'reopen' | 'schedule' | 'mark_demolished';
  expectedVersion: number;
  fromStatus: string;
  toStatus: string;
  reasonCode?: string | null;
  reasonText?: string | null;
  scheduledFor?: string | null;
  team?: string | null;
}

export type ReviewOutcome = { applied: true; version: number } | { applied: false; current: { status: string; version: number } | null };

export async function applyReview(pool: pg.Pool, write: ReviewWrite): Promise<ReviewOutcome> {
  return inTransaction(pool, async (client) => {
    // The compare-and-set: only the reviewer who saw the current version and status moves it.
    const { rows } = await client.query<{ version: number }>(
      `UPDATE candidate SET status = $4, version = version + 1, updated_at = now()
        WHERE id = $1 AND version = $2 AND status = $3 RETURNING version`,
      [write.candidateId, write.expectedVersion, write.fromStatus, write.toStatus],
    );
    if (!rows[0]) {
      const { rows: current } = await client.query<{ status: string; version: number }>(`SELECT status, version FROM candidate WHERE id = $1`, [write.candidateId]);
      return { applied: false, current: current[0] ?? null };
    }
    const version = rows[0].version;
    if (write.action === 'schedule') {
      await client.query(`INSERT INTO demolition_schedule (candidate_id, scheduled_for, team, created_by) VALUES ($1, $2, $3, $4)`,
        [write.candidateId, write.scheduledFor, write.team, write.actorId]);
    } else if (write.action === 'mark_demolished') {
      await client.query(`UPDATE demolition_schedule SET status = 'done', demolished_at = now() WHERE candidate_id = $1 AND status = 'scheduled'`, [write.candidateId]);
    } else if (write.action === 'reopen') {
      await client.query(`UPDATE demolition_schedule SET status = 'cancelled' WHERE candidate_id = $1 AND status = 'scheduled'`, [write.candidateId]);
    }
    await client.query(
      `INSERT INTO review_event (candidate_id, actor_id, action, from_status, to_status, reason_code, reason_text, candidate_version, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [write.candidateId, write.actorId, write.action, write.fromStatus, write.toStatus, write.reasonCode ?? null, write.reasonText ?? null, version,
        write.action === 'schedule' ? { scheduledFor: write.scheduledFor, team: write.team } : {}],
    );
    return { applied: true, version };
  });
}
