/** SQL of the sensitive_zone family: safety-hazard zones and historic protected buildings. */
import type pg from 'pg';

export async function upsertZonesFromImport(client: pg.PoolClient): Promise<number> {
  const result = await client.query(
    `INSERT INTO sensitive_zone AS z (zone_key, kind, name, geom)
     SELECT key, attrs->>'kind', attrs->>'name', geom FROM import_checked
     ON CONFLICT (zone_key) DO UPDATE
        SET kind = EXCLUDED.kind, name = EXCLUDED.name, geom = EXCLUDED.geom, imported_at = now()`,
  );
  return result.rowCount ?? 0;
}
