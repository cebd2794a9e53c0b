/** SQL of the flight family: flights (航飞/架次), their assets and detection runs. */
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export type FlightStatus = 'uploaded' | 'queued' | 'processing' | 'done' | 'failed';
export type AssetKind = 'orthophoto' | 'surface_model' | 'tile_set';
export type AssetRole = 'upload' | 'cog';

export interface FlightRow {
  id: string;
  kind: 'drone' | 'aerial_tiles';
  status: FlightStatus;
  stage: string | null;
  progress: number;
  captured_at: Date | null;
  operator: string | null;
  gsd_m: number | null;
  source_crs: string | null;
  shift_dx_m: number | null;
  shift_dy_m: number | null;
  failure_reason: string | null;
  footprint: string | null; // GeoJSON
}

export interface AssetRow {
  kind: AssetKind;
  role: AssetRole;
  uri: string;
  sha256: string | null;
  bytes: number | null;
  width: number | null;
  height: number | null;
  band_count: number | null;
  data_type: string | null;
  gsd_m: number | null;
  crs: string | null;
}

export async function createFlight(
  db: Queryable,
  flight: { kind?: 'drone' | 'aerial_tiles'; capturedAt?: string | null; operator?: string | null; uploadedBy?: string | null },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO flight (kind, captured_at, operator, uploaded_by) VALUES ($1, $2, $3, $4) RETURNING id`,
    [flight.kind ?? 'drone', flight.capturedAt ?? null, flight.operator ?? null, flight.uploadedBy ?? null],
  );
  return rows[0]!.id;
}

export async function getFlight(db: Queryable, id: string): Promise<(FlightRow & { assets: AssetRow[] }) | null> {
  const { rows } = await db.query<FlightRow>(
    `SELECT id, kind, status, stage, progress, captured_at, operator, gsd_m, source_crs, shift_dx_m, shift_dy_m,
            failure_reason, ST_AsGeoJSON(footprint) AS footprint
       FROM flight WHERE id = $1`,
    [id],
  );
  if (!rows[0]) return null;
  const { rows: assets } = await db.query<AssetRow>(
    `SELECT kind, role, uri, sha256, bytes::float8 AS bytes, width, height, band_count, data_type, gsd_m, crs
       FROM flight_asset WHERE flight_id = $1 ORDER BY kind, role`,
    [id],
  );
  return { ...rows[0], assets };
}

/** Moves a flight's progress forward; a flight that already ended keeps its final state. */
export async function setFlightProgress(db: Queryable, id: string, stage: string, progress: number): Promise<void> {
  await db.query(
    `UPDATE flight SET status = 'processing', stage = $2, progress = $3, updated_at = now()
      WHERE id = $1 AND status NOT IN ('done', 'failed')`,
    [id, stage, Math.max(0, Math.min(1, progress))],
  );
}

export async function setFlightStatus(db: Queryable, id: string, status: FlightStatus, failureReason: string | null = null): Promise<void> {
  await db.query(
    `UPDATE flight SET status = $2, failure_reason = $3, updated_at = now(),
            progress = CASE WHEN $2 = 'done' THEN 1 ELSE progress END,
            stage = CASE WHEN $2 IN ('done', 'failed') THEN NULL ELSE stage END
      WHERE id = $1`,
    [id, status, failureReason],
  );
}

export async function upsertFlightAsset(db: Queryable, flightId: string, asset: AssetRow): Promise<void> {
  await db.query(
    `INSERT INTO flight_asset (flight_id, kind, role, uri, sha256, bytes, width, height, band_count, data_type, gsd_m, crs)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (flight_id, kind, role) DO UPDATE
        SET uri = EXCLUDED.uri, sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes, width = EXCLUDED.width,
            height = EXCLUDED.height, band_count = EXCLUDED.band_count, data_type = EXCLUDED.data_type,
            gsd_m = EXCLUDED.gsd_m, crs = EXCLUDED.crs`,
    [flightId, asset.kind, asset.role, asset.uri, asset.sha256, asset.bytes, asset.width, asset.height, asset.band_count,
      asset.data_type, asset.gsd_m, asset.crs],
  );
}

/** Records what ingest learnt: where the flight's valid pixels are, its resolution and CRS. */
export async function setFlightFootprint(db: Queryable, id: string, footprintGeoJson: string, gsdM: number, crs: string): Promise<void> {
  await db.query(
    `UPDATE flight SET footprint = ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), 3)),
            gsd_m = $3, source_crs = $4, updated_at = now()
      WHERE id = $1`,
    [id, footprintGeoJson, gsdM, crs],
  );
}

export async function setFlightShift(db: Queryable, id: string, dxM: number, dyM: number): Promise<void> {
  await db.query(`UPDATE flight SET shift_dx_m = $2, shift_dy_m = $3, updated_at = now() WHERE id = $1`, [id, dxM, dyM]);
}
