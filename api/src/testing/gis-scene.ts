/** Test data for the GIS routes (OGC API, exports): a street, two villages, candidates and register entries. */
import type pg from 'pg';

/** Villages 北新泾村 (west) and 天山村 (east) of 新泾镇; 7 candidates, 3 register entries. */
export async function seedGisScene(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO admin_area (code, level, name, name_en, geom) VALUES
       ('310105001', 'street', '新泾镇', 'Xinjing', ST_Multi(ST_MakeEnvelope(121.0, 31.0, 121.4, 31.2, 4326)));
     INSERT INTO admin_area (code, level, name, name_en, parent_id, geom)
       SELECT v.code, 'village', v.name, v.name_en, (SELECT id FROM admin_area WHERE code = '310105001'), ST_Multi(ST_MakeEnvelope(v.w, 31.0, v.e, 31.2, 4326))
         FROM (VALUES ('310105001001', '北新泾村', 'Beixinjing', 121.0, 121.2), ('310105001002', '天山村', 'Tianshan', 121.2, 121.4)) AS v(code, name, name_en, w, e)`,
  );
  // Five candidates in the west village (seen in September or October), two in the east one.
  await pool.query(
    `INSERT INTO candidate (geom, change_type, status, priority, area_m2, triage, first_seen_at, last_seen_at, street_id, village_id)
     SELECT g, c.change_type, c.status, c.priority, lw_area_m2(g), '{"reasons": ["sensitive_zone"]}', c.first_seen::timestamptz, c.last_seen::timestamptz,
            lw_admin_area_at(g, 'street'), lw_admin_area_at(g, 'village')
       FROM (VALUES (121.05, 'new_structure', 'pending', 90, '2026-09-10T10:00:00+08:00', '2026-10-15T10:00:00+08:00'),
                    (121.07, 'rooftop_addition', 'pending', 80, '2026-09-10T10:00:00+08:00', '2026-09-10T10:00:00+08:00'),
                    (121.09, 'extension', 'verified', 70, '2026-10-15T10:00:00+08:00', '2026-10-15T10:00:00+08:00'),
                    (121.11, 'added_floor', 'pending', 60, '2026-10-15T10:00:00+08:00', '2026-10-15T10:00:00+08:00'),
                    (121.13, 'new_structure', 'rejected', 50, '2026-10-15T10:00:00+08:00', '2026-10-15T10:00:00+08:00'),
                    (121.25, 'new_structure', 'pending', 40, '2026-09-10T10:00:00+08:00', '2026-09-10T10:00:00+08:00'),
                    (121.27, 'extension', 'pending', 30, '2026-10-15T10:00:00+08:00', '2026-10-15T10:00:00+08:00'))
            AS c(x, change_type, status, priority, first_seen, last_seen),
            LATERAL (SELECT ST_Multi(ST_MakeEnvelope(c.x, 31.1, c.x + 0.0002, 31.1002, 4326)) AS g) s`,
  );
  await pool.query(
    `INSERT INTO register_entry (external_id, footprint, area_m2, category, measure, status, registered_on, village_id)
     SELECT r.id, g, lw_area_m2(g), 'personal_residence', 'registration', 'stock', r.registered_on::date, lw_admin_area_at(g, 'village')
       FROM (VALUES ('R-1', 121.06, '2024-05-01'), ('R-2', 121.08, '2025-05-01'), ('R-3', 121.26, '2026-05-01')) AS r(id, x, registered_on),
            LATERAL (SELECT ST_Multi(ST_MakeEnvelope(r.x, 31.15, r.x + 0.0003, 31.1503, 4326)) AS g) s`,
  );
}
