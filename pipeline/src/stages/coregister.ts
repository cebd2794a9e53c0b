/**
 * Stage 2, co-register: measures how far the new flight's content sits from the reference and
 * records it on the flight; every later read takes it out. The reference is the earlier
 * orthophoto when one covers the flight (edges against edges), otherwise the baseline height
 * model (the surface model's heights against the baseline's). Windows across the flight vote.
 */
import { setFlightShift } from '../../../db/sql/flights.js';
import { combineShifts, estimateShift, gradientMagnitude, type ShiftEstimate } from '../core/coregister.js';
import { subGrid, type Grid } from '../model/grid.js';
import { loadModelSpec, prepareInputs } from '../model/index.js';
import { flightInputs } from './flight-inputs.js';
import { flightGrid, loadFlightRasters, type FlightRasters } from './flight-rasters.js';
import type { StageContext } from './stage-context.js';

/** Co-registration works at 0.25 m: a tenth of a pixel is 2.5 cm, far below any drift that matters. */
const GSD_M = 0.25;
/** Largest drift looked for, metres (the flights drift 0.3 to 1.5 m). */
const MAX_SHIFT_M = 4;

/** Up to five window origins (pixels): the centre and the four quadrant centres that fit. */
function windowOrigins(grid: Grid, size: number): Array<[number, number]> {
  const spots: Array<[number, number]> = [[0.5, 0.5], [0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]];
  const origins = spots
    .map(([fx, fy]) => [Math.round(grid.width * fx - size / 2), Math.round(grid.height * fy - size / 2)] as [number, number])
    .filter(([x, y]) => x >= 0 && y >= 0 && x + size <= grid.width && y + size <= grid.height);
  return [...new Map(origins.map((o) => [o.join(','), o])).values()];
}

function windowSize(grid: Grid): number | null {
  for (const size of [512, 256, 128]) if (grid.width >= size && grid.height >= size) return size;
  return null;
}

/** Grey level of an RGB image, invalid pixels NaN. */
function grey(r: Float32Array, g: Float32Array, b: Float32Array, valid: Uint8Array): Float32Array {
  return r.map((v, i) => (valid[i] ? 0.299 * v + 0.587 * g[i]! + 0.114 * b[i]! : Number.NaN));
}

async function measureWindow(ctx: StageContext, rasters: FlightRasters, grid: Grid): Promise<ShiftEstimate | null> {
  const spec = loadModelSpec();
  const inputs = await flightInputs(ctx.pool, rasters, grid, { uncorrected: true });
  const prepared = prepareInputs(inputs, spec);
  const size = grid.width;
  let reference: Float32Array;
  let moving: Float32Array;
  if (prepared.beforeRgb && prepared.afterRgb) {
    // Edges, not brightness: the two dates differ in season, sun and colour balance.
    const { r, g, b, valid } = prepared.beforeRgb;
    reference = gradientMagnitude(grey(r, g, b, valid), size, size);
    const after = prepared.afterRgb;
    moving = gradientMagnitude(grey(after.r, after.g, after.b, after.valid), size, size);
  } else if (prepared.afterHeight && prepared.baseline && prepared.baseline.footprint.some((v) => v)) {
    // Heights clipped to a storey range, so that trees and tall outliers do not dominate.
    const clip = (v: number) => (Number.isFinite(v) ? Math.max(0, Math.min(12, v)) : Number.NaN);
    reference = prepared.baseline.height.map(clip);
    moving = prepared.afterHeight.data.map((v, i) => (prepared.afterHeight!.valid[i] ? clip(v) : Number.NaN));
  } else {
    return null;
  }
  return estimateShift(reference, moving, size, { maxShiftPx: Math.round(MAX_SHIFT_M / GSD_M) });
}

export interface CoregisterResult {
  reference: 'earlier_orthophoto' | 'baseline_heights' | 'none';
  dxM: number;
  dyM: number;
  windows: number;
}

export async function coregisterFlight(ctx: StageContext, flightId: string): Promise<CoregisterResult> {
  const rasters = await loadFlightRasters(ctx.pool, flightId);
  const grid = flightGrid(rasters, GSD_M);
  const size = windowSize(grid);
  const estimates: ShiftEstimate[] = [];
  const origins = size ? windowOrigins(grid, size) : [];
  for (const [i, [x, y]] of origins.entries()) {
    const estimate = await measureWindow(ctx, rasters, subGrid(grid, x, y, size!, size!));
    if (estimate) estimates.push(estimate);
    await ctx.progress((i + 1) / origins.length);
  }
  const combined = combineShifts(estimates);
  // Pixels (x right, y down) to metres (east, north).
  const dxM = combined ? combined.dx * GSD_M : 0;
  const dyM = combined ? -combined.dy * GSD_M : 0;
  await setFlightShift(ctx.pool, flightId, dxM, dyM);
  const reference = !combined ? 'none' : rasters.before ? 'earlier_orthophoto' : 'baseline_heights';
  return { reference, dxM, dyM, windows: estimates.length };
}
