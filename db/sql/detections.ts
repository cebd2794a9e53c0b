/** SQL of the detection family: pieces cut from a run's probability map, before triage. */
import type pg from 'pg';
import type { Queryable } from './queryable.js';

export interface DetectionInput {
  kind: 'new' | 'demolished';
  /** GeoJSON Polygon/MultiPolygon in the flight's CRS. */
  geometry: string;
  score: number;
  heightGainM: number | null;
  shape: string;
}

export interface DetectionRow {
  id: string;
  kind: 'new' | 'demolished';
  /** GeoJSON in lon/lat. */
  geometry: string;
  /** GeoJSON in the flight's CRS (the `proj` asked for). */
  geometry_crs: string;
  area_m2: number;
  score: number;
  height_gain_m: number | null;
}

/** Replaces the run's detections (a re-run of vectorise writes the same set again, never twice). */
export async function replaceDetections(client: pg.PoolClient, runId: string, proj: string, detections: DetectionInput[]): Promise<void> {
  await client.query('DELETE FROM detection WHERE detection_run_id = $1', [runId]);
  if (!detections.length) return;
  // All pieces are transformed as one collection: PostGIS builds a PROJ transformation from a
  // text CRS on every ST_Transform call (about 6 ms), so per row it cost more than the rest.
  await client.query(
    `WITH d AS (SELECT * FROM unnest($2::text[], $3::text[], $4::real[], $5::real[], $6::text[])
                  WITH ORDINALITY AS d (kind, geometry, score, height_gain_m, shape, i)),
          moved AS (SELECT ST_Transform(ST_ForceCollection(ST_Collect(ST_GeomFromGeoJSON(d.geometry) ORDER BY d.i)), $7, 4326) AS parts FROM d)
     INSERT INTO detection (detection_run_id, kind, geom, area_m2, score, height_gain_m, shape)
     SELECT $1, d.kind, g, lw_area_m2(g), d.score, d.height_gain_m, d.shape
       FROM d, moved, LATERAL (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeometryN(moved.parts, d.i::int)), 3)) AS g) t
      WHERE NOT ST_IsEmpty(g)
      ORDER BY d.i`,
    [runId, detections.map((d) => d.kind), detections.map((d) => d.geometry), detections.map((d) => d.score),
      detections.map((d) => d.heightGainM), detections.map((d) => d.shape), proj],
  );
}

export async function detectionsOfRun(db: Queryable, runId: string, proj: string): Promise<DetectionRow[]> {
  // Transformed to the flight's CRS as one collection (see replaceDetections).
  const { rows } = await db.query<DetectionRow>(
    `WITH d AS (SELECT row_number() OVER (ORDER BY id) AS i, * FROM detection WHERE detection_run_id = $1),
          moved AS (SELECT ST_Transform(ST_ForceCollection(ST_Collect(geom ORDER BY i)), $2) AS parts FROM d)
     SELECT d.id::text, d.kind, ST_AsGeoJSON(d.geom, 9) AS geometry, ST_AsGeoJSON(ST_GeometryN(moved.parts, d.i::int), 3) AS geometry_crs,
            d.area_m2, d.score, d.height_gain_m
       FROM d, moved ORDER BY d.i`,
    [runId, proj],
  );
  return rows;
}
