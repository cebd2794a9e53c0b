/**
 * SQL of the report family: the figures of a period for a set of areas, the areas a report covers,
 * and stored reports. Periods are whole days in China Standard Time (first day 00:00 to the day
 * after the last, +08:00), so an event at Sunday 23:30 in Shanghai belongs to that week.
 */
import type { CountAndArea, ReportArea } from '#domain/weekly-report.js';
import { pageWithTotal } from './paging.js';
import type { Queryable } from './queryable.js';

/** Where the figures of everywhere (no area) are keyed in the result of periodFigures. */
export const EVERYWHERE = 'everywhere';

/**
 * The figures of the days `start`..`end` (inclusive, YYYY-MM-DD) for each area in `areaIds`, and
 * for everywhere when `everywhere` is set. Audit-trail actions are counted once per candidate and
 * action; a candidate belongs to the areas that hold a point on its surface. Register reduction is
 * the register entries demolished in the period, placed by the street or village they record,
 * by their footprint where they record none.
 * Figures with nothing in them are absent (keys: newCandidates, verified, rejected, scheduled,
 * demolished, confirmedDemolished, registerReduction).
 */
export async function periodFigures(db: Queryable, start: string, end: string, areaIds: readonly string[], everywhere = false): Promise<Map<string, Record<string, CountAndArea>>> {
  const { rows } = await db.query<{ area: string; key: string; count: number; m2: number }>(
    `WITH span AS (SELECT ($1::date)::timestamp AT TIME ZONE 'Asia/Shanghai' AS t0,
                          ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' AS t1),
          areas AS (SELECT id::text AS key, id, level, geom FROM admin_area WHERE id = ANY ($3::bigint[])
                    UNION ALL SELECT '${EVERYWHERE}', NULL, NULL, NULL WHERE $4),
          acts AS (
            SELECT DISTINCT ON (e.candidate_id, e.action) e.action, c.area_m2, ST_PointOnSurface(c.geom) AS spot
              FROM review_event e JOIN candidate c ON c.id = e.candidate_id, span
             WHERE e.at >= span.t0 AND e.at < span.t1
               AND (e.action IN ('verify', 'reject', 'schedule', 'mark_demolished', 'confirm_demolished')
                    OR (e.action = 'raise' AND e.to_status = 'pending')))
     SELECT a.key AS area,
            CASE acts.action WHEN 'raise' THEN 'newCandidates' WHEN 'verify' THEN 'verified' WHEN 'reject' THEN 'rejected'
                 WHEN 'schedule' THEN 'scheduled' WHEN 'mark_demolished' THEN 'demolished' ELSE 'confirmedDemolished' END AS key,
            count(*)::int AS count, round(sum(acts.area_m2))::int AS m2
       FROM areas a JOIN acts ON a.id IS NULL OR ST_Intersects(a.geom, acts.spot)
      GROUP BY 1, 2
     UNION ALL
     SELECT a.key, 'registerReduction', count(*)::int, round(sum(r.area_m2))::int
       FROM areas a JOIN register_entry r
         ON r.demolished_on BETWEEN $1::date AND $2::date
        -- the street or village the register records, its footprint only where it records none:
        -- an entry never counts in two streets
        AND (a.id IS NULL
             OR CASE a.level WHEN 'street' THEN COALESCE(r.street_id = a.id, ST_Intersects(a.geom, ST_PointOnSurface(r.footprint)))
                             WHEN 'village' THEN COALESCE(r.village_id = a.id, ST_Intersects(a.geom, ST_PointOnSurface(r.footprint)))
                             ELSE ST_Intersects(a.geom, ST_PointOnSurface(r.footprint)) END)
      GROUP BY 1`,
    [start, end, areaIds, everywhere],
  );
  const result = new Map<string, Record<string, CountAndArea>>([...areaIds, ...(everywhere ? [EVERYWHERE] : [])].map((id) => [id, {}]));
  for (const row of rows) result.get(row.area)![row.key] = { count: row.count, m2: row.m2 };
  return result;
}

interface AreaRow {
  id: string;
  code: string;
  name: string;
  name_en: string | null;
  level: ReportArea['level'];
}

