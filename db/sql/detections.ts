/** SQL of the detection family: pieces cut from a run's probability map, before triage. */
import type pg from 'pg';

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
  await client.query(
    `INSERT INTO detection (detection_run_id, kind, geom, area_m2, score, height_gain_m, shape)
     SELECT $1, d.kind, g, lw_area_m2(g), d.score, d.height_gain_m, d.shape
       FROM unnest($2::text[], $3::text[], $4::real[], $5::real[], $6::text[]) AS d (kind, geometry, score, height_gain_m, shape),
            LATERAL (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(ST_GeomFromGeoJSON(d.geometry), $7, 4326)), 3)) AS g) t
      WHERE NOT ST_IsEmpty(g)`,
    [runId, detections.map((d) => d.kind), detections.map((d) => d.geometry), detections.map((d) => d.score),
      detections.map((d) => d.heightGainM), detections.map((d) => d.shape), proj],
  );
}

export async function detectionsOfRun(db: pg.Pool | pg.PoolClient, runId: string, proj: string): Promise<DetectionRow[]> {
  const { rows } = await db.query<DetectionRow>(
    `SELECT id::text, kind, ST_AsGeoJSON(geom, 9) AS geometry, ST_AsGeoJSON(ST_Transform(geom, $2), 3) AS geometry_crs,
            area_m2, score, height_gain_m
       FROM detection WHERE detection_run_id = $1 ORDER BY id`,
    [runId, proj],
  );
  return rows;
}
