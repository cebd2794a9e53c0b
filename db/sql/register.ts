/** SQL of the register_entry family: the stock register of illegal buildings (存量违建台账). */
import type pg from 'pg';

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
