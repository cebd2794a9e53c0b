/** SQL of the admin_area family: district (区) > street/town (街镇) > village/community (居村). */
import type pg from 'pg';

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