const AREA_COLUMNS = `id::text, code, name, name_en, level`;
const toArea = (row: AreaRow): ReportArea => ({ id: row.id, code: row.code, name: row.name, nameEn: row.name_en, level: row.level });

/** An area by id, or null when there is none. */
export async function reportArea(db: Queryable, id: string): Promise<ReportArea | null> {
  const { rows } = await db.query<AreaRow>(`SELECT ${AREA_COLUMNS} FROM admin_area WHERE id = $1`, [id]);
  return rows[0] ? toArea(rows[0]) : null;
}

/**
 * The rows a report on `area` breaks down into: the streets of a district, every street when the
 * report covers everywhere, the area itself for a street or a village.
 */
export async function reportRowAreas(db: Queryable, area: ReportArea | null): Promise<ReportArea[]> {
  if (area && area.level !== 'district') return [area];
  const { rows } = await db.query<AreaRow>(
    `SELECT ${AREA_COLUMNS} FROM admin_area WHERE level = 'street' AND ($1::bigint IS NULL OR parent_id = $1) ORDER BY code`,
    [area?.id ?? null],
  );
  return rows.map(toArea);
}

/** The districts and streets (街镇) the weekly job makes reports for, besides everywhere. */
export async function reportAreas(db: Queryable): Promise<ReportArea[]> {
  const { rows } = await db.query<AreaRow>(`SELECT ${AREA_COLUMNS} FROM admin_area WHERE level IN ('district', 'street') ORDER BY level, code`);
  return rows.map(toArea);
}

export type StoredReportKind = 'weekly' | 'monthly' | 'quarterly' | 'village_assessment';

/** Stores (or replaces) a report for its kind, period and area. */
export async function storeReport(db: Queryable, kind: StoredReportKind, periodStart: string, periodEnd: string, areaId: string | null, content: object): Promise<void> {
  await db.query(
    `INSERT INTO stored_report (kind, period_start, period_end, area_id, content) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (kind, period_start, COALESCE(area_id, 0)) DO UPDATE SET period_end = EXCLUDED.period_end, content = EXCLUDED.content, created_at = now()`,
    [kind, periodStart, periodEnd, areaId, content],
  );
}

export interface StoredReportSummary {
  id: string;
  kind: StoredReportKind;
  periodStart: string;
  periodEnd: string;
  /** The period's label (2026-W47) when the content has one. */
  label: string | null;
  area: { id: string; code: string; name: string } | null;
  createdAt: string;
}

/** Stored reports, newest period first, optionally of one kind and one area (0: everywhere). */
export async function listStoredReports(db: Queryable, filter: { kind?: StoredReportKind; areaId?: string; limit: number; offset: number }): Promise<{ reports: StoredReportSummary[]; matched: number }> {
  const { rows, matched } = await pageWithTotal<StoredReportSummary>(db, {
    select: `r.id::text, r.kind, to_char(r.period_start, 'YYYY-MM-DD') AS "periodStart", to_char(r.period_end, 'YYYY-MM-DD') AS "periodEnd",
            r.content->'period'->>'label' AS label,
            CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('id', a.id::text, 'code', a.code, 'name', a.name) END AS area,
            r.created_at AS "createdAt"`,
    from: `FROM stored_report r LEFT JOIN admin_area a ON a.id = r.area_id
      WHERE ($1::text IS NULL OR r.kind = $1)
        AND ($2::bigint IS NULL OR COALESCE(r.area_id, 0) = $2)`,
    orderBy: 'r.period_start DESC, r.kind, a.level NULLS FIRST, a.code NULLS FIRST',
    params: [filter.kind ?? null, filter.areaId ?? null],
  }, filter);
  return { reports: rows, matched };
}

