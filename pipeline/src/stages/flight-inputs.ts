/**
 * Builds the detector's inputs for one area of a flight: the new orthophoto and surface model
 * read where they truly are (co-registration drift taken out), the earlier orthophoto when there
 * is one, and the baseline buildings from PostGIS in the flight's CRS. Every stage that looks at
 * pixels (co-registration, detection, height measurement, demolition checks) reads through here.
 */
import type pg from 'pg';
import { baselineInExtent } from '../../../db/sql/baseline-buildings.js';
import { extentOf, type Grid } from '../model/grid.js';
import type { BaselineBuilding, ChangeInputs, RgbInput } from '../model/index.js';
import { readOnGrid } from '../raster/read-on-grid.js';
import type { FlightRasters } from './flight-rasters.js';

export interface InputChoice {
  /** Read the new flight without its drift correction (co-registration measures the drift). Default false. */
  uncorrected?: boolean;
  /** Include the earlier orthophoto. Default true. */
  before?: boolean;
}

function rgbOnGrid(uri: string, grid: Grid, shift: { dx: number; dy: number }): RgbInput {
  const { bands, valid } = readOnGrid(uri, grid, { bands: [1, 2, 3], shift });
  return { grid, bands: [bands[0]!, bands[1]!, bands[2]!], valid };
}

export async function baselineForGrid(pool: pg.Pool, rasters: FlightRasters, grid: Grid): Promise<BaselineBuilding[]> {
  const buildings = await baselineInExtent(pool, extentOf(grid), rasters.proj);
  return buildings.flatMap((b) => {
    const polygons = (b.geometry.type === 'Polygon' ? [b.geometry.coordinates] : b.geometry.coordinates) as number[][][][];
    return polygons.map((rings) => ({ rings: rings as BaselineBuilding['rings'], heightM: b.heightM }));
  });
}

export async function flightInputs(pool: pg.Pool, rasters: FlightRasters, grid: Grid, choice: InputChoice = {}): Promise<ChangeInputs> {
  const shift = choice.uncorrected ? { dx: 0, dy: 0 } : rasters.shift;
  const inputs: ChangeInputs = { grid, afterRgb: rgbOnGrid(rasters.orthophoto, grid, shift), baseline: await baselineForGrid(pool, rasters, grid) };
  if (rasters.surfaceModel) {
    const { bands, valid } = readOnGrid(rasters.surfaceModel, grid, { bands: [1], shift });
    const data = bands[0]!;
    for (let i = 0; i < data.length; i += 1) if (!valid[i]) data[i] = Number.NaN;
    inputs.afterDsm = { grid, data, nodata: null };
  }
  if (rasters.before && choice.before !== false) inputs.beforeRgb = rgbOnGrid(rasters.before.uri, grid, rasters.before.shift);
  return inputs;
}
