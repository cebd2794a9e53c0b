/**
 * The ground (a digital terrain model, DTM) estimated from a surface model alone, so that the
 * detector sees height above ground rather than elevation: a 4 m shed reads 4 m on a polder at
 * 3 m or on a hill at 90 m. Method, on a coarse grid: a low percentile per cell (ignores the odd
 * low outlier), a morphological opening (a minimum then a maximum over a window wider than the
 * widest building, which removes anything narrower than the window and keeps the terrain's
 * shape), a fill of cells that had no data, and a box smoothing; then bilinear back to the input
 * grid. Baseline footprints can be left out of the sampling, because they are known not to be
 * ground.
 */
import type { Grid } from './grid.js';
import { resampleBand } from './resample.js';
import { boxMean, slidingExtremum } from './sliding-extremum.js';

export interface GroundOptions {
  /** Coarse cell size for the estimate, metres (default 2). */
  cellM?: number;
  /** Percentile of the surface heights taken per coarse cell, 0..1 (default 0.1). */
  percentile?: number;
  /** Opening window, metres: wider than the widest building to be removed (default 60). */
  windowM?: number;
  /** Box smoothing window after the opening, metres (default 16). */
  smoothM?: number;
}

export const GROUND_DEFAULTS: Required<GroundOptions> = { cellM: 2, percentile: 0.1, windowM: 60, smoothM: 16 };

/**
 * Ground elevation for every cell of `grid` (never missing: cells far from any valid surface
 * value take the nearest estimate).
 * @param dsm surface elevations on `grid`
 * @param valid 1 where `dsm` holds a value
 * @param exclude optional 1 where the cell is known not to be ground (baseline footprints)
 */
export function estimateGround(dsm: Float32Array, valid: Uint8Array, grid: Grid, options: GroundOptions = {}, exclude?: Uint8Array): Float32Array {
  const o = { ...GROUND_DEFAULTS, ...options };
  const gsd = grid.geoTransform[1];
  const f = Math.max(1, Math.round(o.cellM / gsd));
  const cw = Math.ceil(grid.width / f);
  const ch = Math.ceil(grid.height / f);
  const coarse = cellPercentiles(dsm, valid, grid, f, cw, ch, o.percentile, exclude);
  const cell = gsd * f;
  const radius = Math.max(1, Math.round(o.windowM / cell / 2));
  const eroded = slidingExtremum(coarse, cw, ch, radius, true);
  const opened = slidingExtremum(eroded, cw, ch, radius, false);
  // Where the opening found nothing (holes, or every cell excluded), fall back to the raw
  // percentile before filling, so a lone clearing still counts.
  for (let i = 0; i < opened.length; i++) if (!(opened[i]! === opened[i]!)) opened[i] = coarse[i]!;
  const filled = pushPullFill(opened, cw, ch);
  const smooth = boxMean(filled, cw, ch, Math.max(0, Math.round(o.smoothM / cell / 2)));
  const coarseGrid: Grid = { width: cw, height: ch, geoTransform: [grid.geoTransform[0], cell, 0, grid.geoTransform[3], 0, -cell] };
  const up = resampleBand({ grid: coarseGrid, data: smooth }, grid, { method: 'bilinear', minCoverage: 0 });
  return up.data;
}

/** Height above the estimated ground; 0 where the surface model has no value. */
export function heightAboveGround(dsm: Float32Array, valid: Uint8Array, ground: Float32Array): Float32Array {
  const out = new Float32Array(dsm.length);
  for (let i = 0; i < out.length; i++) if (valid[i]) out[i] = dsm[i]! - ground[i]!;
  return out;
}

function cellPercentiles(
  dsm: Float32Array,
  valid: Uint8Array,
  grid: Grid,
  f: number,
  cw: number,
  ch: number,
  p: number,
  exclude?: Uint8Array,
): Float32Array {
  const out = new Float32Array(cw * ch).fill(NaN);
  const buf = new Float32Array(f * f);
  for (let cr = 0; cr < ch; cr++) {
    for (let cc = 0; cc < cw; cc++) {
      let n = 0;
      for (let r = cr * f; r < Math.min(grid.height, (cr + 1) * f); r++) {
        for (let c = cc * f; c < Math.min(grid.width, (cc + 1) * f); c++) {
          const k = r * grid.width + c;
          if (valid[k] && !(exclude && exclude[k])) buf[n++] = dsm[k]!;
        }
      }
      // A cell needs a quarter of its area observed to say anything about the ground.
      if (n === 0 || n < (f * f) / 4) continue;
      out[cr * cw + cc] = kthSmallest(buf, n, Math.min(n - 1, Math.floor(p * n)));
    }
  }
  return out;
}

/**
 * The k-th smallest (0-based) of the first `n` values of `buf`, which it reorders. The low
 * percentile asks for one of the first few of a handful (k = 1 of 16 at 2 m on a 0.5 m grid): a
 * partial selection finds it in k + 1 passes, without the view object and native sort per cell
 * that `subarray().sort()` costs. The same value as sorting would give.
 */
function kthSmallest(buf: Float32Array, n: number, k: number): number {
  if (k > 8) return buf.subarray(0, n).sort()[k]!;
  for (let i = 0; i <= k; i++) {
    let m = i;
    for (let j = i + 1; j < n; j++) if (buf[j]! < buf[m]!) m = j;
    const v = buf[m]!;
    buf[m] = buf[i]!;
    buf[i] = v;
  }
  return buf[k]!;
}

/**
 * Fills NaN cells from their surroundings with a push-pull pyramid: average valid cells into
 * ever coarser levels, then pull values back down only where a level had none. Smooth, and it
 * reaches across holes of any size in O(n).
 */
export function pushPullFill(values: Float32Array, width: number, height: number): Float32Array {
  const out = Float32Array.from(values);
  let any = false;
  for (const v of values) if (v === v) any = true;
  if (!any) return out.fill(0);
  if (width <= 1 && height <= 1) return out;
  const w2 = Math.ceil(width / 2);
  const h2 = Math.ceil(height / 2);
  const coarse = new Float32Array(w2 * h2).fill(NaN);
  for (let r = 0; r < h2; r++) {
    for (let c = 0; c < w2; c++) {
      let sum = 0;
      let n = 0;
      for (let dr = 0; dr < 2; dr++) {
        for (let dc = 0; dc < 2; dc++) {
          const rr = 2 * r + dr;
          const cc = 2 * c + dc;
          if (rr < height && cc < width) {
            const v = values[rr * width + cc]!;
            if (v === v) {
              sum += v;
              n++;
            }
          }
        }
      }
      if (n) coarse[r * w2 + c] = sum / n;
    }
  }
  const filledCoarse = pushPullFill(coarse, w2, h2);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const k = r * width + c;
      if (!(out[k]! === out[k]!)) out[k] = filledCoarse[(r >> 1) * w2 + (c >> 1)]!;
    }
  }
  return out;
}
