/**
 * SQL of the review family: a reviewer's decision on a candidate, applied only if the candidate
 * is still at the version the reviewer saw (optimistic concurrency), together with its audit row
 * and, for schedules, the schedule row: one transaction, so of reviewers racing on a candidate
 * exactly one wins and the trail holds exactly what happened.
 */
import type pg from 'pg';
import { inTransaction } from '../connection.js';
import type { Queryable } from './queryable.js';

export interface ReviewWrite {
  candidateId: string;
  actorId: string;
  action: 'verify' | 'reject' | 'reopen' | 'schedule' | 'mark_demolished' | 'merge';
  expectedVersion: number;
  fromStatus: string;
  toStatus: string;
  reasonCode?: string | null;
  reasonText?: string | null;
  scheduledFor?: string | null;
  team?: string | null;
  /** merge: the surviving candidate. */
  into?: string | null;
}

export type ReviewOutcome =
  | { applied: true; version: number }
  | { applied: false; current: { status: string; version: number } | null }
  | { applied: false; refused: string };

/** A candidate's status and version, as a reviewer's request is judged against them; null if unknown. */
export async function candidateReviewState(db: Queryable, candidateId: string): Promise<{ status: string; version: number } | null> {
  const { rows } = await db.query<{ status: string; version: number }>(`SELECT status, version FROM candidate WHERE id = $1`, [candidateId]);
  return rows[0] ?? null;
}

export async function applyReview(pool: pg.Pool, write: ReviewWrite): Promise<ReviewOutcome> {
  return inTransaction(pool, async (client) => {
    await client.query('SAVEPOINT before_review');
    // A merge touches two candidates: lock both in id order, so crossed merges cannot deadlock.
    if (write.action === 'merge' && write.into) {
      await client.query(`SELECT 1 FROM candidate WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [[write.candidateId, write.into]]);
    }
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
    } else if (write.action === 'merge') {
      const refused = await foldInto(client, write.candidateId, write.into!, write.actorId);
      if (refused) {
        await client.query('ROLLBACK TO SAVEPOINT before_review');
        return { applied: false, refused };
      }
    }
    await client.query(
      `INSERT INTO review_event (candidate_id, actor_id, action, from_status, to_status, reason_code, reason_text, candidate_version, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [write.candidateId, write.actorId, write.action, write.fromStatus, write.toStatus, write.reasonCode ?? null, write.reasonText ?? null, version,
        write.action === 'schedule' ? { scheduledFor: write.scheduledFor, team: write.team } : write.action === 'merge' ? { into: write.into } : {}],
    );
    return { applied: true, version };
  });
}

/**
 * Folds a duplicate into the candidate it duplicates: the survivor takes the union of both
 * outlines, the earliest first sighting, the latest last sighting and the observations of flights
 * it lacks, gets one more version and an audit row. Returns why it cannot, or null.
 */
async function foldInto(client: pg.PoolClient, duplicateId: string, survivorId: string, actorId: string): Promise<string | null> {
  if (duplicateId === survivorId) return 'a candidate cannot be merged into itself';
  const { rows } = await client.query<{ status: string; change_type: string }>(
    `SELECT status, change_type FROM candidate WHERE id = $1 FOR UPDATE`, [survivorId]);
  const survivor = rows[0];
  if (!survivor) return `candidate ${survivorId} does not exist`;
  if (survivor.status === 'merged') return `candidate ${survivorId} was itself merged into another; merge into that one`;
  const { rows: duplicate } = await client.query<{ change_type: string }>(`SELECT change_type FROM candidate WHERE id = $1`, [duplicateId]);
  if ((duplicate[0]!.change_type === 'demolished') !== (survivor.change_type === 'demolished')) {
    return 'a demolition and a new structure are not duplicates of each other';
  }
  await client.query(`UPDATE candidate SET merged_into = $2 WHERE id = $1`, [duplicateId, survivorId]);
  await client.query(
    `INSERT INTO candidate_observation (candidate_id, flight_id, detection_run_id, geom, score, area_m2, height_gain_m, evidence_before, evidence_after, before_flight_id, observed_at)
     SELECT $2, flight_id, detection_run_id, geom, score, area_m2, height_gain_m, evidence_before, evidence_after, before_flight_id, observed_at
       FROM candidate_observation WHERE candidate_id = $1
     ON CONFLICT (candidate_id, flight_id) DO NOTHING`,
    [duplicateId, survivorId],
  );
  const { rows: updated } = await client.query<{ version: number; status: string }>(
    `UPDATE candidate s SET geom = ST_Multi(ST_CollectionExtract(ST_Union(s.geom, d.geom), 3)),
            area_m2 = lw_area_m2(ST_Union(s.geom, d.geom)),
            first_seen_at = LEAST(s.first_seen_at, d.first_seen_at), last_seen_at = GREATEST(s.last_seen_at, d.last_seen_at),
            version = s.version + 1, updated_at = now()
       FROM candidate d WHERE s.id = $1 AND d.id = $2 RETURNING s.version, s.status`,
    [survivorId, duplicateId],
  );
  await client.query(
    `INSERT INTO review_event (candidate_id, actor_id, action, from_status, to_status, candidate_version, payload)
     VALUES ($1, $2, 'merge', $3, $3, $4, $5)`,
    [survivorId, actorId, updated[0]!.status, updated[0]!.version, { absorbed: duplicateId }],
  );
  return null;
}
