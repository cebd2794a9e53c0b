/** SQL of the register_entry family: the stock register of illegal buildings (存量违建台账). */
import type pg from 'pg';
import type { Queryable } from './queryable.js';
import { pageWithTotal } from './paging.js';

/**
 * Upserts the checked import rows by external id. The village is taken from `village_code` when
 * given, otherwise found spatially; the street is the village's parent, or found spatially.
 */
export async function upsertRegisterFromImport(client: pg.PoolClient): Promise<number> {
  const result = await client.query(
    `WITH located AS (
       SELECT c.*, COALESCE((SELECT id FROM admin_area WHERE code = c.attrs->>'village_code'),
                            lw_admin_area_at(c.geom, 'village')) AS village_id
         FROM import_checked c)
     INSERT INTO register_entry AS r (external_id, footprint, area_m2, category, measure, status, street_id, village_id,
                                      registered_on, demolished_on, last_safety_inspection, notes)
     SELECT key, geom, lw_area_m2(geom), attrs->>'category', attrs->>'measure', attrs->>'status',
            COALESCE((SELECT parent_id FROM admin_area WHERE id = village_id), lw_admin_area_at(geom, 'street')),
            village_id, (attrs->>'registered_on')::date, (attrs->>'demolished_on')::date,
            (attrs->>'last_safety_inspection')::date, attrs->>'notes'
       FROM located
     ON CONFLICT (external_id) DO UPDATE
        SET footprint = EXCLUDED.footprint, area_m2 = EXCLUDED.area_m2, category = EXCLUDED.category,
            measure = EXCLUDED.measure, status = EXCLUDED.status, street_id = EXCLUDED.street_id,
            village_id = EXCLUDED.village_id, registered_on = EXCLUDED.registered_on,
            demolished_on = EXCLUDED.demolished_on, last_safety_inspection = EXCLUDED.last_safety_inspection,
            notes = EXCLUDED.notes, imported_at = now()`,
  );
  return result.rowCount ?? 0;
}

export interface RegisterPage {
  /** One entry by id. */
  id?: string;
  /** [west, south, east, north] in lon/lat, through the GiST index. */
  bbox?: [number, number, number, number];
  /** Registered on a Shanghai day inside this interval; RFC 3339 bounds, inclusive, null: open. */
  registeredDuring?: { start: string | null; end: string | null };
  limit: number;
  offset: number;
}

/** The WHERE clause of a register page (bounding box, registration dates, id), values pushed onto `params`. */
export function registerConditions(page: Omit<RegisterPage, 'limit' | 'offset'>, params: unknown[]): string {
  const param = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  if (page.id !== undefined) where.push(`r.id = ${param(page.id)}`);
  if (page.bbox) where.push(`ST_Intersects(r.footprint, ST_MakeEnvelope(${page.bbox.map(param).join(', ')}, 4326))`);
  const shanghaiDay = (bound: string) => `(${param(bound)}::timestamptz AT TIME ZONE 'Asia/Shanghai')::date`;
  if (page.registeredDuring?.start) where.push(`r.registered_on >= ${shanghaiDay(page.registeredDuring.start)}`);
  if (page.registeredDuring?.end) where.push(`r.registered_on <= ${shanghaiDay(page.registeredDuring.end)}`);
  if (page.registeredDuring) where.push(`r.registered_on IS NOT NULL`);
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** Register entries as GeoJSON features (OGC API items), in id order, with the matched count. */
export async function listRegisterEntries(db: Queryable, page: RegisterPage): Promise<{ features: object[]; matched: number }> {
  const params: unknown[] = [];
  const { rows, matched } = await pageWithTotal<{ feature: object }>(db, {
    select: `json_build_object('type', 'Feature', 'id', r.id, 'geometry', ST_AsGeoJSON(r.footprint, 7)::json,
              'properties', json_build_object('external_id', r.external_id, 'category', r.category, 'measure', r.measure,
                'status', r.status, 'area_m2', round(r.area_m2::numeric, 1), 'village_code', v.code, 'village', v.name,
                'street_code', s.code, 'street', s.name, 'registered_on', r.registered_on, 'demolished_on', r.demolished_on,
                'last_safety_inspection', r.last_safety_inspection, 'notes', r.notes)) AS feature`,
    from: `FROM register_entry r LEFT JOIN admin_area v ON v.id = r.village_id LEFT JOIN admin_area s ON s.id = r.street_id
       ${registerConditions(page, params)}`,
    orderBy: 'r.id',
    params,
  }, page);
  return { features: rows.map((r) => r.feature), matched };
}

/**
 * The register's extent: lon/lat box and registration dates (nulls when empty). The box comes from
 * the planner's statistics (ST_EstimatedExtent, a little generous) because an exact ST_Extent
 * reads every footprint, seconds for millions; the exact one only before the first ANALYZE.
 */
export async function registerExtent(db: Queryable): Promise<{ bbox: number[] | null; start: string | null; end: string | null }> {
  const { rows } = await db.query<{ w: number | null; s: number | null; e: number | null; n: number | null; start: string | null; end: string | null }>(
    `SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n, t.start, t.end
       FROM (SELECT COALESCE(ST_EstimatedExtent('register_entry', 'footprint'), (SELECT ST_Extent(footprint) FROM register_entry)) AS x) b,
            (SELECT to_char(min(registered_on), 'YYYY-MM-DD"T00:00:00+08:00"') AS start,
                    to_char(max(registered_on), 'YYYY-MM-DD"T23:59:59+08:00"') AS end FROM register_entry) t`,
  );
  const r = rows[0]!;
  return { bbox: r.w === null ? null : [r.w, r.s!, r.e!, r.n!], start: r.start, end: r.end };
}
