/**
 * SQL of the zero-violation village assessment (“零”违建居村): the facts the pure assessment in
 * domain/village-assessment.ts judges, gathered for one village and one period with the
 * GiST indexes (every spatial test starts from `&&` / ST_Intersects against the village).
 *
 * What lies "in the village": rows whose recorded village is this one, or whose point on surface
 * falls inside its boundary (the same rule lw_admin_area_at uses to place rows without a village),
 * so a structure straddling a boundary belongs to exactly one village.
 * Periods are [from, to) in dates of China Standard Time.
 */
import type { Queryable } from './queryable.js';

/** A UTC ISO instant from a timestamptz, the same whatever the session's time zone. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
const START = (param: string) => `(${param}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`;
/** Geometries for the report's map: about 0.5 m of simplification keeps a village page small. */
const MAP_GEOJSON = (geom: string) => `ST_AsGeoJSON(ST_SimplifyPreserveTopology(${geom}, 0.000005), 7)`;

export interface RegisterFactRow {
  id: string;
  externalId: string;
  status: 'stock' | 'deferred' | 'demolished';
  category: string | null;
  measure: string | null;
  areaM2: number;
  registeredOn: string | null;
  geometry: string;
}

export interface CandidateFactRow {
  id: string;
  changeType: string;
  status: string;
  areaM2: number;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  /** Which evidence chips each observing flight stored (the API names their addresses). */
  evidence: Array<{ flightId: string; observedAt: string; before: boolean; after: boolean }>;
  geometry: string;
}

export interface CoverageRow {
  villageAreaM2: number;
  coveredAreaM2: number;
  flights: Array<{ id: string; capturedAt: string; coveredM2: number }>;
  /** GeoJSON (lon/lat) of the village and of the part of it the flights covered (null: none). */
  villageGeometry: string;
  coveredGeometry: string | null;
}

/** Register entries in the village with one of `statuses`. */
export async function registerEntriesInVillage(db: Queryable, villageId: string, statuses: readonly string[]): Promise<RegisterFactRow[]> {
  const { rows } = await db.query<RegisterFactRow>(
    `SELECT r.id::text, r.external_id AS "externalId", r.status, r.category, r.measure, r.area_m2 AS "areaM2",
            to_char(r.registered_on, 'YYYY-MM-DD') AS "registeredOn", ${MAP_GEOJSON('r.footprint')} AS geometry
       FROM admin_area v
       JOIN register_entry r ON r.village_id = v.id
                             OR (r.village_id IS NULL AND r.footprint && v.geom AND ST_Intersects(v.geom, ST_PointOnSurface(r.footprint)))
      WHERE v.id = $1 AND r.status = ANY($2::text[])
      ORDER BY r.area_m2 DESC, r.id`,
    [villageId, statuses],
  );
  return rows;
}

/**
 * Candidates in the village with one of `statuses`, each with its evidence chips by flight
 * (oldest first). Changes of type "demolished" are left out: a building that disappeared is no
 * illegal construction.
 */
export async function candidatesInVillage(db: Queryable, villageId: string, statuses: readonly string[]): Promise<CandidateFactRow[]> {
  const { rows } = await db.query<CandidateFactRow>(
    `SELECT c.id::text, c.change_type AS "changeType", c.status, c.area_m2 AS "areaM2",
            ${iso('c.first_seen_at')} AS "firstSeenAt", ${iso('c.last_seen_at')} AS "lastSeenAt",
            (SELECT coalesce(json_agg(json_build_object('flightId', o.flight_id::text,
                      'observedAt', ${iso('COALESCE(f.captured_at, o.observed_at)')},
                      'before', o.evidence_before IS NOT NULL, 'after', o.evidence_after IS NOT NULL)
                      ORDER BY COALESCE(f.captured_at, o.observed_at)), '[]')
               FROM candidate_observation o JOIN flight f ON f.id = o.flight_id
              WHERE o.candidate_id = c.id) AS evidence,
            ${MAP_GEOJSON('c.geom')} AS geometry
       FROM admin_area v
       JOIN candidate c ON c.village_id = v.id
                        OR (c.village_id IS NULL AND c.geom && v.geom AND ST_Intersects(v.geom, ST_PointOnSurface(c.geom)))
      WHERE v.id = $1 AND c.status = ANY($2::text[]) AND c.change_type <> 'demolished'
      ORDER BY c.first_seen_at NULLS FIRST, c.id`,
    [villageId, statuses],
  );
  return rows;
}

/**
 * How much of the village the done flights captured in [from, to) cover: the union of the areas
 * their detection examined (flight.examined_area: valid pixels within the planned blocks; never a
 * reference flight, never ground outside the imported areas) clipped to the village, measured in
 * the metric CRS (lw_metric, UTM 51N), with the share each flight covers on its own. Flights that only touch the boundary are left out.
 */
export async function villageCoverage(db: Queryable, villageId: string, from: string, to: string): Promise<CoverageRow | null> {
  const { rows } = await db.query<CoverageRow>(
    `WITH v AS (SELECT geom, lw_metric(geom) AS metric FROM admin_area WHERE id = $1),
          parts AS (
            SELECT f.id, f.captured_at, ST_Intersection(lw_metric(f.examined_area), v.metric) AS part
              FROM flight f, v
             WHERE f.status = 'done' AND f.examined_area && v.geom AND ST_Intersects(f.examined_area, v.geom)
               AND f.captured_at >= ${START('$2')} AND f.captured_at < ${START('$3')}),
          covered AS (SELECT ST_Union(part) AS g FROM parts WHERE ST_Area(part) > 0)
     SELECT ST_Area(v.metric) AS "villageAreaM2",
            coalesce(ST_Area(covered.g), 0) AS "coveredAreaM2",
            (SELECT coalesce(json_agg(json_build_object('id', id::text, 'capturedAt', ${iso('captured_at')},
                      'coveredM2', ST_Area(part)) ORDER BY captured_at, id), '[]')
               FROM parts WHERE ST_Area(part) > 0) AS flights,
            ${MAP_GEOJSON('v.geom')} AS "villageGeometry",
            CASE WHEN covered.g IS NULL THEN NULL ELSE ${MAP_GEOJSON('ST_Transform(covered.g, 4326)')} END AS "coveredGeometry"
       FROM v, covered`,
    [villageId, from, to],
  );
  return rows[0] ?? null;
}
