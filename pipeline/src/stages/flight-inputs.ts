/**
 * Builds the detector's inputs for one area of a flight: the new orthophoto and surface model
 * (ingest's reduced rasters, stages/reduced-raster.ts) read where they truly are (co-registration drift taken out), the earlier flight's orthophoto
 * and surface model when there are, and the baseline buildings from PostGIS, all in the flight's
 * CRS (a surface model or earlier flight in another CRS is warped to it as it is read).
 * Every stage that looks at pixels (co-registration, detection, height measurement, demolition
 * checks) reads through here.
 */
import type pg from 'pg';
import { baselineInExtent } from '#db/sql/baseline-buildings.js';
import { extentOf, gridForExtent, type Grid } from '../model/grid.js';
import { uncoveredShare, type BaselineBuilding, type ChangeInputs, type DsmInput, type RgbInput } from '../model/index.js';
import { readOnGridAsync } from '../raster/read-on-grid.js';
import type { FlightRasters } from './flight-rasters.js';

export interface InputChoice {
  /**
   * Include the new flight's orthophoto. Default true; the detect stage leaves it out of a first
   * patrol the surface-model-only network serves, which sets it aside.
   */
  orthophoto?: boolean;
  /** Read the new flight without its drift correction (co-registration measures the drift). Default false. */
  uncorrected?: boolean;
  /** Include the earlier orthophoto. Default true. */
  before?: boolean;
  /**
   * Include the earlier flight's surface model when it had one and this flight has one too (the
   * detector's surface-rise rule compares them). Default true.
   */
  beforeSurface?: boolean;
}

async function rgbOnGrid(uri: string, grid: Grid, shift: { dx: number; dy: number }, crs: string): Promise<RgbInput> {
  const { bands, valid } = await readOnGridAsync(uri, grid, { bands: [1, 2, 3], shift, crs });
  return { grid, bands: [bands[0]!, bands[1]!, bands[2]!], valid };
}

async function dsmOnGrid(uri: string, grid: Grid, shift: { dx: number; dy: number }, crs: string): Promise<DsmInput> {
  const { bands, valid } = await readOnGridAsync(uri, grid, { bands: [1], shift, crs });
  const data = bands[0]!;
  for (let i = 0; i < data.length; i += 1) if (!valid[i]) data[i] = Number.NaN;
  return { grid, data, nodata: null };
}

export async function baselineForGrid(pool: pg.Pool, rasters: FlightRasters, grid: Grid): Promise<BaselineBuilding[]> {
  const buildings = await baselineInExtent(pool, extentOf(grid), rasters.proj);
  return buildings.flatMap((b) => {
    const polygons = (b.geometry.type === 'Polygon' ? [b.geometry.coordinates] : b.geometry.coordinates) as number[][][][];
    return polygons.map((rings) => ({ rings: rings as BaselineBuilding['rings'], heightM: b.heightM }));
  });
}

/**
 * The reads and the baseline query run at once, off the main thread (GDAL on libuv's threads,
 * the query in PostgreSQL): the detect stage starts the next block's inputs before it runs the
 * network on the current one.
 */
export async function flightInputs(pool: pg.Pool, rasters: FlightRasters, grid: Grid, choice: InputChoice = {}): Promise<ChangeInputs> {
  const shift = choice.uncorrected ? { dx: 0, dy: 0 } : rasters.shift;
  const before = rasters.before && choice.before !== false ? rasters.before : null;
  const beforeSurface = before?.surfaceModel && rasters.detection.surfaceModel && choice.beforeSurface !== false ? { uri: before.surfaceModel, shift: before.shift } : null;
  const [afterRgb, baseline, afterDsm, beforeRgb, beforeDsm] = await Promise.all([
    choice.orthophoto !== false ? rgbOnGrid(rasters.detection.orthophoto, grid, shift, rasters.srsWkt) : undefined,
    baselineForGrid(pool, rasters, grid),
    rasters.detection.surfaceModel ? dsmOnGrid(rasters.detection.surfaceModel, grid, shift, rasters.srsWkt) : undefined,
    before ? rgbOnGrid(before.uri, grid, before.shift, rasters.srsWkt) : undefined,
    beforeSurface ? dsmOnGrid(beforeSurface.uri, grid, beforeSurface.shift, rasters.srsWkt) : undefined,
  ]);
  const inputs: ChangeInputs = { grid, baseline };
  if (afterRgb) inputs.afterRgb = afterRgb;
  if (afterDsm) inputs.afterDsm = afterDsm;
  if (beforeRgb) inputs.beforeRgb = beforeRgb;
  if (beforeDsm) inputs.beforeDsm = beforeDsm;
  return inputs;
}

/** Cells across the coarse grid a flight's surface-model coverage is measured on. */
const COVERAGE_CELLS = 256;

/**
 * The share of the flight's orthophoto its surface model leaves without heights, over the whole
 * flight (`grid`, the model's grid of its plan) read coarsely, at most COVERAGE_CELLS a side: the
 * detector decides once for the flight whether the surface network may serve a first patrol
 * (ChangeDetector.networkFor), instead of block by block, so that every candidate is calibrated
 * with the map of the network that found it. Null without a surface model.
 */
export async function surfaceModelUncovered(rasters: FlightRasters, grid: Grid): Promise<number | null> {
  if (!rasters.detection.surfaceModel) return null;
  const extent = extentOf(grid);
  const cell = Math.max(grid.geoTransform[1], (extent[2] - extent[0]) / COVERAGE_CELLS, (extent[3] - extent[1]) / COVERAGE_CELLS);
  const coarse = gridForExtent(extent, cell);
  const [rgb, heights] = await Promise.all([
    readOnGridAsync(rasters.detection.orthophoto, coarse, { bands: [1], shift: rasters.shift, crs: rasters.srsWkt }),
    readOnGridAsync(rasters.detection.surfaceModel, coarse, { bands: [1], shift: rasters.shift, crs: rasters.srsWkt }),
  ]);
  return uncoveredShare(rgb, heights);
}
