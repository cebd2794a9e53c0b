/**
 * From whatever a flight brings to the model's own grid: orthophotos and surface model resampled
 * to the model's ground resolution, the surface model turned into height above the estimated
 * ground, and the baseline rasterised. Everything that is missing stays missing (null), which the
 * chip builder turns into zero planes with availability masks at 0: one input layout serves
 * every network, whatever the flight brings (RGB + DSM, images alone, a surface model alone).
 */
import { rasteriseBaseline, type BaselineBuilding, type BaselineRasters } from './baseline-raster.js';
import { assertNorthUp, extentOf, gridForExtent, type Extent, type Grid } from './grid.js';
import { estimateGround, heightAboveGround } from './ground.js';
import type { ModelSpec } from './model-spec.js';
import { resampleBand } from './resample.js';

export interface RgbInput {
  grid: Grid;
  /** Red, green and blue, 0..255, row-major, one array per band. */
  bands: readonly [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
  /** Value that marks a missing pixel when all three bands hold it (a black collar: 0). */
  nodata?: number | null;
  /** 1 where the pixel holds imagery (e.g. from an alpha band); overrides `nodata`. */
  valid?: Uint8Array;
}

export interface DsmInput {
  grid: Grid;
  /** Surface elevations, metres. */
  data: ArrayLike<number>;
  nodata?: number | null;
}

/** What a flight brings; any of the images may be absent. */
export interface ChangeInputs {
  /** The new flight's orthophoto. */
  afterRgb?: RgbInput;
  /** An earlier orthophoto of the same place (a previous flight, or the baseline survey's). */
  beforeRgb?: RgbInput;
  /** The new flight's surface model (DSM), elevations in metres. */
  afterDsm?: DsmInput;
  /**
   * An earlier flight's surface model of the same place. Not a network input: the surface-rise
   * rule (`surface-rise.ts`) compares it with the new one.
   */
  beforeDsm?: DsmInput;
  /**
   * Baseline buildings in the rasters' CRS. Omit when no baseline is known here (a bare image
   * pair); an empty array means the baseline is known and holds nothing.
   */
  baseline?: readonly BaselineBuilding[];
  /** Output grid; default: extent of afterDsm, else afterRgb, else beforeRgb, at the model's gsd. */
  grid?: Grid;
}

export interface RgbPlanes {
  r: Float32Array;
  g: Float32Array;
  b: Float32Array;
  valid: Uint8Array;
}

/** Inputs on the model's grid, raw units (0..255, metres); null where absent. */
export interface PreparedInputs {
  grid: Grid;
  afterRgb: RgbPlanes | null;
  beforeRgb: RgbPlanes | null;
  /** Height above estimated ground of the new flight's surface, metres. */
  afterHeight: HeightPlane | null;
  /** Height above its own estimated ground of the earlier flight's surface, metres. */
  beforeHeight: HeightPlane | null;
  baseline: BaselineRasters | null;
}

export interface HeightPlane {
  data: Float32Array;
  valid: Uint8Array;
}

/** The grid the model output will be on for these inputs. */
export function outputGrid(inputs: ChangeInputs, spec: Pick<ModelSpec, 'gsd_m'>): Grid {
  if (inputs.grid) return inputs.grid;
  const primary = inputs.afterDsm?.grid ?? inputs.afterRgb?.grid ?? inputs.beforeRgb?.grid;
  if (!primary) throw new Error('change detection needs at least one image: afterRgb, beforeRgb or afterDsm');
  return gridForExtent(extentOf(primary) as Extent, spec.gsd_m);
}

export function prepareInputs(inputs: ChangeInputs, spec: Pick<ModelSpec, 'gsd_m' | 'ground'>): PreparedInputs {
  const grid = outputGrid(inputs, spec);
  assertNorthUp(grid, 'output grid');
  const baseline = inputs.baseline ? rasteriseBaseline(inputs.baseline, grid) : null;
  const heightOf = (input: DsmInput): HeightPlane => {
    const dsm = resampleBand({ grid: input.grid, data: input.data, nodata: input.nodata }, grid);
    const { exclude_baseline_footprints: excludeFootprints, ...ground } = spec.ground;
    const dtm = estimateGround(dsm.data, dsm.valid, grid, ground, excludeFootprints && baseline ? baseline.footprint : undefined);
    return { data: heightAboveGround(dsm.data, dsm.valid, dtm), valid: dsm.valid };
  };
  return {
    grid,
    afterRgb: inputs.afterRgb ? prepareRgb(inputs.afterRgb, grid) : null,
    beforeRgb: inputs.beforeRgb ? prepareRgb(inputs.beforeRgb, grid) : null,
    afterHeight: inputs.afterDsm ? heightOf(inputs.afterDsm) : null,
    beforeHeight: inputs.beforeDsm ? heightOf(inputs.beforeDsm) : null,
    baseline,
  };
}

export function prepareRgb(rgb: RgbInput, grid: Grid): RgbPlanes {
  const n = rgb.grid.width * rgb.grid.height;
  for (const band of rgb.bands) if (band.length !== n) throw new Error(`RGB band holds ${band.length} values for a ${rgb.grid.width}x${rgb.grid.height} grid`);
  let srcValid = rgb.valid;
  if (!srcValid) {
    srcValid = new Uint8Array(n).fill(1);
    const nd = rgb.nodata;
    if (nd !== null && nd !== undefined) {
      const [r, g, b] = rgb.bands;
      for (let i = 0; i < n; i++) if (r[i] === nd && g[i] === nd && b[i] === nd) srcValid[i] = 0;
    }
  }
  const [r, g, b] = rgb.bands.map((data) => resampleBand({ grid: rgb.grid, data }, grid, { srcValid }));
  return { r: r!.data, g: g!.data, b: b!.data, valid: r!.valid };
}
