/**
 * Stage 1, ingest: checks the uploaded orthophoto and optional surface model, makes of each in one
 * pass the reduced raster detection and co-registration read (stages/reduced-raster.ts), and
 * records the footprint of valid pixels traced on it. A flight that cannot be used fails here with
 * a reason the operator understands, before any detection work is spent on it. The
 * full-resolution COGs the tile server wants are a job of their own (stages/cog.ts), which runs
 * after detection, so that candidates never wait for them.
 */
import fs from 'node:fs';
import type pg from 'pg';
import { inTransaction } from '#db/connection.js';
import { getFlight, setFlightFootprint, upsertFlightAsset, type AssetRow } from '#db/sql/flights.js';
import { checkFlightPair, checkFlightRaster, checkSurfaceHeights, groundResolutionM, type AssetRole } from '../core/flight-checks.js';
import { stretchMaximum } from '../core/colour-stretch.js';
import { deleteVrt, readColourSample, renameGeoTiffDroppingAux, translateToVrt, validPixelPolygons, warpToVrt } from '../raster/index.js';
import { translateReportingErrors } from '../raster/gdal-child.js';
import { ensureFlightDir, FLIGHT_FILES, flightPath } from '../raster-store.js';
import { reducedAssetRow, writeReducedRaster } from './reduced-raster.js';
import { FlightRejectedError, type StageContext } from './stage.js';
import { inspectRaster, UnreadableRasterError, type InspectedRaster } from './inspect-raster.js';
import { flightWorkProblems } from './flight-work.js';
import { surfaceHeights } from './surface-heights.js';

const NAMES: Record<AssetRole, string> = { orthophoto: 'orthophoto', surface_model: 'surface model' };

export function inspectOrReject(role: AssetRole, path: string): InspectedRaster {
  try {
    return inspectRaster(path);
  } catch (error) {
    if (error instanceof UnreadableRasterError) {
      throw new FlightRejectedError(`The ${NAMES[role]} is not a readable GeoTIFF: it may be truncated or corrupt, or not a raster at all. Upload it again. (${error.message})`);
    }
    throw error;
  }
}

/** A flight's uploaded orthophoto (required) and surface model (optional), opened and described;
 * what ingest checks and the COG job writes. */
export function inspectedUploads(assets: readonly AssetRow[]): { ortho: InspectedRaster; dsm: InspectedRaster | null } {
  const upload = (kind: AssetRole) => assets.find((a) => a.kind === kind && a.role === 'upload');
  const orthoUpload = upload('orthophoto');
  if (!orthoUpload) throw new FlightRejectedError('The flight has no orthophoto: upload the orthophoto (and, if there is one, the surface model).');
  const dsmUpload = upload('surface_model');
  return { ortho: inspectOrReject('orthophoto', orthoUpload.uri), dsm: dsmUpload ? inspectOrReject('surface_model', dsmUpload.uri) : null };
}

/** The rejection for an upload GDAL could open but not read through (truncated or corrupt). */
export function unreadableToTheEnd(role: AssetRole, error: unknown): FlightRejectedError {
  return new FlightRejectedError(`The ${NAMES[role]} could not be read to the end: the file is truncated or corrupt. Upload it again. (${(error as Error).message})`);
}

/**
 * How the upload's pixels become what every later reader takes, the same for the reduced raster
 * and the COG: heights as Float32 metres (integer decimetres with a scale factor are unscaled),
 * colour as 8-bit RGB (16-bit colour gets one stretch for all bands; an alpha band becomes the
 * mask).
 */
export async function pixelOptions(role: AssetRole, meta: InspectedRaster, source: string): Promise<string[]> {
  if (role === 'surface_model') return ['-ot', 'Float32', '-unscale'];
  const scale = meta.dataType === 'Byte' ? [] : ['-ot', 'Byte', '-scale', '0', String(stretchMaximum(...(await readColourSample(source)))), '0', '255'];
  const bands = meta.bandCount === 4 ? ['-b', '1', '-b', '2', '-b', '3', '-mask', '4'] : [];
  // Bands written as grey (by many tools, and by any 16-bit source) are tagged red, green, blue:
  // right for every reader, and GDAL then has nothing to put in a .aux.xml beside the output.
  return [...scale, ...bands, '-colorinterp', 'red,green,blue'];
}

