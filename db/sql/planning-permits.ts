/** SQL of the planning_permit family (规划许可). */
import type pg from 'pg';

export async function upsertPermitsFromImport(client: pg.PoolClient): Promise<number> {
  const result = await client.query(
    `INSERT INTO planning_permit AS p (permit_no, geom, valid_from, valid_to, holder, description)
     SELECT key, geom, (attrs->>'valid_from')::date, (attrs->>'valid_to')::date, attrs->>'holder', attrs->>'description'
       FROM import_checked
     ON CONFLICT (permit_no) DO UPDATE
        SET geom = EXCLUDED.geom, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
            holder = EXCLUDED.holder, description = EXCLUDED.description, imported_at = now()`,
  );
  return result.rowCount ?? 0;
}
