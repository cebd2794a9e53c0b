/**
 * Whole-raster reading for evaluation and training export (files here are single tiles or small
 * scenes; the pipeline reads big flights window by window through the same reader).
 */
import { openRaster, type RasterTypedArray } from '../../pipeline/src/raster/index.js';
import type { Grid } from '../../pipeline/src/model/grid.js';
import type { DsmInput } from '../../pipeline/src/model/prepare.js';

export interface LoadedRaster {
  path: string;
  grid: Grid;
  bands: RasterTypedArray[];
  nodata: number | null;
  epsg: number | null;
  srsWkt: string | null;
  /** False when the file has no geotransform (a plain PNG): the grid is then in pixels. */
  georeferenced: boolean;
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
    };
  } finally {
    src.close();
  }
}

/** The same raster with its pixels declared `gsd` metres wide (for files that carry no georeferencing). */
export function withGsd(raster: LoadedRaster, gsd: number): LoadedRaster {
  return { ...raster, grid: { ...raster.grid, geoTransform: [0, gsd, 0, raster.grid.height * gsd, 0, -gsd] } };
}

/** A surface model's heights (its first band) as the detector takes them. */
export function toHeights(r: LoadedRaster): DsmInput {
  return { grid: r.grid, data: r.bands[0]!, nodata: r.nodata };
}
