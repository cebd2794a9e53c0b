/**
 * The reduced rasters: each upload read once, at full resolution, and averaged to REDUCED_GSD_M
 * (co-registration's pixel, half the model's), so that detection, co-registration and the
 * footprint never wait for the full-resolution COGs (stages/cog.ts) and never decode a
 * full-resolution pixel again. A 1 km² flight at 3 cm is 1.1 Gpx; its reduced orthophoto is 16 Mpx.
 * The reduced raster keeps the upload's exact extent (its pixels are REDUCED_GSD_M up to a rounding
 * of the count), so the model's grid over it is the grid over the upload.
 */
import type { AssetRow } from '#db/sql/flights.js';
import { groundResolutionM, type AssetRole } from '../core/flight-checks.js';
import { mediumOf } from '../raster-store.js';
import { DRIFT_GSD_M } from '../model/drift.js';
import { inspectRaster, type InspectedRaster } from './inspect-raster.js';
import { needsWarp, pixelOptions, removeVrts, warpedNorthUpMetric, withDeclaredFill, writeThroughChild } from './ingest.js';

/** Ground size of a reduced raster's pixels, metres: the finest any reader of it asks for. */
export const REDUCED_GSD_M = DRIFT_GSD_M;

/** Pixels of the reduced raster over `meta`'s extent: REDUCED_GSD_M, or the upload's own when coarser. */
export function reducedSize(meta: Pick<InspectedRaster, 'width' | 'height' | 'geoTransform'>): { width: number; height: number } {
  const [, sx, , , , sy] = meta.geoTransform!;
  const side = (pixels: number, size: number) => Math.min(pixels, Math.max(1, Math.round((pixels * Math.abs(size)) / REDUCED_GSD_M)));
  return { width: side(meta.width, sx), height: side(meta.height, sy) };
}

/**
 * Writes the reduced raster of one upload (north up, metric CRS, heights in metres with an
 * undeclared fill declared, colour as 8-bit RGB: what the COG holds) and returns what it is.
 * The full-resolution pixels are all decoded (overviews of an uploaded COG are not used), so a
 * truncated or corrupt upload is rejected here, before detection.
 */
export async function writeReducedRaster(role: AssetRole, upload: InspectedRaster, target: string, undeclaredFill: number | null = null): Promise<InspectedRaster> {
  const declared = role === 'surface_model' && upload.nodata === null ? await withDeclaredFill(upload.path, target, undeclaredFill) : upload.path;
  const source = needsWarp(upload) ? await warpedNorthUpMetric(role, declared, target, upload) : declared;
  try {
    const meta = source === upload.path ? upload : inspectRaster(source);
    const { width, height } = reducedSize(meta);
    const format = role === 'surface_model'
      ? ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3', '-co', 'ZLEVEL=1']
      : ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2', '-co', 'ZLEVEL=1'];
    const options = ['-of', 'GTiff', '-ovr', 'NONE', '-outsize', String(width), String(height), '-r', 'average', '-co', 'TILED=YES', ...format, ...(await pixelOptions(role, meta, source))];
    await writeThroughChild(role, source, target, options);
  } finally {
    removeVrts(upload.path, source, declared);
  }
  return inspectRaster(target);
}

/** The flight's record of a reduced raster (role `reduced`): what loadFlightRasters hands detection. */
export function reducedAssetRow(role: AssetRole, uri: string, meta: InspectedRaster): AssetRow {
  return {
    kind: role, role: 'reduced', uri, sha256: null, bytes: mediumOf(uri).storedBytes(uri),
    width: meta.width, height: meta.height, band_count: meta.bandCount, data_type: meta.dataType, gsd_m: groundResolutionM(meta), crs: meta.crs,
  };
}