/**
 * A fill value the surface model does not declare (-9999, -32767; found by surfaceHeights),
 * declared before any pixel is read: a VRT over `source` (nothing computed), so that neither a
 * resampled read nor a COG takes it for a height. `source` itself when there is none.
 */
export async function withDeclaredFill(source: string, target: string, fill: number | null): Promise<string> {
  if (fill === null) return source;
  const vrt = `${target}.nodata.vrt`;
  await translateToVrt(source, vrt, ['-a_nodata', String(fill)]);
  return vrt;
}

/**
 * The metric CRS flights are warped to when they come in degrees (EPSG:4326) or Web Mercator
 * (EPSG:3857, whose "metres" are 17% too large at Shanghai's latitude): UTM zone 51N. The model
 * and every measurement need pixels of a true ground size.
 */
export const METRIC_CRS = 'EPSG:32651';

function inMetricCrs(meta: InspectedRaster): boolean {
  return !meta.isGeographic && meta.epsg !== 3857;
}

/** North up, rows from north to south, no rotation: the only layout the later stages read. */
function isNorthUp(meta: InspectedRaster): boolean {
  const gt = meta.geoTransform;
  return !gt || (gt[1] > 0 && gt[5] < 0 && gt[2] === 0 && gt[4] === 0);
}

export function needsWarp(meta: InspectedRaster): boolean {
  return !inMetricCrs(meta) || !isNorthUp(meta);
}

/**
 * A VRT that warps `source` north up (a south-up or rotated export) and, when it is in degrees
 * or Web Mercator, to the metric CRS; nothing is computed until the COG is written.
 */
export async function warpedNorthUpMetric(role: AssetRole, source: string, target: string, meta: InspectedRaster): Promise<string> {
  const vrt = `${target}.warp.vrt`;
  const nodata = role === 'surface_model' ? ['-dstnodata', '-9999'] : ['-dstnodata', '0'];
  const crs = inMetricCrs(meta) ? [] : ['-t_srs', METRIC_CRS];
  await warpToVrt(source, vrt, [...crs, '-r', 'bilinear', ...nodata]);
  return vrt;
}

/**
 * Writes `target` from `source` with gdal_translate `options`, through `${target}.partial`, renamed
 * only when complete so that a reader never sees half a file. In a child that fails on any error
 * GDAL reports: a corrupt JPEG tile mid-file is reported, not thrown, and would otherwise be
 * re-encoded as garbage into a flight that ends "done". A failure to read is the upload's
 * (rejected); one to write (disk full, permissions, store unreachable) is ours, and retried.
 */
export async function writeThroughChild(role: AssetRole, source: string, target: string, options: string[]): Promise<void> {
  try {
    await translateReportingErrors(source, `${target}.partial`, options);
  } catch (error) {
    fs.rmSync(`${target}.partial`, { force: true });
    if (/no space|permission denied|read-only file system|failed to write|write error/i.test((error as Error).message)) throw error;
    throw unreadableToTheEnd(role, error);
  }
  renameGeoTiffDroppingAux(target, `${target}.partial`);
}

/** Removes the VRTs a write went through (`source` when it is not the upload itself). */
export function removeVrts(upload: string, ...vrts: string[]): void {
  for (const vrt of new Set(vrts)) if (vrt !== upload) deleteVrt(vrt);
}

/**
 * The footprint of valid pixels as GeoJSON MultiPolygon in lon/lat, traced on a small overview
 * (raster/footprint.ts); an orthophoto without any is rejected.
 */
