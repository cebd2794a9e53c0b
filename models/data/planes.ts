/**
 * Whole-sample planes for the trainer: the model's input channels exactly as tiled inference
 * builds them (same prepareInputs, same fillWindow), plus target planes on the same grid.
 */
import { chipSources, fillWindow } from '#pipeline/model/chip.js';
import type { Band, Grid } from '#pipeline/model/grid.js';
import type { ModelSpec } from '#pipeline/model/model-spec.js';
import type { PreparedInputs } from '#pipeline/model/prepare.js';
import { resampleBand } from '#pipeline/model/resample.js';

/** The input channels of a prepared raster, keyed by channel name. */
export function inputPlanes(prepared: PreparedInputs, spec: ModelSpec): Record<string, Float32Array> {
  const { width, height } = prepared.grid;
  const n = width * height;
  const all = new Float32Array(spec.channels.length * n);
  fillWindow(prepared, chipSources(prepared, spec), 0, 0, width, height, all, 0);
  return Object.fromEntries(spec.channels.map((name, i) => [name, all.subarray(i * n, (i + 1) * n)]));
}

/**
 * Share of each destination cell covered by source pixels whose class is in `classes`, out of
 * all source pixels (area-weighted average of an indicator).
 */
export function classShare(mask: Band<ArrayLike<number>>, classes: readonly number[], grid: Grid): Float32Array {
  const set = new Set(classes);
  const indicator = Float32Array.from(mask.data as ArrayLike<number>, (v) => (set.has(v) ? 1 : 0));
  return resampleBand({ grid: mask.grid, data: indicator }, grid, { method: 'average', minCoverage: 0 }).data;
}