/** One stored report with its content, or null. */
export async function getStoredReport(db: Queryable, id: string): Promise<{ kind: StoredReportKind; content: unknown } | null> {
  const { rows } = await db.query<{ kind: StoredReportKind; content: unknown }>(`SELECT kind, content FROM stored_report WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** One candidate the period raised or verified, for the bulletin's case list and map. */
export interface PeriodCase {
  id: string;
  changeType: string;
  status: string;
  areaM2: number;
  /** Verified as illegal in the period (not only raised). */
  verified: boolean;
  firstSeenAt: string | null;
  lon: number;
  lat: number;
  village: { name: string; nameEn: string | null } | null;
  street: { name: string; nameEn: string | null } | null;
}

/** Statuses of a candidate that the office set aside or merged: no case to show a leader. */
const NOT_A_CASE = ['rejected', 'permitted', 'in_register', 'previously_rejected', 'merged'];

/**
 * The candidates raised into the queue or verified in the days `start`..`end` in `areaId` (null:
 * everywhere), placed by a point on their surface like the figures, leaving out what the office
 * set aside since: verified ones first, then the largest; at most `limit`.
 */
export async function periodCases(db: Queryable, start: string, end: string, areaId: string | null, limit: number): Promise<PeriodCase[]> {
  const { rows } = await db.query<PeriodCase>(
    `WITH span AS (SELECT ($1::date)::timestamp AT TIME ZONE 'Asia/Shanghai' AS t0,
                          ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' AS t1),
          picked AS (
            SELECT c.id, bool_or(e.action = 'verify') AS verified
              FROM review_event e JOIN candidate c ON c.id = e.candidate_id, span
             WHERE e.at >= span.t0 AND e.at < span.t1
               AND (e.action = 'verify' OR (e.action = 'raise' AND e.to_status = 'pending'))
               AND c.status <> ALL ($5::text[])
               AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM admin_area a WHERE a.id = $3 AND ST_Intersects(a.geom, ST_PointOnSurface(c.geom))))
             GROUP BY c.id)
     SELECT c.id::text, c.change_type AS "changeType", c.status, round(c.area_m2)::int AS "areaM2", p.verified,
            to_char(c.first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "firstSeenAt",
            ST_X(s.spot) AS lon, ST_Y(s.spot) AS lat,
            (SELECT json_build_object('name', v.name, 'nameEn', v.name_en) FROM admin_area v
              WHERE v.id = c.village_id OR (c.village_id IS NULL AND v.level = 'village' AND ST_Intersects(v.geom, s.spot)) LIMIT 1) AS village,
            (SELECT json_build_object('name', t.name, 'nameEn', t.name_en) FROM admin_area t
              WHERE t.id = c.street_id OR (c.street_id IS NULL AND t.level = 'street' AND ST_Intersects(t.geom, s.spot)) LIMIT 1) AS street
       FROM picked p JOIN candidate c ON c.id = p.id, LATERAL (SELECT ST_PointOnSurface(c.geom) AS spot) s
      ORDER BY p.verified DESC, c.area_m2 DESC, c.id
      LIMIT $4`,
    [start, end, areaId, limit, NOT_A_CASE],
  );
  return rows;
}

/** An area drawn on a report's overview map. */
export interface MapArea {
  id: string;
  name: string;
  nameEn: string | null;
  level: ReportArea['level'];
  /** GeoJSON, simplified to about 5 m. */
  geometry: string;
  /** A point inside the area for its name. */
  labelLon: number;
  labelLat: number;
}

/**
 * What a report's overview map draws: the area and the areas one level down (a district's
 * streets, a street's villages); without an area, every street.
 */
export async function reportMapAreas(db: Queryable, areaId: string | null): Promise<{ area: MapArea | null; parts: MapArea[] }> {
  const { rows } = await db.query<MapArea & { part: boolean }>(
    `SELECT id::text, name, name_en AS "nameEn", level, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00005), 6) AS geometry,
            ST_X(ST_PointOnSurface(geom)) AS "labelLon", ST_Y(ST_PointOnSurface(geom)) AS "labelLat", id IS DISTINCT FROM $1::bigint AS part
       FROM admin_area
      WHERE ($1::bigint IS NULL AND level = 'street') OR id = $1 OR parent_id = $1
      ORDER BY code`,
    [areaId],
  );
  const strip = ({ part: _, ...area }: MapArea & { part: boolean }): MapArea => area;
  return { area: rows.find((r) => !r.part) ? strip(rows.find((r) => !r.part)!) : null, parts: rows.filter((r) => r.part).map(strip) };
}
