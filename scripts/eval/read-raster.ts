/**
 * Whole-raster reading for evaluation and training export (files here are single tiles or small
 * scenes; the pipeline reads big flights window by window through the same reader).
 */
import { isGeographicWkt, openRaster, type RasterTypedArray } from '#pipeline/raster/index.js';
import type { Grid } from '#pipeline/model/grid.js';
import type { DsmInput } from '#pipeline/model/prepare.js';

export interface LoadedRaster {
  path: string;
  grid: Grid;
  bands: RasterTypedArray[];
  nodata: number | null;
  epsg: number | null;
  srsWkt: string | null;
  /** False when the file has no geotransform (a plain PNG): the grid is then in pixels. */
  georeferenced: boolean;
  /** True when the grid is in degrees (EPSG:4326 and the like), not metres. */
  geographic: boolean;
}

export function readRaster(file: string): LoadedRaster {
  const src = openRaster(file);
  try {
    const gt = src.geoTransform;
    // GDAL reports [0, 1, 0, 0, 0, 1] for files without georeferencing.
    const georeferenced = !(gt[0] === 0 && gt[1] === 1 && gt[2] === 0 && gt[3] === 0 && gt[4] === 0 && gt[5] === 1);
    const geoTransform = georeferenced ? gt : ([0, 1, 0, src.height, 0, -1] as const);
    return {
      path: file,
      grid: { width: src.width, height: src.height, geoTransform: [...geoTransform] as Grid['geoTransform'] },
      bands: src.readWindow(0, 0, src.width, src.height),
      nodata: src.nodata,
      epsg: src.epsg,
      srsWkt: src.srsWkt,
      georeferenced,
      geographic: georeferenced && !!src.srsWkt && isGeographicWkt(src.srsWkt),
    };
  } finally {
    src.close();
  }
}

/** The same raster with its pixels declared `gsd` metres wide (for files that carry no georeferencing). */
export function withGsd(raster: LoadedRaster, gsd: number): LoadedRaster {
  return { ...raster, grid: { ...raster.grid, geoTransform: [0, gsd, 0, raster.grid.height * gsd, 0, -gsd] } };
}

/** Metres per degree of latitude, and of longitude at the equator (WGS84, close enough for a pixel size). */
const METRES_PER_DEGREE = { lat: 110_574, lon: 111_320 };

/**
 * Ground resolution in metres of a raster whose grid is in degrees, at its centre latitude: the
 * geometric mean of the east and north pixel sizes (square pixels are what the model reads).
 */
export function degreesToMetres(raster: LoadedRaster): number {
  const [, dx, , y0, , dy] = raster.grid.geoTransform;
  const latitude = y0 + (dy * raster.grid.height) / 2;
  const east = Math.abs(dx) * METRES_PER_DEGREE.lon * Math.cos((latitude * Math.PI) / 180);
  const north = Math.abs(dy) * METRES_PER_DEGREE.lat;
  return Math.sqrt(east * north);
}

/** A surface model's heights (its first band) as the detector takes them. */
export function toHeights(r: LoadedRaster): DsmInput {
  return { grid: r.grid, data: r.bands[0]!, nodata: r.nodata };
}
