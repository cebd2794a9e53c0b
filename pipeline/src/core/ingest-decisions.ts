/**
 * What ingest decides about a flight's uploads, pure: which problems reject it and in what words,
 * whether an upload must be warped (and how) before any reader takes it, the reduced raster's
 * grid, and how its pixels are
 * translated (heights as Float32 metres, colour as 8-bit RGB). stages/ingest.ts and the COG job
 * do the reading and writing; every choice they make about an upload is taken here, from the
 * metadata GDAL read (stages/inspect-raster.ts), so each can be tested without a file.
 */
import { checkFlightPair, checkFlightRaster, type AssetRole, type FlightCheckLimits, type RasterMetadata } from './flight-checks.js';

/** The uploads' names in ingest's own sentences (the flight checks name them in both languages). */
const NAMES: Record<AssetRole, string> = { orthophoto: 'orthophoto', surface_model: 'surface model' };

/** Why a flight is rejected for what its files are, not for what their metadata says. */
export const REJECTIONS = {
  noOrthophoto: 'The flight has no orthophoto: upload the orthophoto (and, if there is one, the surface model).',
  noValidPixels: 'The orthophoto has no valid pixels (it is empty or entirely masked).',
  /** GDAL could not open the file at all. */
  unreadable: (role: AssetRole, detail: string) =>
    `The ${NAMES[role]} is not a readable GeoTIFF: it may be truncated or corrupt, or not a raster at all. Upload it again. (${detail})`,
  /** GDAL opened the file but could not read it through. */
  truncated: (role: AssetRole, detail: string) =>
    `The ${NAMES[role]} could not be read to the end: the file is truncated or corrupt. Upload it again. (${detail})`,
} as const;

/**
 * The verdict on a flight's uploads from their metadata: every problem of each raster, then,
 * when both can be used, whether the surface model covers the orthophoto. Empty: go on.
 */
export function uploadProblems(ortho: RasterMetadata, dsm: RasterMetadata | null, limits?: FlightCheckLimits): string[] {
  const problems = [...checkFlightRaster('orthophoto', ortho, limits), ...(dsm ? checkFlightRaster('surface_model', dsm, limits) : [])];
  if (dsm && !problems.length) problems.push(...checkFlightPair(ortho, dsm));
  return problems;
}

/**
 * Whether a failed write is ours (disk full, permissions, a store that cannot be written: retried)
 * rather than the upload's (a read that broke off mid-file: rejected), from GDAL's message.
 */
export function isStoreWriteFailure(message: string): boolean {
  return /no space|permission denied|read-only file system|failed to write|write error/i.test(message);
}

/**
 * The metric CRS flights are warped to when they come in degrees (EPSG:4326) or Web Mercator
 * (EPSG:3857, whose "metres" are 17% too large at Shanghai's latitude): UTM zone 51N. The model
 * and every measurement need pixels of a true ground size.
 */
export const METRIC_CRS = 'EPSG:32651';

/** What the warp decision reads of an inspected upload. */
export type PlacedRaster = Pick<RasterMetadata, 'isGeographic' | 'geoTransform'> & { epsg: number | null };

function inMetricCrs(meta: PlacedRaster): boolean {
  return !meta.isGeographic && meta.epsg !== 3857;
}

/** North up, rows from north to south, no rotation: the only layout the later stages read. */
function isNorthUp(meta: PlacedRaster): boolean {
  const gt = meta.geoTransform;
  return !gt || (gt[1] > 0 && gt[5] < 0 && gt[2] === 0 && gt[4] === 0);
}

export function needsWarp(meta: PlacedRaster): boolean {
  return !inMetricCrs(meta) || !isNorthUp(meta);
}

/**
 * gdalwarp's options that put an upload north up (a south-up or rotated export) and, when it is in
 * degrees or Web Mercator, into the metric CRS; cells outside the upload get the role's fill.
 */
export function warpOptions(role: AssetRole, meta: PlacedRaster): string[] {
  const nodata = role === 'surface_model' ? ['-dstnodata', '-9999'] : ['-dstnodata', '0'];
  const crs = inMetricCrs(meta) ? [] : ['-t_srs', METRIC_CRS];
  return [...crs, '-r', 'bilinear', ...nodata];
}

/**
 * The reduced raster's grid over an upload's extent (north up, metric): pixels of `gsdM` metres, or
 * the upload's own when coarser, the count rounded so that the extent stays the upload's.
 */
export function reducedSize(meta: Pick<RasterMetadata, 'width' | 'height' | 'geoTransform'>, gsdM: number): { width: number; height: number } {
  const [, sx, , , , sy] = meta.geoTransform!;
  const side = (pixels: number, size: number) => Math.min(pixels, Math.max(1, Math.round((pixels * Math.abs(size)) / gsdM)));
  return { width: side(meta.width, sx), height: side(meta.height, sy) };
}

/** gdal_translate's options that declare a fill value the surface model uses but does not declare. */
export function declareFillOptions(fill: number): string[] {
  return ['-a_nodata', String(fill)];
}

/** Whether the orthophoto's colour must be stretched to 8 bits (the adapter then samples its maximum). */
export function needsColourStretch(meta: Pick<RasterMetadata, 'dataType'>): boolean {
  return meta.dataType !== 'Byte';
}

/**
 * How the upload's pixels become what every later reader takes, the same for the reduced raster
 * and the COG: heights as Float32 metres (integer decimetres with a scale factor are unscaled),
 * colour as 8-bit RGB (16-bit colour gets one stretch, to `stretchMaximum`, for all bands; an
 * alpha band becomes the mask). `stretchMaximum` is read only when needsColourStretch says so.
 */
export function pixelTranslateOptions(role: AssetRole, meta: Pick<RasterMetadata, 'dataType' | 'bandCount'>, stretchMaximum: number | null): string[] {
  if (role === 'surface_model') return ['-ot', 'Float32', '-unscale'];
  if (needsColourStretch(meta) && stretchMaximum === null) throw new Error(`a ${meta.dataType} orthophoto needs its stretch maximum`);
  const scale = needsColourStretch(meta) ? ['-ot', 'Byte', '-scale', '0', String(stretchMaximum), '0', '255'] : [];
  const bands = meta.bandCount === 4 ? ['-b', '1', '-b', '2', '-b', '3', '-mask', '4'] : [];
  // Bands written as grey (by many tools, and by any 16-bit source) are tagged red, green, blue:
  // right for every reader, and GDAL then has nothing to put in a .aux.xml beside the output.
  return [...scale, ...bands, '-colorinterp', 'red,green,blue'];
}

/**
 * The footprint of valid pixels as a GeoJSON MultiPolygon in lon/lat, or the rejection of an
 * orthophoto without any.
 */
export function footprintOrRejection(polygons: number[][][][]): { footprint: string } | { rejection: string } {
  if (!polygons.length) return { rejection: REJECTIONS.noValidPixels };
  return { footprint: JSON.stringify({ type: 'MultiPolygon', coordinates: polygons }) };
}
