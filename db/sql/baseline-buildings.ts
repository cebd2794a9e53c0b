/** SQL of the baseline_building family: the 3D baseline of what is legally there. */
import type pg from 'pg';
import type { Queryable } from './queryable.js';

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

export interface BaselineInCrs {
  id: string;
  /** GeoJSON Polygon or MultiPolygon coordinates in the requested CRS. */
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
  heightM: number;
}

/**
 * Baseline buildings intersecting an extent given in a flight's CRS (`proj`: a PROJ string or
 * WKT), returned in that CRS: what the detector rasterises as "what is legally there".
 * The footprints are transformed as one collection: PostGIS (3.3) builds a PROJ transformation
 * from a text CRS on every ST_Transform call, about 6 ms each, which per row cost the detect
 * stage more than the network did; once per query it costs one.
 */
export async function baselineInExtent(
  db: Queryable,
  extent: readonly [number, number, number, number],
  proj: string,
): Promise<BaselineInCrs[]> {
  const { rows } = await db.query<{ id: string; geometry: string; height_m: number }>(
    `WITH hit AS (
       SELECT id, footprint, height_m FROM baseline_building
        WHERE ST_Intersects(footprint, ST_Transform(ST_MakeEnvelope($1, $2, $3, $4), $5, 4326))
     ), moved AS (
       SELECT array_agg(id ORDER BY id) AS ids, array_agg(height_m ORDER BY id) AS heights,
              ST_Transform(ST_ForceCollection(ST_Collect(footprint ORDER BY id)), $5) AS parts
         FROM hit
     )
     SELECT ids[i]::text AS id, ST_AsGeoJSON(ST_GeometryN(parts, i)) AS geometry, heights[i] AS height_m
       FROM moved, generate_subscripts(ids, 1) AS i
      ORDER BY i`,
    [...extent, proj],
  );
  return rows.map((r) => ({ id: r.id, geometry: JSON.parse(r.geometry) as BaselineInCrs['geometry'], heightM: r.height_m }));
}
