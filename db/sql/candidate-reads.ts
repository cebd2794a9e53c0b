/**
 * SQL of the candidate family, the readers' side: filtered and paged lists, counts, exports in
 * batches, one candidate's dossier, the candidates' extent, and what a flight raised. The raise
 * path is in candidates.ts.
 */
import type pg from 'pg';
import type { TriageNotes } from '#domain/triage.js';
import type { CandidateStatus, ChangeType } from '#domain/vocabulary.js';
import { SMALLEST_SHARE_OF_OUTLINE } from './candidates.js';
import { pageWithTotal } from './paging.js';
import type { Queryable } from './queryable.js';

export interface CandidateFilter {
  /** One candidate by id (OGC API items/{id}). */
  id?: string;
  /** [west, south, east, north] in lon/lat. */
  bbox?: [number, number, number, number];
  statuses?: string[];
  types?: string[];
  villageCode?: string;
  streetCode?: string;
  minAreaM2?: number;
  minPriority?: number;
  /** Last seen on or after / before (YYYY-MM-DD). */
  from?: string;
  to?: string;
  /** Seen (first_seen_at..last_seen_at) at some time in this interval; RFC 3339 bounds, inclusive, null: open. */
  seenDuring?: { start: string | null; end: string | null };
}

export interface CandidatePage extends CandidateFilter {
  limit: number;
  offset: number;
}

/**
 * The WHERE clause of a filter, every value a bound parameter pushed onto `params`: the one place
 * candidate filters become SQL (lists, OGC API items, exports). The bbox goes through the GiST index.
 */