export function traceFootprint(cogPath: string, meta: InspectedRaster): string {
  const polygons = validPixelPolygons(cogPath, meta);
  if (!polygons.length) throw new FlightRejectedError('The orthophoto has no valid pixels (it is empty or entirely masked).');
  return JSON.stringify({ type: 'MultiPolygon', coordinates: polygons });
}

/**
 * The surface model's reduced raster, after every height has been read once: a surface model with
 * none, or with impossible ones (±infinity, 1e30), would end "done" having seen nothing, or raise
 * false candidates; a fill value it does not declare is declared.
 */
async function checkedReducedSurfaceModel(dsm: InspectedRaster, target: string): Promise<InspectedRaster> {
  const heights = await surfaceHeights(dsm.path);
  const problems = checkSurfaceHeights(heights.summary);
  if (problems.length) throw new FlightRejectedError(problems.join(' '));
  return writeReducedRaster('surface_model', dsm, target, heights.undeclaredFill);
}

export interface IngestResult {
  orthophoto: InspectedRaster;
  surfaceModel: InspectedRaster | null;
}

export async function ingestFlight(ctx: StageContext, flightId: string): Promise<IngestResult> {
  const flight = await getFlight(ctx.pool, flightId);
  if (!flight) throw new FlightRejectedError(`Flight ${flightId} does not exist.`);
  const { ortho, dsm } = inspectedUploads(flight.assets);
  const problems = [...checkFlightRaster('orthophoto', ortho), ...(dsm ? checkFlightRaster('surface_model', dsm) : [])];
  if (dsm && !problems.length) problems.push(...checkFlightPair(ortho, dsm));
  if (problems.length) throw new FlightRejectedError(problems.join(' '));
  // The work bounded before a pixel is read (the CLI queues without the API's check).
  const rasters = [{ role: 'orthophoto' as const, meta: ortho }, ...(dsm ? [{ role: 'surface_model' as const, meta: dsm }] : [])];
  const work = await flightWorkProblems(rasters, ctx.config.workLimits);
  if (work.length) throw new FlightRejectedError(work.map((w) => w.problem).join(' '));
  await ctx.progress(0.1);
  ensureFlightDir(ctx.config.rasterStore, flightId);
  const orthoReduced = flightPath(ctx.config.rasterStore, flightId, FLIGHT_FILES.reducedOrthophoto);
  const dsmReduced = dsm ? flightPath(ctx.config.rasterStore, flightId, FLIGHT_FILES.reducedSurfaceModel) : null;
  // The orthophoto's pass (the longest: three bands at the finest pixel) runs in its GDAL child
  // while this process reads the heights and then reduces the surface model, so that two cores
  // are busy throughout. Both are awaited before any error is raised, so a rejection never leaves
  // a write running behind the clean-up; the orthophoto's reason comes first.
  const [orthoWrite, dsmWrite] = await Promise.allSettled([
    writeReducedRaster('orthophoto', ortho, orthoReduced),
    dsm && dsmReduced ? checkedReducedSurfaceModel(dsm, dsmReduced) : Promise.resolve(null),
  ]);
  if (orthoWrite.status === 'rejected') throw orthoWrite.reason;
  if (dsmWrite.status === 'rejected') throw dsmWrite.reason;
  await ctx.progress(0.9);
  const reduced = orthoWrite.value;
  const footprint = traceFootprint(orthoReduced, reduced);
  await inTransaction(ctx.pool, async (client: pg.PoolClient) => {
    await upsertFlightAsset(client, flightId, reducedAssetRow('orthophoto', orthoReduced, reduced));
    if (dsmWrite.value && dsmReduced) await upsertFlightAsset(client, flightId, reducedAssetRow('surface_model', dsmReduced, dsmWrite.value));
    await setFlightFootprint(client, flightId, footprint, groundResolutionM(ortho)!, reduced.crs ?? 'unknown');
  });
  await ctx.progress(1);
  return { orthophoto: ortho, surfaceModel: dsm };
}
