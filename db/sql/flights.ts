/** SQL of the flight family: flights (航飞/架次), their assets and detection runs. */
import type pg from 'pg';
import type { FlightStatus } from '#domain/vocabulary.js';
import type { Queryable } from './queryable.js';
import { pageWithTotal } from './paging.js';

export type AssetKind = 'orthophoto' | 'surface_model' | 'tile_set';
/** `reduced`: ingest's one-pass reduction of an upload, what detection reads (pipeline/src/stages/reduced-raster.ts). */
export type AssetRole = 'upload' | 'cog' | 'reduced';

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
  /** What the operator must know about a flight that ended "done" (core/flight-notices.ts). */
  notices: string[];
  footprint: string | null; // GeoJSON
  created_at: Date;
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

/** Queues an uploaded flight; a flight a worker already took further keeps its state. */
export async function markFlightQueued(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE flight SET status = 'queued', updated_at = now() WHERE id = $1 AND status = 'uploaded'`, [id]);
}

export async function getFlight(db: Queryable, id: string): Promise<(FlightRow & { assets: AssetRow[] }) | null> {
  const { rows } = await db.query<FlightRow>(
    `SELECT id, kind, status, stage, progress, captured_at, operator, gsd_m, source_crs, shift_dx_m, shift_dy_m,
            failure_reason, notices, ST_AsGeoJSON(footprint) AS footprint, created_at
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

/** A flight as lists show it, with where it stands in the queue and which files it has. */
export interface FlightListRow {
  id: string; kind: FlightRow['kind']; status: FlightStatus; stage: string | null; progress: number; captured_at: Date | null;
  operator: string | null; failure_reason: string | null; notices: string[]; created_at: Date;
  /** 1 for the queued flight a worker takes next, 2 for the one after, …; null unless queued. */
  queue_position: number | null;
  /** Which Cloud Optimized GeoTIFFs it has (GET /api/flights/:id/assets/ortho.tif, dsm.tif). */
  has_orthophoto: boolean;
  has_surface_model: boolean;
}

/** Flights newest first by number (the bigint id, never its text: "9" sorts above "12"). */
export async function listFlights(db: Queryable, limit: number, offset: number): Promise<FlightListRow[]> {
  const { rows } = await db.query<FlightListRow>(
    `SELECT f.id::text, f.kind, f.status, f.stage, f.progress, f.captured_at, f.operator, f.failure_reason, f.notices, f.created_at,
            -- queued flights are taken in the order they were queued (by id, as flight intake adds their jobs)
            CASE WHEN f.status = 'queued' THEN (SELECT count(*)::int FROM flight q WHERE q.status = 'queued' AND q.id <= f.id) END AS queue_position,
            EXISTS (SELECT 1 FROM flight_asset a WHERE a.flight_id = f.id AND a.kind = 'orthophoto' AND a.role = 'cog') AS has_orthophoto,
            EXISTS (SELECT 1 FROM flight_asset a WHERE a.flight_id = f.id AND a.kind = 'surface_model' AND a.role = 'cog') AS has_surface_model
       FROM flight f ORDER BY f.id DESC LIMIT $1 OFFSET $2`,
    [limit, offset],
  );
  return rows;
}

/**
 * The finished flight a map view should show: of those under the view's centre (what the eye is
 * on), the one captured last; else the one captured last that meets the box at all; null when none
 * does. (A share of the box would pass over a flight the map was just fitted to: the padding and
 * the screen's aspect leave it under half of the view.)
 */
export async function newestFlightCovering(db: Queryable, bbox: [number, number, number, number]): Promise<{ id: string; captured_at: Date | null } | null> {
  const { rows } = await db.query<{ id: string; captured_at: Date | null }>(
    `WITH view AS (SELECT ST_MakeEnvelope($1, $2, $3, $4, 4326) AS g)
     SELECT f.id::text, f.captured_at FROM flight f, view
      WHERE f.status = 'done' AND f.footprint && view.g AND ST_Intersects(f.footprint, view.g)
      ORDER BY ST_Intersects(f.footprint, ST_Centroid(view.g)) DESC, f.captured_at DESC NULLS LAST, f.id DESC
      LIMIT 1`,
    bbox,
  );
  return rows[0] ?? null;
}

/**
 * Moves a flight's progress forward, never back (two jobs of a flight report side by side, each
 * from what it last saw); a flight that already ended keeps its final state.
 */
export async function setFlightProgress(db: Queryable, id: string, stage: string, progress: number): Promise<void> {
  await db.query(
    `UPDATE flight SET status = 'processing', stage = $2, progress = GREATEST(progress, $3), updated_at = now()
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

/**
 * Locks the flight's row until the transaction ends and says whether it has failed: a result
 * recorded under the lock cannot land after markFlightFailed (whose update waits for the lock).
 */
export async function lockFlightUnlessFailed(client: Queryable, id: string): Promise<{ failed: boolean; reason: string | null }> {
  const { rows } = await client.query<{ status: string; failure_reason: string | null }>(`SELECT status, failure_reason FROM flight WHERE id = $1 FOR UPDATE`, [id]);
  return { failed: !rows[0] || rows[0].status === 'failed', reason: rows[0]?.failure_reason ?? null };
}

/**
 * Marks a flight failed unless it already ended: the first failure's reason is the one the
 * operator needs (a parent job failing because its child did adds nothing).
 */
export async function markFlightFailed(db: Queryable, id: string, reason: string): Promise<void> {
  await db.query(
    `UPDATE flight SET status = 'failed', failure_reason = $2, stage = NULL, updated_at = now()
      WHERE id = $1 AND status NOT IN ('failed', 'done')`,
    [id, reason],
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

/** Adds a notice to the flight for the operator, once however often a stage runs. */
export async function addFlightNotice(db: Queryable, id: string, notice: string): Promise<void> {
  await db.query(`UPDATE flight SET notices = array_append(notices, $2), updated_at = now() WHERE id = $1 AND NOT ($2 = ANY (notices))`, [id, notice]);
}

/** Whether areas are imported and none of them meets the flight's footprint. */
export async function flightOutsideEveryArea(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query<{ outside: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM admin_area)
            AND NOT EXISTS (SELECT 1 FROM admin_area a, flight f WHERE f.id = $1 AND a.geom && f.footprint AND ST_Intersects(a.geom, f.footprint)) AS outside`,
    [id],
  );
  return rows[0]?.outside ?? false;
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

/**
 * The orthophoto of the most recent earlier flight that covers most of this one: the "before"
 * image the detector and the co-registration compare against. Null when there is none.
 */
export async function earlierFlight(
  db: Queryable,
  flightId: string,
): Promise<{ flightId: string; uri: string; surfaceModelUri: string | null; shiftDxM: number; shiftDyM: number } | null> {
  const { rows } = await db.query<{ flight_id: string; uri: string; dsm_uri: string | null; dx: number | null; dy: number | null }>(
    `SELECT e.id::text AS flight_id, a.uri, d.uri AS dsm_uri, e.shift_dx_m AS dx, e.shift_dy_m AS dy
       FROM flight f
       JOIN flight e ON e.id <> f.id AND e.status = 'done' AND e.captured_at < f.captured_at
                    AND ST_Intersects(e.footprint, f.footprint)
       JOIN flight_asset a ON a.flight_id = e.id AND a.kind = 'orthophoto' AND a.role = 'cog'
       LEFT JOIN flight_asset d ON d.flight_id = e.id AND d.kind = 'surface_model' AND d.role = 'cog'
      WHERE f.id = $1
      ORDER BY ST_Area(ST_Intersection(e.footprint, f.footprint)) / ST_Area(f.footprint) > 0.5 DESC, e.captured_at DESC
      LIMIT 1`,
    [flightId],
  );
  const row = rows[0];
  return row ? { flightId: row.flight_id, uri: row.uri, surfaceModelUri: row.dsm_uri, shiftDxM: row.dx ?? 0, shiftDyM: row.dy ?? 0 } : null;
}

/**
 * Which of the given extents (in the flight's CRS, `proj`) are worth detecting: over the flight's
 * valid pixels and inside an imported administrative area (where the baseline is maintained); with
 * no areas imported at all, everywhere over the flight. Returns their indices.
 */
export async function extentsWithinCoverage(db: Queryable, flightId: string, proj: string, extents: ReadonlyArray<readonly [number, number, number, number]>): Promise<number[]> {
  const column = (k: number) => extents.map((e) => e[k]);
  const { rows } = await db.query<{ i: string }>(
    `WITH blocks AS (
       SELECT i - 1 AS i, ST_Transform(ST_MakeEnvelope(x0, y0, x1, y1), $5, 4326) AS env
         FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[]) WITH ORDINALITY AS b (x0, y0, x1, y1, i))
     SELECT b.i FROM blocks b, flight f
      WHERE f.id = $6 AND ST_Intersects(b.env, f.footprint)
        AND (NOT EXISTS (SELECT 1 FROM admin_area) OR EXISTS (SELECT 1 FROM admin_area a WHERE ST_Intersects(a.geom, b.env)))
      ORDER BY b.i`,
    [column(0), column(1), column(2), column(3), proj, flightId],
  );
  return rows.map((r) => Number(r.i));
}

/**
 * Records the ground the detection will examine: the flight's valid pixels within the planned
 * blocks (extents in the flight's CRS, `proj`); none when no block was planned. Patrol coverage is
 * counted from it, never from the footprint alone.
 */
export async function setExaminedArea(db: Queryable, flightId: string, proj: string, extents: ReadonlyArray<readonly [number, number, number, number]>): Promise<void> {
  const column = (k: number) => extents.map((e) => e[k]);
  await db.query(
    `WITH blocks AS (
       SELECT ST_Union(ST_Transform(ST_MakeEnvelope(x0, y0, x1, y1), $5, 4326)) AS g
         FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[]) AS b (x0, y0, x1, y1))
     UPDATE flight f SET examined_area = CASE WHEN blocks.g IS NULL THEN NULL
              ELSE NULLIF(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(f.footprint, blocks.g)), 3)), ST_GeomFromText('MULTIPOLYGON EMPTY', 4326)) END,
            updated_at = now()
       FROM blocks
      WHERE f.id = $6`,
    [column(0), column(1), column(2), column(3), proj, flightId],
  );
}

export interface DetectionRunRow {
  id: string;
  params: Record<string, unknown>;
  chip_count: number | null;
  /** The model-store version that serves the run ("shipped": models/). */
  model_version: string;
}

/**
 * Starts a detection run with its plan, replacing an unfinished one (a re-run after a crash).
 * `modelVersion`: the model-store version chosen for the flight; the run's later stages use it.
 */
export async function startDetectionRun(db: Queryable, flightId: string, modelName: string, modelSha256: string, params: object, modelVersion: string): Promise<string> {
  await db.query(`DELETE FROM detection_run WHERE flight_id = $1 AND status = 'running'
                   AND NOT EXISTS (SELECT 1 FROM candidate_observation o WHERE o.detection_run_id = detection_run.id)`, [flightId]);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO detection_run (flight_id, model_name, model_sha256, params, model_version) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [flightId, modelName, modelSha256, params, modelVersion],
  );
  return rows[0]!.id;
}

/** The flight's newest detection run. */
export async function latestDetectionRun(db: Queryable, flightId: string): Promise<DetectionRunRow | null> {
  const { rows } = await db.query<DetectionRunRow>(
    `SELECT id::text, params, chip_count, model_version FROM detection_run WHERE flight_id = $1 ORDER BY detection_run.id DESC LIMIT 1`,
    [flightId],
  );
  return rows[0] ?? null;
}

/** `network`: the network that served the run (most of its blocks), kept in its params as "network". */
export async function finishDetectionRun(
  db: Queryable,
  runId: string,
  fields: { chipCount?: number; candidateCount?: number; status?: 'done' | 'failed'; network?: string },
): Promise<void> {
  await db.query(
    `UPDATE detection_run SET chip_count = COALESCE($2, chip_count), candidate_count = COALESCE($3, candidate_count),
            status = COALESCE($4, status), finished_at = CASE WHEN $4 IS NULL THEN finished_at ELSE now() END,
            params = CASE WHEN $5::text IS NULL THEN params ELSE params || jsonb_build_object('network', $5::text) END
      WHERE id = $1`,
    [runId, fields.chipCount ?? null, fields.candidateCount ?? null, fields.status ?? null, fields.network ?? null],
  );
}

/**
 * The flight already made of these uploads (same SHA-256s) that did not fail, if any: the same
 * orthophoto with the same surface model, or with none when `surfaceModelSha256` is null. A
 * corrected or added surface model is a new flight.
 */
export async function flightWithUploads(db: Queryable, orthophotoSha256: string, surfaceModelSha256: string | null): Promise<{ id: string; status: FlightStatus } | null> {
  const { rows } = await db.query<{ id: string; status: FlightStatus }>(
    `SELECT f.id::text, f.status FROM flight f
       JOIN flight_asset a ON a.flight_id = f.id AND a.kind = 'orthophoto' AND a.role = 'upload'
       LEFT JOIN flight_asset d ON d.flight_id = f.id AND d.kind = 'surface_model' AND d.role = 'upload'
      WHERE a.sha256 = $1 AND d.sha256 IS NOT DISTINCT FROM $2 AND f.status <> 'failed'
      ORDER BY f.id LIMIT 1`,
    [orthophotoSha256, surfaceModelSha256],
  );
  return rows[0] ?? null;
}

/**
 * Serialises the intake of one orthophoto (by its SHA-256) until the transaction ends, across
 * processes and machines: a transaction-scoped advisory lock.
 */
export async function lockIntakeOf(client: pg.PoolClient, orthophotoSha256: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('lingwei flight intake ' || $1, 0))`, [orthophotoSha256]);
}

/** A flight's Cloud Optimized GeoTIFF of one kind, as the raster tile and asset routes serve it. */
export interface FlightCog {
  id: string;
  uri: string;
  bytes: number | null;
  width: number | null;
  height: number | null;
  sha256: string | null;
  crs: string | null;
  /** The flight's co-registration drift (metres east, north in the COG's CRS), taken out when drawing. */
  shift: { dx: number; dy: number };
}

/**
 * The COG of `kind` of a flight: `{ flight: false }` when the flight does not exist, `{ flight:
 * true, cog: null }` when it has no such COG (not ingested yet, or no surface model flown).
 */
export async function flightCog(db: Queryable, flightId: string, kind: 'orthophoto' | 'surface_model'): Promise<{ flight: boolean; cog: FlightCog | null }> {
  const { rows } = await db.query<Omit<FlightCog, 'shift'> & { flight_id: string; dx: number | null; dy: number | null }>(
    `SELECT f.id::text AS flight_id, a.id::text, a.uri, a.bytes::float8 AS bytes, a.width, a.height, a.sha256, a.crs,
            f.shift_dx_m AS dx, f.shift_dy_m AS dy
       FROM flight f LEFT JOIN flight_asset a ON a.flight_id = f.id AND a.kind = $2 AND a.role = 'cog'
      WHERE f.id = $1`,
    [flightId, kind],
  );
  const row = rows[0];
  if (!row) return { flight: false, cog: null };
  const { flight_id: _flightId, dx, dy, ...cog } = row;
  return { flight: true, cog: cog.id === null ? null : { ...cog, shift: { dx: dx ?? 0, dy: dy ?? 0 } } };
}

/**
 * What a flight's raster tiles can be drawn from, for one kind: its COG, and until the COG job has
 * written it the reduced raster (with its pixel size, metres) and the upload. Each null when absent.
 */
export interface FlightTileSources {
  flight: boolean;
  cog: FlightCog | null;
  reduced: (FlightCog & { gsdM: number | null }) | null;
  upload: FlightCog | null;
}

export async function flightTileSources(db: Queryable, flightId: string, kind: 'orthophoto' | 'surface_model'): Promise<FlightTileSources> {
  const { rows } = await db.query<Omit<FlightCog, 'shift'> & { role: string | null; gsd_m: number | null; dx: number | null; dy: number | null }>(
    `SELECT a.role, a.id::text, a.uri, a.bytes::float8 AS bytes, a.width, a.height, a.sha256, a.crs, a.gsd_m::float8 AS gsd_m,
            f.shift_dx_m AS dx, f.shift_dy_m AS dy
       FROM flight f LEFT JOIN flight_asset a ON a.flight_id = f.id AND a.kind = $2 AND a.role IN ('cog', 'reduced', 'upload')
      WHERE f.id = $1`,
    [flightId, kind],
  );
  if (!rows.length) return { flight: false, cog: null, reduced: null, upload: null };
  const of = (role: string) => {
    const row = rows.find((r) => r.role === role);
    if (!row) return null;
    const { role: _role, gsd_m: gsdM, dx, dy, ...asset } = row;
    return { ...asset, gsdM, shift: { dx: dx ?? 0, dy: dy ?? 0 } };
  };
  return { flight: true, cog: of('cog'), reduced: of('reduced'), upload: of('upload') };
}

/** A flight as the STAC catalog lists it: footprint, bounding box, time, and its COGs. */
export interface StacFlightRow {
  id: string;
  status: FlightStatus;
  captured_at: Date | null;
  created_at: Date;
  updated_at: Date;
  operator: string | null;
  gsd_m: number | null;
  footprint: string | null; // GeoJSON
  bbox: [number, number, number, number] | null;
  cogs: Array<{ kind: 'orthophoto' | 'surface_model'; bytes: number | null; width: number | null; height: number | null; crs: string | null }>;
}

/** The catalogued flights: done, or holding COGs already. */
const STAC_CATALOGUED = `(f.status = 'done' OR EXISTS (SELECT 1 FROM flight_asset a WHERE a.flight_id = f.id AND a.role = 'cog'))`;

/** Which catalogued flights a STAC request asks for: one `id`, those whose footprint meets `bbox`, those flown during `datetime`. */
export interface StacFlightFilter {
  id?: string;
  /** west, south, east, north (degrees). */
  bbox?: readonly [number, number, number, number];
  /** Inclusive bounds on the item's datetime (captured_at, else created_at); null: open. */
  datetime?: { start: string | null; end: string | null };
}

function stacFlightConditions(filter: StacFlightFilter, params: unknown[]): string {
  const param = (value: unknown) => `$${params.push(value)}`;
  const where = [STAC_CATALOGUED];
  if (filter.id !== undefined) where.push(`f.id = ${param(filter.id)}::bigint`);
  if (filter.bbox) where.push(`ST_Intersects(f.footprint, ST_MakeEnvelope(${filter.bbox.map(param).join(', ')}, 4326))`);
  if (filter.datetime?.start) where.push(`coalesce(f.captured_at, f.created_at) >= ${param(filter.datetime.start)}::timestamptz`);
  if (filter.datetime?.end) where.push(`coalesce(f.captured_at, f.created_at) <= ${param(filter.datetime.end)}::timestamptz`);
  return `WHERE ${where.join(' AND ')}`;
}

/** The ids of every catalogued flight, oldest first: the collection's `item` links for static crawlers. */
export async function stacFlightIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT f.id::text AS id FROM flight f WHERE ${STAC_CATALOGUED} ORDER BY f.id`);
  return rows.map((r) => r.id);
}

