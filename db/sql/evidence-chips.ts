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
