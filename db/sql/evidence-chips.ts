/**
 * SQL of the evidence chips: the before/after images the raise stage draws for each observation,
 * stored once by digest, swept when no observation names them, and read back by the API.
 */
import type { Queryable } from './queryable.js';

/** An evidence image, named by the SHA-256 (hex) of its bytes. */
export interface EvidenceChip {
  digest: string;
  mediaType: 'image/webp' | 'image/jpeg';
  image: Buffer;
}

/**
 * Stores evidence chips as they are drawn, before the flight's raise transaction names them: the
 * raise stage then holds digests, not images, however many candidates a flight has. Storing the
 * same image again changes nothing.
 */
export async function storeEvidenceChips(db: Queryable, chips: readonly EvidenceChip[]): Promise<void> {
  const unique = [...new Map(chips.map((c) => [c.digest, c])).values()];
  if (!unique.length) return;
  // Storing again renews stored_at, so the sweep leaves alone a chip a running flight is about to name.
  await db.query(
    `INSERT INTO evidence_chip (digest, media_type, image) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
     ON CONFLICT (digest) DO UPDATE SET stored_at = now()`,
    [unique.map((c) => c.digest), unique.map((c) => c.mediaType), unique.map((c) => c.image)],
  );
}

/**
 * Deletes chips that no observation names and that no flight stored in the last `minAgeHours`:
 * those of a flight that failed for good after drawing them. The age leaves alone the chips of a
 * flight still raising. Returns how many went.
 */
export async function sweepUnusedEvidenceChips(db: Queryable, minAgeHours = 24): Promise<number> {
  const { rowCount } = await db.query(SWEEP_UNUSED_CHIPS_SQL, [minAgeHours]);
  return rowCount ?? 0;
}

/** The sweep's statement ($1: hours); exported for the plan test (it must use the age index and the chip-column indexes). */
export const SWEEP_UNUSED_CHIPS_SQL = `
  DELETE FROM evidence_chip e
   WHERE e.stored_at < now() - make_interval(hours => $1)
     AND NOT EXISTS (SELECT 1 FROM candidate_observation o WHERE o.evidence_before = e.digest)
     AND NOT EXISTS (SELECT 1 FROM candidate_observation o WHERE o.evidence_after = e.digest)`;

/**
 * The `which` evidence chip of a flight's observation of a candidate: undefined when that flight
 * did not observe it, null when it observed it without such a chip (no earlier image).
 */
export async function observationEvidenceChip(db: Queryable, candidateId: string, flightId: string, which: 'before' | 'after'): Promise<EvidenceChip | null | undefined> {
  const { rows } = await db.query<{ digest: string | null; media_type: EvidenceChip['mediaType'] | null; image: Buffer | null }>(
    `SELECT e.digest, e.media_type, e.image
       FROM candidate_observation o LEFT JOIN evidence_chip e ON e.digest = ${which === 'before' ? 'o.evidence_before' : 'o.evidence_after'}
      WHERE o.candidate_id = $1 AND o.flight_id = $2`,
    [candidateId, flightId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return row.digest === null ? null : { digest: row.digest, mediaType: row.media_type!, image: row.image! };
}

/** The evidence chips of a candidate's newest observation that has any, as images to print (reports, assessments). */
export interface CaseEvidence {
  flightId: string;
  /** When the flight was captured (or, without a capture time, observed), UTC ISO. */
  capturedAt: string;
  /** The earlier flight the before chip was cut from, and its capture time; null when not recorded. */
  beforeFlight: { id: string; capturedAt: string | null } | null;
  before: { mediaType: string; image: Buffer } | null;
  after: { mediaType: string; image: Buffer } | null;
}

/** The evidence chips of each candidate's newest observation that has any, keyed by candidate id. */
export async function latestCaseEvidence(db: Queryable, candidateIds: readonly string[]): Promise<Map<string, CaseEvidence>> {
  const { rows } = await db.query<{ id: string; flightId: string; capturedAt: string; beforeFlightId: string | null; beforeCapturedAt: string | null; beforeType: string | null; before: Buffer | null; afterType: string | null; after: Buffer | null }>(
    `SELECT DISTINCT ON (o.candidate_id) o.candidate_id::text AS id, o.flight_id::text AS "flightId",
            to_char(COALESCE(f.captured_at, o.observed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "capturedAt",
            o.before_flight_id::text AS "beforeFlightId", to_char(bf.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "beforeCapturedAt",
            eb.media_type AS "beforeType", eb.image AS before, ea.media_type AS "afterType", ea.image AS after
       FROM candidate_observation o JOIN flight f ON f.id = o.flight_id
       LEFT JOIN flight bf ON bf.id = o.before_flight_id
       LEFT JOIN evidence_chip eb ON eb.digest = o.evidence_before
       LEFT JOIN evidence_chip ea ON ea.digest = o.evidence_after
      WHERE o.candidate_id = ANY ($1::bigint[]) AND (o.evidence_before IS NOT NULL OR o.evidence_after IS NOT NULL)
      ORDER BY o.candidate_id, COALESCE(f.captured_at, o.observed_at) DESC`,
    [candidateIds],
  );
  return new Map(rows.map((r) => [r.id, {
    flightId: r.flightId, capturedAt: r.capturedAt,
    beforeFlight: r.beforeFlightId ? { id: r.beforeFlightId, capturedAt: r.beforeCapturedAt } : null,
    before: r.before && r.beforeType ? { mediaType: r.beforeType, image: r.before } : null,
    after: r.after && r.afterType ? { mediaType: r.afterType, image: r.after } : null,
  }]));
}
