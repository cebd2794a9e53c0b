/**
 * Test helper: a reviewer with the ground truth in hand, for the office tests that adapt on the
 * office's own reviews (office.test.ts, from-db-office.test.ts). The true changes are reported first,
 * as candidates of the patrol's run (a piece over a candidate the network raised joins its outline,
 * as another piece of one structure does); then every candidate of the patrol still pending is
 * verified when it lies mostly on a true change, else rejected as a false detection.
 */
import type pg from 'pg';
import { reviewCandidate } from '#api/review/review-candidate.js';
import { inTransaction } from '#db/connection.js';
import { raiseCandidate } from '#db/sql/candidates.js';
import { latestDetectionRun } from '#db/sql/flights.js';

/** A true change: its outline as GeoJSON (WGS 84) and its kind. */
export interface TrueChange { geometry: string; changeType: 'new_structure' }

/** `reported`: true changes raised as new candidates (the others joined one the network raised). */
export async function reviewWithTruth(pool: pg.Pool, patrol: string, truth: TrueChange[], reviewer: string): Promise<{ reported: number; verified: number; rejected: number }> {
  const counts = { reported: 0, verified: 0, rejected: 0 };
  const run = (await latestDetectionRun(pool, patrol))!.id;
  for (const { geometry, changeType } of truth) {
    const change = { geometry, changeType, status: 'pending', priority: 0, triage: { reportedByReviewer: true }, heightGainM: null, score: null, evidenceBefore: null, evidenceAfter: null } as const;
    const { outcome } = await inTransaction(pool, (client) => raiseCandidate(client, patrol, run, change));
    if (outcome === 'raised') counts.reported += 1;
  }
  const { rows } = await pool.query<{ id: string; version: number; share: number }>(
    `WITH t AS (SELECT ST_Union(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326)) AS g FROM unnest($2::text[]) AS g)
     SELECT c.id::text, c.version, COALESCE(ST_Area(ST_Intersection(c.geom, t.g)) / NULLIF(ST_Area(c.geom), 0), 0) AS share
       FROM candidate c JOIN candidate_observation o ON o.candidate_id = c.id AND o.flight_id = $1, t
      WHERE c.status = 'pending' ORDER BY c.id`,
    // No truth: a point, which no candidate lies on.
    [patrol, truth.length ? truth.map((t) => t.geometry) : ['{"type":"Point","coordinates":[0,0]}']],
  );
  for (const c of rows) {
    const onChange = c.share >= 0.5;
    const outcome = await reviewCandidate(pool, c.id, reviewer, onChange
      ? { action: 'verify', version: c.version }
      : { action: 'reject', version: c.version, reasonCode: 'false_detection', reasonText: 'no change in the ground truth' });
    if (outcome.outcome !== 'ok') throw new Error(`review of ${c.id}: ${JSON.stringify(outcome)}`);
    counts[onChange ? 'verified' : 'rejected'] += 1;
  }
  return counts;
}
