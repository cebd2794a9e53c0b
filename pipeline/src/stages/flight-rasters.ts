/**
 * What the stages after ingest share: a flight's COGs, their CRS (as PROJ for PostGIS), the
 * drift measured by co-registration, the earlier flight to compare with, and the grid the
 * model works on. Read from the flight row, so every stage (on any worker) sees the same thing.
 */
import type pg from 'pg';
import { earlierFlight, getFlight, type FlightRow } from '#db/sql/flights.js';
import { gridForExtent, type Grid } from '../model/grid.js';
import { openRaster, wktToProj4 } from '../raster/index.js';
import { FlightRejectedError } from './stage.js';

export interface FlightRasters {
  flight: FlightRow;
  /**
   * The full-resolution orthophoto, for evidence chips: the COG, or until the COG job has written
   * it the upload (north up: the COG's pixels before encoding; else the reduced raster).
   */
  orthophoto: string;
  /** The surface model: its COG, or until then the reduced one (its presence is what counts). */
  surfaceModel: string | null;
  /**
   * What detection and co-registration read: ingest's reduced rasters (stages/reduced-raster.ts),
   * or the COGs of a flight ingested before there were any.
   */
  detection: { orthophoto: string; surfaceModel: string | null };
  /** The flight's CRS as a PROJ string, for ST_Transform. */
  proj: string;
  /** The flight's CRS (its orthophoto's) as WKT: every raster read for the flight is read in it. */
  srsWkt: string;
  /** Extent of the orthophoto in its CRS: [minX, minY, maxX, maxY]. */
  extent: [number, number, number, number];
  /** Drift of this flight's content, metres east and north (0 before co-registration). */
  shift: { dx: number; dy: number };
  /**
   * The earlier flight's orthophoto, its surface model when it had one, and its own drift, when
   * one covers this flight.
   */
  /** The earlier flight compared against (its id names the "before" evidence chips). */
  before: { flightId: string; uri: string; surfaceModel: string | null; shift: { dx: number; dy: number } } | null;
  /** Observation date, YYYY-MM-DD (China Standard Time). */
  observedOn: string;
}

export async function loadFlightRasters(pool: pg.Pool, flightId: string): Promise<FlightRasters> {
  const flight = await getFlight(pool, flightId);
  if (!flight) throw new FlightRejectedError(`Flight ${flightId} does not exist.`);
  const asset = (kind: string, role: string) => flight.assets.find((a) => a.kind === kind && a.role === role)?.uri ?? null;
  const upload = asset('orthophoto', 'upload');
  const detection = {
    orthophoto: asset('orthophoto', 'reduced') ?? asset('orthophoto', 'cog'),
    surfaceModel: asset('surface_model', 'reduced') ?? asset('surface_model', 'cog'),
  };
  if (!detection.orthophoto) throw new Error(`flight ${flightId} has not been ingested (no reduced orthophoto, no COG)`);
  const orthophoto = asset('orthophoto', 'cog') ?? (upload && isNorthUpFile(upload) ? upload : detection.orthophoto);
  const source = openRaster(detection.orthophoto);
  const [x0, dx, , y0, , dy] = source.geoTransform;
  const extent: [number, number, number, number] = [x0, y0 + source.height * dy, x0 + source.width * dx, y0];
  const srsWkt = source.srsWkt!;
  const proj = wktToProj4(srsWkt);
  source.close();
  const earlier = await earlierFlight(pool, flightId);
  const captured = flight.captured_at ?? new Date();
  return {
    flight,
    orthophoto,
    surfaceModel: asset('surface_model', 'cog') ?? detection.surfaceModel,
    detection: { orthophoto: detection.orthophoto, surfaceModel: detection.surfaceModel },
    proj,
    srsWkt,
    extent,
    shift: { dx: flight.shift_dx_m ?? 0, dy: flight.shift_dy_m ?? 0 },
    before: earlier ? { flightId: earlier.flightId, uri: earlier.uri, surfaceModel: earlier.surfaceModelUri, shift: { dx: earlier.shiftDxM, dy: earlier.shiftDyM } } : null,
    observedOn: new Date(captured.getTime() + 8 * 3600_000).toISOString().slice(0, 10),
  };
}

/** Whether a raster is north up without rotation, as every grid read here assumes. */
function isNorthUpFile(uri: string): boolean {
  const source = openRaster(uri);
  const [, dx, rx, , ry, dy] = source.geoTransform;
  source.close();
  return dx > 0 && dy < 0 && rx === 0 && ry === 0;
}

/** The flight's extent on a grid of `gsd` metres (the model's). */
export function flightGrid(rasters: FlightRasters, gsd: number): Grid {
  return gridForExtent(rasters.extent, gsd);
}
