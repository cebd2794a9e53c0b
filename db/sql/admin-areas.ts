/** SQL of the admin_area family: district (区) > street/town (街镇) > village/community (居村). */
import type pg from 'pg';
import type { Queryable } from './queryable.js';
import { pageWithTotal } from './paging.js';

/**
 * Upserts the checked import rows by code, then links each area to its parent by parent_code.
 * Returns the codes whose parent is neither in the file nor already in the database.
 */
export async function upsertAdminAreasFromImport(client: pg.PoolClient): Promise<{ count: number; orphans: Array<{ idx: number; parent: string }> }> {
  const inserted = await client.query(
    `INSERT INTO admin_area AS a (code, level, name, name_en, geom)
     SELECT key, attrs->>'level', attrs->>'name', attrs->>'name_en', geom FROM import_checked
     ON CONFLICT (code) DO UPDATE
        SET level = EXCLUDED.level, name = EXCLUDED.name, name_en = EXCLUDED.name_en, geom = EXCLUDED.geom,
            imported_at = now()`,
  );
  const { rows: orphans } = await client.query<{ idx: number; parent: string }>(
    `SELECT c.idx, c.attrs->>'parent_code' AS parent FROM import_checked c
      WHERE c.attrs->>'parent_code' IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM admin_area p WHERE p.code = c.attrs->>'parent_code')
      ORDER BY c.idx`,
  );
  await client.query(
    `UPDATE admin_area a SET parent_id = p.id
       FROM import_checked c JOIN admin_area p ON p.code = c.attrs->>'parent_code'
      WHERE a.code = c.key`,
  );
  return { count: inserted.rowCount ?? 0, orphans };
}

export interface VillageRow {
  id: string;
  code: string;
  name: string;
  name_en: string | null;
  street: { id: string; code: string; name: string } | null;
}

const VILLAGE_COLUMNS = `v.id::text, v.code, v.name, v.name_en,
       CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('id', s.id::text, 'code', s.code, 'name', s.name) END AS street`;

/** Villages/communities (居村) with their street/town, by street then code; optionally one street's (by code). */
export async function listVillages(db: Queryable, filter: { streetCode?: string; limit: number; offset: number }): Promise<{ villages: VillageRow[]; matched: number }> {
  const { rows, matched } = await pageWithTotal<VillageRow>(db, {
    select: VILLAGE_COLUMNS,
    from: `FROM admin_area v LEFT JOIN admin_area s ON s.id = v.parent_id AND s.level = 'street'
      WHERE v.level = 'village' AND ($1::text IS NULL OR s.code = $1)`,
    orderBy: 's.code NULLS LAST, v.code',
    params: [filter.streetCode ?? null],
  }, filter);
  return { villages: rows, matched };
}

/** One village by id; null when there is none (or the area is a street or district). */
export async function villageById(db: Queryable, id: string): Promise<VillageRow | null> {
  const { rows } = await db.query<VillageRow>(
    `SELECT ${VILLAGE_COLUMNS}
       FROM admin_area v LEFT JOIN admin_area s ON s.id = v.parent_id AND s.level = 'street'
      WHERE v.id = $1 AND v.level = 'village'`,
    [id],
  );
  return rows[0] ?? null;
}

export interface AdminAreaPage {
  level: 'district' | 'street' | 'village';
  /** One area by id. */
  id?: string;
  /** [west, south, east, north] in lon/lat, through the GiST index. */
  bbox?: [number, number, number, number];
  limit: number;
  offset: number;
}

/** The WHERE clause of an area page (level, bounding box, id), values pushed onto `params`. */
export function adminAreaConditions(page: Omit<AdminAreaPage, 'limit' | 'offset'>, params: unknown[]): string {
  const param = (value: unknown) => `$${params.push(value)}`;
  const where = [`a.level = ${param(page.level)}`];
  if (page.id !== undefined) where.push(`a.id = ${param(page.id)}`);
  if (page.bbox) where.push(`ST_Intersects(a.geom, ST_MakeEnvelope(${page.bbox.map(param).join(', ')}, 4326))`);
  return `WHERE ${where.join(' AND ')}`;
}

/** Areas of one level as GeoJSON features (OGC API items), by code, with the matched count. */
export async function listAdminAreas(db: Queryable, page: AdminAreaPage): Promise<{ features: object[]; matched: number }> {
  const params: unknown[] = [];
  const { rows, matched } = await pageWithTotal<{ feature: object }>(db, {
    select: `json_build_object('type', 'Feature', 'id', a.id, 'geometry', ST_AsGeoJSON(a.geom, 7)::json,
              'properties', json_build_object('code', a.code, 'name', a.name, 'name_en', a.name_en, 'level', a.level,
                'parent_code', p.code, 'parent', p.name, 'area_m2', round(lw_area_m2(a.geom)::numeric))) AS feature`,
    from: `FROM admin_area a LEFT JOIN admin_area p ON p.id = a.parent_id ${adminAreaConditions(page, params)}`,
    orderBy: 'a.code',
    params,
  }, page);
  return { features: rows.map((r) => r.feature), matched };
}

/** The lon/lat box of one level's areas; null when there are none. */
export async function adminAreaExtent(db: Queryable, level: AdminAreaPage['level']): Promise<number[] | null> {
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number }>(
    `SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n
       FROM (SELECT ST_Extent(geom) AS x FROM admin_area WHERE level = $1) b`,
    [level],
  );
  const r = rows[0]!;
  return r.w === null ? null : [r.w, r.s, r.e, r.n];
}