/** Flights in the STAC catalog: done, or holding COGs already; oldest first, paged, filtered. */
export async function stacFlights(db: Queryable, page: { limit: number; offset: number } & StacFlightFilter): Promise<{ flights: StacFlightRow[]; matched: number }> {
  const params: unknown[] = [];
  const { rows, matched } = await pageWithTotal<StacFlightRow>(db, {
    select: `f.id::text, f.status, f.captured_at, f.created_at, f.updated_at, f.operator, f.gsd_m,
            ST_AsGeoJSON(f.footprint, 7) AS footprint,
            CASE WHEN f.footprint IS NULL THEN NULL
                 ELSE json_build_array(ST_XMin(f.footprint), ST_YMin(f.footprint), ST_XMax(f.footprint), ST_YMax(f.footprint)) END AS bbox,
            (SELECT coalesce(json_agg(json_build_object('kind', a.kind, 'bytes', a.bytes, 'width', a.width, 'height', a.height, 'crs', a.crs)
                                      ORDER BY a.kind), '[]')
               FROM flight_asset a WHERE a.flight_id = f.id AND a.role = 'cog' AND a.kind IN ('orthophoto', 'surface_model')) AS cogs`,
    from: `FROM flight f ${stacFlightConditions(page, params)}`,
    orderBy: 'f.id',
    params,
  }, page);
  return { flights: rows, matched };
}

/** The space and time all catalogued flights cover, for the STAC collection's extent. */
export async function stacFlightsExtent(db: Queryable): Promise<{ bbox: [number, number, number, number] | null; start: Date | null; end: Date | null }> {
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number; start: Date | null; end: Date | null }>(
    `SELECT ST_XMin(e) AS w, ST_YMin(e) AS s, ST_XMax(e) AS e, ST_YMax(e) AS n, t.start, t.end
       FROM (SELECT ST_Extent(footprint)::geometry AS e, min(coalesce(captured_at, created_at)) AS start,
                    max(coalesce(captured_at, created_at)) AS end
               FROM flight f
              WHERE ${STAC_CATALOGUED}) t`,
  );
  const r = rows[0]!;
  return { bbox: r.w === null ? null : [r.w, r.s, r.e, r.n], start: r.start, end: r.end };
}
