/**
 * How far a new flight's content sits from where it belongs, measured on prepared inputs: the
 * pure half of co-registration. The pipeline's co-register stage reads each window from the
 * raster store; evaluation passes in-memory rasters. Both measure the same way here, so the
 * figures evaluation reports are those of the pipeline's reads.
 */
import { combineShifts, estimateShift, gradientMagnitude } from '../core/coregister.js';
import { extentOf, gridForExtent, subGrid, type Grid } from './grid.js';
import type { ModelSpec } from './model-spec.js';
import { prepareInputs, type ChangeInputs } from './prepare.js';

/** Co-registration works at 0.25 m: a tenth of a pixel is 2.5 cm, far below any drift that matters. */
export const DRIFT_GSD_M = 0.25;
/** Largest drift looked for, metres (the flights drift 0.3 to 1.5 m). */
const MAX_DRIFT_M = 4;

/** The flight's content sits `dxM` east and `dyM` north of where it belongs. */
export interface Drift {
  dxM: number;
  dyM: number;
  /** The reference it was measured against. */
  reference: 'earlier_orthophoto' | 'baseline_heights';
}

function windowSize(grid: Grid): number | null {
  for (const size of [512, 256, 128]) if (grid.width >= size && grid.height >= size) return size;
  return null;
}

/**
 * Up to five square windows of `grid` (at DRIFT_GSD_M) to measure in: the centre and the four
 * quadrant centres that fit. Several windows vote, so that real changes cannot drag the result.
 */
export function driftWindows(grid: Grid): Grid[] {
  const size = windowSize(grid);
  if (!size) return [];
  const spots: Array<[number, number]> = [[0.5, 0.5], [0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]];
  const origins = spots
    .map(([fx, fy]) => [Math.round(grid.width * fx - size / 2), Math.round(grid.height * fy - size / 2)] as [number, number])
    .filter(([x, y]) => x >= 0 && y >= 0 && x + size <= grid.width && y + size <= grid.height);
  return [...new Map(origins.map((o) => [o.join(','), o])).values()].map(([x, y]) => subGrid(grid, x, y, size, size));
}

/** Grey level of an RGB image, invalid pixels NaN. */
function grey(r: Float32Array, g: Float32Array, b: Float32Array, valid: Uint8Array): Float32Array {
  return r.map((v, i) => (valid[i] ? 0.299 * v + 0.587 * g[i]! + 0.114 * b[i]! : Number.NaN));
}

/**
 * One window's shift in pixels (x right, y down) with its correlation peak, and what it was
 * matched against: the earlier image when there is one, else the baseline's heights.
 */
export type WindowShift = { dx: number; dy: number; peak: number; reference: Drift['reference'] };

/**
 * The shift in one window; `inputs.grid` is the window and the new flight is read uncorrected.
 * Null when there is nothing to match against (no earlier image, no surface model or an empty
 * baseline here).
 */
export function measureWindowShift(inputs: ChangeInputs, spec: Pick<ModelSpec, 'gsd_m' | 'ground'>): WindowShift | null {
  // The earlier surface model plays no part in matching: leave its ground estimate out.
  const prepared = prepareInputs({ ...inputs, beforeDsm: undefined }, spec);
  const size = prepared.grid.width;
  if (prepared.beforeRgb && prepared.afterRgb) {
    // Edges, not brightness: the two dates differ in season, sun and colour balance.
    const { r, g, b, valid } = prepared.beforeRgb;
    const after = prepared.afterRgb;
    const reference = gradientMagnitude(grey(r, g, b, valid), size, size);
    const moving = gradientMagnitude(grey(after.r, after.g, after.b, after.valid), size, size);
    return { ...estimateShift(reference, moving, size, { maxShiftPx: Math.round(MAX_DRIFT_M / DRIFT_GSD_M) }), reference: 'earlier_orthophoto' };
  }
  if (prepared.afterHeight && prepared.baseline && prepared.baseline.footprint.some((v) => v)) {
    // Heights clipped to a storey range, so that trees and tall outliers do not dominate.
    const clip = (v: number) => (Number.isFinite(v) ? Math.max(0, Math.min(12, v)) : Number.NaN);
    const reference = prepared.baseline.height.map(clip);
    const moving = prepared.afterHeight.data.map((v, i) => (prepared.afterHeight!.valid[i] ? clip(v) : Number.NaN));
    return { ...estimateShift(reference, moving, size, { maxShiftPx: Math.round(MAX_DRIFT_M / DRIFT_GSD_M) }), reference: 'baseline_heights' };
  }
  return null;
}

/** The windows' vote in metres (east, north), or null when no window matched reliably. */
export function combineWindowShifts(shifts: WindowShift[]): Drift | null {
  const combined = combineShifts(shifts);
  if (!combined) return null;
  // Pixels (x right, y down) to metres (east, north).
  return { dxM: combined.dx * DRIFT_GSD_M, dyM: -combined.dy * DRIFT_GSD_M, reference: shifts[0]!.reference };
}

/** `grid` with its content put back where it belongs (the drift taken out of its geotransform). */
export function withoutDrift(grid: Grid, drift: Pick<Drift, 'dxM' | 'dyM'>): Grid {
  const [x0, dx, rx, y0, ry, dy] = grid.geoTransform;
  return { ...grid, geoTransform: [x0 - drift.dxM, dx, rx, y0 - drift.dyM, ry, dy] };
}

/**
 * Measures the new flight's drift in in-memory inputs (evaluation, training data) the way the
 * co-register stage measures a stored flight, over the new flight's extent, and returns the
 * inputs with it taken out. Inputs with nothing to match against come back as they are.
 */
export function takeOutDrift(inputs: ChangeInputs, spec: Pick<ModelSpec, 'gsd_m' | 'ground'>): { inputs: ChangeInputs; drift: Drift | null } {
  const flight = inputs.afterRgb?.grid ?? inputs.afterDsm?.grid;
  if (!flight) return { inputs, drift: null };
  const shifts = driftWindows(gridForExtent(extentOf(flight), DRIFT_GSD_M))
    .map((window) => measureWindowShift({ ...inputs, grid: window }, spec))
    .filter((shift): shift is WindowShift => shift !== null);
  const drift = combineWindowShifts(shifts);
  if (!drift) return { inputs, drift: null };
  const corrected: ChangeInputs = { ...inputs };
  if (inputs.afterRgb) corrected.afterRgb = { ...inputs.afterRgb, grid: withoutDrift(inputs.afterRgb.grid, drift) };
  if (inputs.afterDsm) corrected.afterDsm = { ...inputs.afterDsm, grid: withoutDrift(inputs.afterDsm.grid, drift) };
  return { inputs: corrected, drift };
}
