/**
 * Reads what the flight checks judge from an uploaded raster: size, bands, type, georeference,
 * and its bounds in lon/lat. A file GDAL cannot open at all is reported as unreadable.
 */
import { openRaster, toSpatialReference, lonLatTransformer } from '../raster/index.js';
import type { RasterMetadata } from '../core/flight-checks.js';

export class UnreadableRasterError extends Error {
  override name = 'UnreadableRasterError';
}

export interface InspectedRaster extends RasterMetadata {
  path: string;
  epsg: number | null;
  /** The CRS as "EPSG:n" when it has a code, else its WKT. */
  crs: string | null;
}

function boundsInLonLat(srsWkt: string, gt: NonNullable<RasterMetadata['geoTransform']>, width: number, height: number) {
  const { toLonLat } = lonLatTransformer(srsWkt);
  const corners = [[0, 0], [width, 0], [0, height], [width, height]].map(([c, r]) => toLonLat(gt[0] + c! * gt[1] + r! * gt[2], gt[3] + c! * gt[4] + r! * gt[5]));
  const lons = corners.map((p) => p[0]);
  const lats = corners.map((p) => p[1]);
  const bounds: [number, number, number, number] = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  return bounds.every(Number.isFinite) && bounds[1] >= -90 && bounds[3] <= 90 ? bounds : null;
}

export function inspectRaster(path: string): InspectedRaster {
  let source;
  try {
    source = openRaster(path);
  } catch (error) {
    throw new UnreadableRasterError((error as Error).message);
  }
  try {
    const hasTransform = !source.geoTransform.every((v, i) => v === [0, 1, 0, 0, 0, 1][i]);
    let srsUsable = false;
    let isGeographic = false;
    let lonLatBounds: RasterMetadata['lonLatBounds'] = null;
    if (source.srsWkt) {
      try {
        const srs = toSpatialReference(source.srsWkt);
        isGeographic = srs.isGeographic();
        if (hasTransform) lonLatBounds = boundsInLonLat(source.srsWkt, source.geoTransform, source.width, source.height);
        srsUsable = lonLatBounds !== null || !hasTransform;
      } catch {
        srsUsable = false;
      }
    }
    return {
      path,
      width: source.width,
      height: source.height,
      bandCount: source.bandCount,
      dataType: source.dataType,
      geoTransform: hasTransform ? source.geoTransform : null,
      srsWkt: source.srsWkt,
      srsUsable,
      isGeographic,
      nodata: source.nodata,
      lonLatBounds,
      epsg: source.epsg,
      crs: source.epsg ? `EPSG:${source.epsg}` : source.srsWkt,
    };
  } finally {
    source.close();
  }
}
