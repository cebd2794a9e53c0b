/** SQL of the baseline_building family: the 3D baseline of what is legally there. */
import type pg from 'pg';

/** Upserts the checked import rows; a building already imported from `source` is updated in place. */
export async function upsertBaselineFromImport(client: pg.PoolClient, source: string): Promise<number> {
  const result = await client.query(
    `INSERT INTO baseline_building AS b (source, source_key, footprint, height_m, ground_elev_m, roof_type, survey_date, area_m2)
     SELECT $1, key, geom, (attrs->>'height_m')::real, (attrs->>'ground_elev_m')::real, attrs->>'roof_type',
            (attrs->>'survey_date')::date, lw_area_m2(geom)
       FROM import_checked
     ON CONFLICT (source, source_key) DO UPDATE
        SET footprint = EXCLUDED.footprint, height_m = EXCLUDED.height_m, ground_elev_m = EXCLUDED.ground_elev_m,
            roof_type = EXCLUDED.roof_type, survey_date = EXCLUDED.survey_date, area_m2 = EXCLUDED.area_m2,
            imported_at = now()`,
    [source],
  );
  return result.rowCount ?? 0;
}

export async function countBaselineBuildings(client: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM baseline_building');
  return Number(rows[0]!.n);
}
