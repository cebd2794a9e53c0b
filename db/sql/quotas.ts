/**
 * SQL of the demolition_quota family: yearly demolition quotas (拆违指标) per street (街镇). A
 * street is named by its code or, when unambiguous, its name (Chinese or English).
 */
import type { Quota } from '#domain/weekly-report.js';
import type { Queryable } from './queryable.js';

export interface QuotaInput {
  /** Street code or name. */
  street: string;
  year: number;
  targetM2: number | null;
  targetCount: number | null;
}

export interface StreetRef {
  id: string;
  code: string;
  name: string;
}

/** The street named `ref` (code first, then a unique name), or why there is none. */
export async function findStreet(db: Queryable, ref: string): Promise<StreetRef | string> {
  const { rows } = await db.query<StreetRef & { level: string; by_code: boolean }>(
    `SELECT id::text, code, name, level, code = $1 AS by_code FROM admin_area
      WHERE code = $1 OR name = $1 OR name_en = $1 ORDER BY (code = $1) DESC, code`,
    [ref],
  );
  const byCode = rows.find((r) => r.by_code);
  const candidates = byCode ? [byCode] : rows;
  if (candidates.length === 0) return `no admin area has the code or name "${ref}" (import admin areas first)`;
  if (candidates.length > 1) return `"${ref}" names ${candidates.length} areas (${candidates.map((r) => r.code).join(', ')}): use the code`;
  const area = candidates[0]!;
  if (area.level !== 'street') return `"${ref}" (${area.code}) is a ${area.level}, not a street (街镇): quotas are set per street`;
  return { id: area.id, code: area.code, name: area.name };
}

/** Sets (replaces) a street's quota for a year; returns the street, or why it cannot. */
export async function setQuota(db: Queryable, quota: QuotaInput): Promise<StreetRef | string> {
  const street = await findStreet(db, quota.street);
  if (typeof street === 'string') return street;
  await db.query(
    `INSERT INTO demolition_quota (street_id, year, target_m2, target_count) VALUES ($1, $2, $3, $4)
     ON CONFLICT (street_id, year) DO UPDATE SET target_m2 = EXCLUDED.target_m2, target_count = EXCLUDED.target_count, updated_at = now()`,
    [street.id, quota.year, quota.targetM2, quota.targetCount],
  );
  return street;
}

/** The quotas of `year` for the given streets, by street id (streets without one are absent). */
export async function quotasOf(db: Queryable, year: number, streetIds: readonly string[]): Promise<Map<string, Quota>> {
  const { rows } = await db.query<{ street_id: string; target_m2: number | null; target_count: number | null }>(
    `SELECT street_id::text, target_m2, target_count FROM demolition_quota WHERE year = $1 AND street_id = ANY ($2::bigint[])`,
    [year, streetIds],
  );
  return new Map(rows.map((r) => [r.street_id, { year, targetM2: r.target_m2, targetCount: r.target_count }]));
}

export interface QuotaListing {
  code: string;
  name: string;
  year: number;
  targetM2: number | null;
  targetCount: number | null;
}

export async function listQuotas(db: Queryable, year?: number): Promise<QuotaListing[]> {
  const { rows } = await db.query<QuotaListing>(
    `SELECT a.code, a.name, q.year, q.target_m2 AS "targetM2", q.target_count AS "targetCount"
       FROM demolition_quota q JOIN admin_area a ON a.id = q.street_id
      WHERE $1::int IS NULL OR q.year = $1 ORDER BY q.year, a.code`,
    [year ?? null],
  );
  return rows;
}
