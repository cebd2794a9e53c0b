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
import { checkSurfaceHeights, groundResolutionM, type AssetRole } from '../core/flight-checks.js';
import { stretchMaximum } from '../core/colour-stretch.js';
import {
  declareFillOptions, footprintOrRejection, isStoreWriteFailure, needsColourStretch, pixelTranslateOptions, REJECTIONS, uploadProblems, warpOptions,
} from '../core/ingest-decisions.js';
import { deleteVrt, readColourSample, renameGeoTiffDroppingAux, translateToVrt, validPixelPolygons, warpToVrt } from '../raster/index.js';
import { translateReportingErrors } from '../raster/gdal-child.js';
import { ensureFlightDir, FLIGHT_FILES, flightPath } from '../raster-store.js';
import { reducedAssetRow, writeReducedRaster } from './reduced-raster.js';
import { FlightRejectedError, type StageContext } from './stage.js';
import { inspectRaster, UnreadableRasterError, type InspectedRaster } from './inspect-raster.js';
import { flightWorkProblems } from './flight-work.js';
import { surfaceHeights } from './surface-heights.js';

// What ingest decides (what is rejected and why, warps, pixel options) is core/ingest-decisions.ts;
// this file reads and writes. The COG job reads and writes its uploads through the same functions.
export { METRIC_CRS, needsWarp } from '../core/ingest-decisions.js';

export function inspectOrReject(role: AssetRole, path: string): InspectedRaster {
  try {
    return inspectRaster(path);
  } catch (error) {
    if (error instanceof UnreadableRasterError) {
      throw new FlightRejectedError(REJECTIONS.unreadable(role, error.message));
    }
    throw error;
  }
}

/** A flight's uploaded orthophoto (required) and surface model (optional), opened and described;
 * what ingest checks and the COG job writes. */
export function inspectedUploads(assets: readonly AssetRow[]): { ortho: InspectedRaster; dsm: InspectedRaster | null } {
  const upload = (kind: AssetRole) => assets.find((a) => a.kind === kind && a.role === 'upload');
  const orthoUpload = upload('orthophoto');
  if (!orthoUpload) throw new FlightRejectedError(REJECTIONS.noOrthophoto);
  const dsmUpload = upload('surface_model');
  return { ortho: inspectOrReject('orthophoto', orthoUpload.uri), dsm: dsmUpload ? inspectOrReject('surface_model', dsmUpload.uri) : null };
}

/** The rejection for an upload GDAL could open but not read through (truncated or corrupt). */
export function unreadableToTheEnd(role: AssetRole, error: unknown): FlightRejectedError {
  return new FlightRejectedError(REJECTIONS.truncated(role, (error as Error).message));
}

/** gdal_translate's pixel options for an upload (core's pixelTranslateOptions), with the colour
 * stretch's maximum sampled from `source` when 16-bit colour needs one. */
export async function pixelOptions(role: AssetRole, meta: InspectedRaster, source: string): Promise<string[]> {
  const stretch = role === 'orthophoto' && needsColourStretch(meta) ? stretchMaximum(...(await readColourSample(source))) : null;
  return pixelTranslateOptions(role, meta, stretch);
}

/**
 * A fill value the surface model does not declare (-9999, -32767; found by surfaceHeights),
 * declared before any pixel is read: a VRT over `source` (nothing computed), so that neither a
 * resampled read nor a COG takes it for a height. `source` itself when there is none.
 */
export async function withDeclaredFill(source: string, target: string, fill: number | null): Promise<string> {
  if (fill === null) return source;
  const vrt = `${target}.nodata.vrt`;
  await translateToVrt(source, vrt, declareFillOptions(fill));
  return vrt;
}

/**
 * A VRT that warps `source` north up (a south-up or rotated export) and, when it is in degrees
 * or Web Mercator, to the metric CRS; nothing is computed until the COG is written.
 */
export async function warpedNorthUpMetric(role: AssetRole, source: string, target: string, meta: InspectedRaster): Promise<string> {
  const vrt = `${target}.warp.vrt`;
  await warpToVrt(source, vrt, warpOptions(role, meta));
  return vrt;
}

/**
 * Writes `target` from `source` with gdal_translate `options`, through `${target}.partial`, renamed
 * only when complete so that a reader never sees half a file. In a child that fails on any error
 * GDAL reports: a corrupt JPEG tile mid-file is reported, not thrown, and would otherwise be
 * re-encoded as garbage into a flight that ends "done". A failure to read is the upload's
 * (rejected); one to write (disk full, permissions, store unreachable) is ours, and retried.
 * `write` is the child's work (gdal_translate, or overviews and then gdal_translate).
 */
export async function writeThroughChild(role: AssetRole, source: string, target: string, options: string[], write = translateReportingErrors): Promise<void> {
  try {
    await write(source, `${target}.partial`, options);
  } catch (error) {
    fs.rmSync(`${target}.partial`, { force: true });
    if (isStoreWriteFailure((error as Error).message)) throw error;
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
  const traced = footprintOrRejection(validPixelPolygons(cogPath, meta));
  if ('rejection' in traced) throw new FlightRejectedError(traced.rejection);
  return traced.footprint;
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
  const problems = uploadProblems(ortho, dsm);
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
