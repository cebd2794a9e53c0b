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
import { declareFillOptions, reducedSize } from '../core/ingest-decisions.js';
import { overviewsThenTranslateReportingErrors } from '../raster/gdal-child.js';
import { translateToVrt } from '../raster/index.js';
import { mediumOf } from '../raster-store.js';
import { DRIFT_GSD_M } from '../model/drift.js';
import { cogOverviewFactors, cogOverviewsFile, ingestMakesCogOverviews, overviewsCarrier, publishCogOverviews, removeAllCogOverviews, removeCogOverviews } from './cog-sources.js';
import { inspectRaster, type InspectedRaster } from './inspect-raster.js';
import { needsWarp, pixelOptions, removeVrts, warpedNorthUpMetric, withDeclaredFill, writeThroughChild } from './ingest.js';

/** Ground size of a reduced raster's pixels, metres: the finest any reader of it asks for. */
export const REDUCED_GSD_M = DRIFT_GSD_M;

/** gdal_translate's options that write the reduced raster of `meta` (format and size). */
function reducedOptions(role: AssetRole, meta: InspectedRaster): string[] {
  const { width, height } = reducedSize(meta, REDUCED_GSD_M);
  // ZSTD at level 1: the size of DEFLATE at level 1 for a third less CPU (1 km² at 10 cm: surface
  // model 0.79 against 1.05 CPU s, orthophoto 0.39 against 0.54); only GDAL reads these files.
  const predictor = role === 'surface_model' ? '3' : '2';
  const format = ['-co', 'COMPRESS=ZSTD', '-co', `PREDICTOR=${predictor}`, '-co', 'ZSTD_LEVEL=1'];
  return ['-of', 'GTiff', '-outsize', String(width), String(height), '-r', 'average', '-co', 'TILED=YES', ...format];
}

/**
 * Whether the COG's first overview level (twice the upload's pixel) is what the reduced raster is
 * read from: upload pixels over REDUCED_GSD_M / 4 and up to REDUCED_GSD_M / 2 (6.25 to 12.5 cm).
 * Only then does ingest make the COG's overviews in its pass: the reduced raster needs that level
 * anyway, and the rest is a quarter of it. Finer, at drone resolution, the levels above the one
 * that serves (1.1 GB uncompressed for 1 km² at 3 cm) would be written before the candidates,
 * which they delayed by 10 to 14% of their CPU time; there the COG job makes them after, as GDAL's
 * COG driver does (docs/drone-resolution.md).
 */
export function firstOverviewLevelServes(upload: InspectedRaster): boolean {
  const pixel = groundResolutionM(upload)!;
  return pixel > REDUCED_GSD_M / 4 && pixel <= REDUCED_GSD_M / 2 && cogOverviewFactors(upload.width, upload.height).length > 0;
}

/**
 * Writes the reduced raster of one upload (north up, metric CRS, heights in metres with an
 * undeclared fill declared, colour as 8-bit RGB: what the COG holds) and returns what it is.
 * The full-resolution pixels are all decoded in a child that fails on any error GDAL reports
 * (overviews of an uploaded COG are not used), so a truncated or corrupt upload is rejected here,
 * before detection. Where the COG's first overview level serves the reduced raster, that decode
 * makes the overviews (stages/cog-sources.ts) and the reduced raster is read from them.
 */
export async function writeReducedRaster(role: AssetRole, upload: InspectedRaster, target: string, undeclaredFill: number | null = null): Promise<InspectedRaster> {
  if (firstOverviewLevelServes(upload) && ingestMakesCogOverviews(role, upload, target)) {
    return writeReducedWithCogOverviews(role, upload, target, undeclaredFill);
  }
  const declared = role === 'surface_model' && upload.nodata === null ? await withDeclaredFill(upload.path, target, undeclaredFill) : upload.path;
  const source = needsWarp(upload) ? await warpedNorthUpMetric(role, declared, target, upload) : declared;
  try {
    const meta = source === upload.path ? upload : inspectRaster(source);
    await writeThroughChild(role, source, target, ['-ovr', 'NONE', ...reducedOptions(role, meta), ...(await pixelOptions(role, meta, source))]);
  } finally {
    removeVrts(upload.path, source, declared);
  }
  return inspectRaster(target);
}

/**
 * The reduced raster through the COG's overviews: made on a hard link of the upload or a VRT over
 * it (an undeclared fill declared) under a partial name, in the child that then reads the reduced
 * raster from them, and put in place for the COG job once whole.
 */
async function writeReducedWithCogOverviews(role: AssetRole, upload: InspectedRaster, target: string, undeclaredFill: number | null): Promise<InspectedRaster> {
  removeAllCogOverviews(role, target); // left by an attempt that was killed, or made before a retry
  const fill = role === 'surface_model' && upload.nodata === null && undeclaredFill !== null ? declareFillOptions(undeclaredFill) : [];
  const carrier = overviewsCarrier(upload, fill.length > 0);
  const partial = cogOverviewsFile(role, target, carrier, 'partial');
  if (carrier === 'vrt') await translateToVrt(upload.path, partial, fill);
  else await mediumOf(partial).storeLocalFile(upload.path, partial, true);
  try {
    const meta = inspectRaster(partial);
    const factors = cogOverviewFactors(meta.width, meta.height);
    const options = [...reducedOptions(role, meta), ...(await pixelOptions(role, meta, partial))];
    await writeThroughChild(role, partial, target, options, (source, output, opts) => overviewsThenTranslateReportingErrors(source, factors, output, opts));
  } catch (error) {
    removeCogOverviews(partial);
    throw error;
  }
  publishCogOverviews(role, target, carrier);
  return inspectRaster(target);
}

/** The flight's record of a reduced raster (role `reduced`): what loadFlightRasters hands detection. */
export function reducedAssetRow(role: AssetRole, uri: string, meta: InspectedRaster): AssetRow {
  return {
    kind: role, role: 'reduced', uri, sha256: null, bytes: mediumOf(uri).storedBytes(uri),
    width: meta.width, height: meta.height, band_count: meta.bandCount, data_type: meta.dataType, gsd_m: groundResolutionM(meta), crs: meta.crs,
  };
}