export function candidateConditions(filter: CandidateFilter, params: unknown[]): string {
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.id !== undefined) where.push(`c.id = ${param(filter.id)}`);
  if (filter.bbox) where.push(`ST_Intersects(c.geom, ST_MakeEnvelope(${filter.bbox.map(param).join(', ')}, 4326))`);
  if (filter.statuses?.length) where.push(`c.status = ANY(${param(filter.statuses)})`);
  if (filter.types?.length) where.push(`c.change_type = ANY(${param(filter.types)})`);
  if (filter.villageCode) where.push(`c.village_id = (SELECT id FROM admin_area WHERE code = ${param(filter.villageCode)})`);
  if (filter.streetCode) where.push(`c.street_id = (SELECT id FROM admin_area WHERE code = ${param(filter.streetCode)})`);
  if (filter.minAreaM2 !== undefined) where.push(`c.area_m2 >= ${param(filter.minAreaM2)}`);
  if (filter.minPriority !== undefined) where.push(`c.priority >= ${param(filter.minPriority)}`);
  if (filter.from) where.push(`c.last_seen_at >= (${param(filter.from)}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (filter.to) where.push(`c.last_seen_at < (${param(filter.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (filter.seenDuring?.start) where.push(`c.last_seen_at >= ${param(filter.seenDuring.start)}::timestamptz`);
  if (filter.seenDuring?.end) where.push(`c.first_seen_at <= ${param(filter.seenDuring.end)}::timestamptz`);
  // A time filter cannot place a candidate never seen by a flight.
  if (filter.seenDuring) where.push(`c.first_seen_at IS NOT NULL AND c.last_seen_at IS NOT NULL`);
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** Most urgent first, ties in a stable order so that pages never overlap. */
const CANDIDATE_ORDER = `c.priority DESC, c.area_m2 DESC, c.id`;

/** A candidate as lists show it (json_build_object below): its outline, status, type, size and place. */
export interface CandidateFeature {
  type: 'Feature';
  id: number;
  geometry: GeoJSON.MultiPolygon;
  properties: {
    status: CandidateStatus; change_type: ChangeType; priority: number; area_m2: number; height_gain_m: number | null; score: number | null;
    version: number; village: string | null; street: string | null; first_seen_at: string | null; last_seen_at: string | null; reasons: string[] | null;
  };
}

/** Candidates as GeoJSON features, filtered and paged, most urgent first. */
export async function listCandidates(db: Queryable, filter: CandidatePage): Promise<{ features: CandidateFeature[]; matched: number }> {
  const params: unknown[] = [];
  const { rows, matched } = await pageWithTotal<{ feature: CandidateFeature }>(db, {
    select: `json_build_object('type', 'Feature', 'id', c.id, 'geometry', ST_AsGeoJSON(c.geom, 7)::json,
              'properties', json_build_object('status', c.status, 'change_type', c.change_type, 'priority', c.priority,
                'area_m2', round(c.area_m2::numeric, 1), 'height_gain_m', c.height_gain_m, 'score', c.score, 'version', c.version,
                'village', v.name, 'street', s.name, 'first_seen_at', c.first_seen_at, 'last_seen_at', c.last_seen_at,
                'reasons', c.triage->'reasons')) AS feature`,
    from: `FROM candidate c LEFT JOIN admin_area v ON v.id = c.village_id LEFT JOIN admin_area s ON s.id = c.street_id
       ${candidateConditions(filter, params)}`,
    orderBy: CANDIDATE_ORDER,
    params,
  }, filter);
  return { features: rows.map((r) => r.feature), matched };
}

export async function countCandidates(db: Queryable, filter: CandidateFilter): Promise<number> {
  const params: unknown[] = [];
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM candidate c ${candidateConditions(filter, params)}`, params);
  return Number(rows[0]!.n);
}

/** One flat row per candidate for exports: attributes, the outline (GeoJSON and WKT) and its centroid. */
export interface CandidateExportRow {
  id: string;
  status: string;
  change_type: string;
  priority: number;
  area_m2: number;
  height_gain_m: number | null;
  score: number | null;
  version: number;
  village_code: string | null;
  village: string | null;
  street_code: string | null;
  street: string | null;
  first_seen_at: string | null;
  last_seen_at: string | null;
  reasons: string[] | null;
  lon: number;
  lat: number;
  wkt: string;
  geometry: GeoJSON.MultiPolygon;
}

/**
 * Every candidate matching `filter` as flat export rows, most urgent first, at most `limit`, in
 * batches of `batchRows`: a cursor in a read-only snapshot, so an export of 100,000 candidates
 * holds one batch in memory and is consistent however long the client takes to read it. Stopping
 * early (the client went away) ends the transaction and gives the connection back.
 */
export async function* exportCandidateBatches(pool: pg.Pool, filter: CandidateFilter, limit: number, batchRows = 1000): AsyncGenerator<CandidateExportRow[]> {
  const params: unknown[] = [];
  const condition = candidateConditions(filter, params);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(
      `DECLARE candidate_export NO SCROLL CURSOR FOR
       SELECT c.id::text, c.status, c.change_type, c.priority, round(c.area_m2::numeric, 1)::float8 AS area_m2,
              c.height_gain_m::float8 AS height_gain_m, c.score::float8 AS score, c.version,
              v.code AS village_code, v.name AS village, s.code AS street_code, s.name AS street,
              to_char(c.first_seen_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') AS first_seen_at,
              to_char(c.last_seen_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') AS last_seen_at,
              CASE WHEN jsonb_typeof(c.triage->'reasons') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(c.triage->'reasons')) END AS reasons,
              round(ST_X(ST_Centroid(c.geom))::numeric, 7)::float8 AS lon, round(ST_Y(ST_Centroid(c.geom))::numeric, 7)::float8 AS lat,
              ST_AsText(c.geom, 7) AS wkt, ST_AsGeoJSON(c.geom, 7)::json AS geometry
         FROM candidate c LEFT JOIN admin_area v ON v.id = c.village_id LEFT JOIN admin_area s ON s.id = c.street_id
         ${condition}
        ORDER BY ${CANDIDATE_ORDER}
        LIMIT $${params.length + 1}`,
      [...params, limit],
    );
    for (;;) {
      const { rows } = await client.query<CandidateExportRow>(`FETCH FORWARD ${Math.max(1, Math.floor(batchRows))} FROM candidate_export`);
      if (rows.length) yield rows;
      if (rows.length < batchRows) break;
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // Read-only: ending it by rollback is the same as a commit, also after an early stop.
    await client.query('ROLLBACK').catch(() => { broken = true; });
    client.release(broken);
  }
}

/** A candidate's dossier as GeoJSON: each observation says which evidence chips its flight stored. */
export interface CandidateDetailRow {
  type: 'Feature';
  id: number;
  geometry: GeoJSON.MultiPolygon;
  /** The candidate row's columns (to_jsonb), with its village, street and a point on it. */
  properties: {
    id: number; status: CandidateStatus; change_type: ChangeType; priority: number; area_m2: number; height_gain_m: number | null; score: number | null;
    version: number; triage: Partial<TriageNotes> | null; first_seen_at: string | null; last_seen_at: string | null;
    first_flight_id: number | null; last_flight_id: number | null; model_version: string | null;
    village: string | null; street: string | null; centre: [number, number];
    [column: string]: unknown;
  };
  observations: Array<{
    flight_id: number; observed_at: string; captured_at: string | null; before_flight_id: number | null; before_captured_at: string | null;
    area_m2: number | null; height_gain_m: number | null; score: number | null; model_version: string | null; sliver: boolean;
    /** Whether each chip was stored (the API names their addresses). */
    evidence_before: boolean; evidence_after: boolean;
  }>;
  audit: Array<{
    at: string; action: string; actor: string | null; from_status: string | null; to_status: string | null; reason_code: string | null;
    reason_text: string | null; version: number; flight_id: number | null; flight_captured_at: string | null;
  }>;
}

/** One candidate with its observations across flights and its audit trail; null if unknown. */
export async function candidateDetail(db: Queryable, id: string): Promise<CandidateDetailRow | null> {
  const { rows } = await db.query<{ detail: CandidateDetailRow }>(
    `SELECT json_build_object(
              'type', 'Feature', 'id', c.id, 'geometry', ST_AsGeoJSON(c.geom, 7)::json,
              -- where it is, named: the village and street, and a point on it (lon, lat) to find it on the ground
              'properties', to_jsonb(c) - 'geom' || jsonb_build_object(
                              'village', (SELECT a.name FROM admin_area a WHERE a.id = c.village_id),
                              'street', (SELECT a.name FROM admin_area a WHERE a.id = c.street_id),
                              'centre', json_build_array(round(ST_X(ST_PointOnSurface(c.geom))::numeric, 6), round(ST_Y(ST_PointOnSurface(c.geom))::numeric, 6))),
              -- captured_at: when the flight was flown (observed_at is when the row was written);
              -- before_*: the earlier flight the "before" chip was cut from
              'observations', (SELECT coalesce(json_agg(json_build_object('flight_id', o.flight_id, 'observed_at', o.observed_at,
                                 'captured_at', (SELECT f.captured_at FROM flight f WHERE f.id = o.flight_id),
                                 'before_flight_id', o.before_flight_id,
                                 'before_captured_at', (SELECT f.captured_at FROM flight f WHERE f.id = o.before_flight_id),
                                 'area_m2', o.area_m2, 'height_gain_m', o.height_gain_m, 'score', o.score,
                                 -- the model-store version that detected it in this flight (issue 19)
                                 'model_version', (SELECT r.model_version FROM detection_run r WHERE r.id = o.detection_run_id),
                                 -- saw under half the candidate's outline (raiseCandidate kept the outline): not its picture
                                 'sliver', o.area_m2 < ${SMALLEST_SHARE_OF_OUTLINE} * c.area_m2,
                                 -- which chips were stored (the API names their addresses)
                                 'evidence_before', o.evidence_before IS NOT NULL, 'evidence_after', o.evidence_after IS NOT NULL)
                                 ORDER BY (SELECT f.captured_at FROM flight f WHERE f.id = o.flight_id), o.observed_at), '[]')
                                 FROM candidate_observation o WHERE o.candidate_id = c.id),
              'audit', (SELECT coalesce(json_agg(json_build_object('at', e.at, 'action', e.action, 'actor', u.username,
                          'from_status', e.from_status, 'to_status', e.to_status, 'reason_code', e.reason_code,
                          'reason_text', e.reason_text, 'version', e.candidate_version,
                          -- the flight that raised, re-observed or confirmed it (the pipeline's rows)
                          'flight_id', ef.id, 'flight_captured_at', ef.captured_at) ORDER BY e.id), '[]')
                          FROM review_event e LEFT JOIN app_user u ON u.id = e.actor_id
                          LEFT JOIN flight ef ON ef.id = CASE WHEN e.payload->>'flightId' ~ '^[0-9]+$' THEN (e.payload->>'flightId')::bigint END
                         WHERE e.candidate_id = c.id)) AS detail
       FROM candidate c WHERE c.id = $1`,
    [id],
  );
  return rows[0]?.detail ?? null;
}

/** The candidates' extent: lon/lat box and the span they were seen in (nulls when empty). */
export async function candidateExtent(db: Queryable): Promise<{ bbox: number[] | null; start: string | null; end: string | null }> {
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number; start: Date | null; end: Date | null }>(
    `SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n, t.start, t.end
       FROM (SELECT ST_Extent(geom) AS x FROM candidate) b,
            (SELECT min(first_seen_at) AS start, max(last_seen_at) AS end FROM candidate) t`,
  );
  const r = rows[0]!;
  return { bbox: r.w === null ? null : [r.w, r.s, r.e, r.n], start: r.start?.toISOString() ?? null, end: r.end?.toISOString() ?? null };
}

/** What one flight saw: each observation's outline (GeoJSON, lon/lat) and its candidate's status, in candidate order. */
export async function observationsOfFlight(db: Queryable, flightId: string): Promise<Array<{ geometry: string; status: string }>> {
  const { rows } = await db.query<{ geometry: string; status: string }>(
    `SELECT ST_AsGeoJSON(o.geom) AS geometry, c.status
       FROM candidate_observation o JOIN candidate c ON c.id = o.candidate_id
      WHERE o.flight_id = $1 ORDER BY c.id`,
    [flightId],
  );
  return rows;
}

/** The candidates one flight observed, counted by status and change type, with their area in m². */
export async function tallyOfFlight(db: Queryable, flightId: string): Promise<Array<{ status: string; change_type: string; n: number; m2: number }>> {
  const { rows } = await db.query<{ status: string; change_type: string; n: number; m2: number }>(
    `SELECT c.status, c.change_type, count(*)::int AS n, round(sum(c.area_m2))::int AS m2
       FROM candidate c JOIN candidate_observation o ON o.candidate_id = c.id AND o.flight_id = $1
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [flightId],
  );
  return rows;
}
