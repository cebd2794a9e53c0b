/**
 * Resampling a band onto another north-up grid, in plain TypeScript so that training export,
 * evaluation and the pipeline bring inputs to the model's ground resolution with the same code.
 * Downsampling averages by area (a 0.1 m orthophoto becomes a clean 0.5 m one, without the
 * aliasing of point sampling); upsampling is bilinear. Missing cells never leak into values: they
 * are left out of the weighted mean, and a destination cell is missing when too little of it is
 * covered by valid source cells.
 */
import { assertNorthUp, gsdOf, validMask, type Band, type Grid } from './grid.js';

export type ResampleMethod = 'auto' | 'average' | 'bilinear' | 'nearest';

export interface ResampleOptions {
  /** 'auto' (default): 'average' when the destination is coarser, 'bilinear' otherwise. */
  method?: ResampleMethod;
  /**
   * Share of a destination cell's area that valid source cells must cover for 'average' to give a
   * value (default 0.5); also the least total weight of valid neighbours for 'bilinear'.
   */
  minCoverage?: number;
  /** Validity of source cells when it is known already (1 valid); default: from nodata/NaN. */
  srcValid?: Uint8Array;
}

export interface Resampled {
  data: Float32Array;
  /** 1 where `data` holds a value; missing cells hold 0. */
  valid: Uint8Array;
}

export function resampleBand(src: Band<ArrayLike<number>>, dst: Grid, options: ResampleOptions = {}): Resampled {
  assertNorthUp(src.grid, 'resample source');
  assertNorthUp(dst, 'resample destination');
  const srcValid = options.srcValid ?? validMask(src);
  let method = options.method ?? 'auto';
  if (method === 'auto') method = gsdOf(dst) > gsdOf(src.grid) * 1.0001 ? 'average' : 'bilinear';
  const minCoverage = options.minCoverage ?? 0.5;
  if (method === 'average') return average(src, srcValid, dst, minCoverage);
  if (method === 'bilinear') return bilinear(src, srcValid, dst, minCoverage);
  return nearest(src, srcValid, dst);
}

/** For each destination cell along one axis: the source cells it overlaps and by how much. */
interface Footprints {
  start: Int32Array;
  count: Int32Array;
  weight: Float64Array;
  /** Offset of cell j's first weight in `weight`. */
  offset: Int32Array;
}

/** Overlaps along one axis; positions are in source pixel units (dst cell j spans a0 + j*step .. +step). */
function footprints(n: number, a0: number, step: number, srcN: number): Footprints {
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const offset = new Int32Array(n);
  const weights: number[] = [];
  for (let j = 0; j < n; j++) {
    const lo = a0 + j * step;
    const hi = lo + step;
    const i0 = Math.max(0, Math.floor(lo));
    const i1 = Math.min(srcN, Math.ceil(hi));
    start[j] = i0;
    offset[j] = weights.length;
    for (let i = i0; i < i1; i++) weights.push(Math.max(0, Math.min(hi, i + 1) - Math.max(lo, i)));
    count[j] = Math.max(0, i1 - i0);
  }
  return { start, count, weight: Float64Array.from(weights), offset };
}

function average(src: Band<ArrayLike<number>>, srcValid: Uint8Array, dst: Grid, minCoverage: number): Resampled {
  const [sx0, sdx, , sy0, , sdy] = src.grid.geoTransform;
  const [dx0, ddx, , dy0, , ddy] = dst.geoTransform;
  const cols = footprints(dst.width, (dx0 - sx0) / sdx, ddx / sdx, src.grid.width);
  const rows = footprints(dst.height, (dy0 - sy0) / sdy, ddy / sdy, src.grid.height);
  const cellArea = (ddx / sdx) * (ddy / sdy);
  const sw = src.grid.width;
  const values = src.data;
  const data = new Float32Array(dst.width * dst.height);
  const valid = new Uint8Array(dst.width * dst.height);
  for (let r = 0; r < dst.height; r++) {
    const ri0 = rows.start[r]!;
    const rn = rows.count[r]!;
    const ro = rows.offset[r]!;
    for (let c = 0; c < dst.width; c++) {
      const ci0 = cols.start[c]!;
      const cn = cols.count[c]!;
      const co = cols.offset[c]!;
      let sum = 0;
      let wsum = 0;
      for (let a = 0; a < rn; a++) {
        const wy = rows.weight[ro + a]!;
        const base = (ri0 + a) * sw + ci0;
        for (let b = 0; b < cn; b++) {
          if (srcValid[base + b]) {
            const w = wy * cols.weight[co + b]!;
            sum += w * values[base + b]!;
            wsum += w;
          }
        }
      }
      const k = r * dst.width + c;
      if (wsum > 0 && wsum >= minCoverage * cellArea) {
        data[k] = sum / wsum;
        valid[k] = 1;
      }
    }
  }
  return { data, valid };
}

function bilinear(src: Band<ArrayLike<number>>, srcValid: Uint8Array, dst: Grid, minWeight: number): Resampled {
  const [sx0, sdx, , sy0, , sdy] = src.grid.geoTransform;
  const [dx0, ddx, , dy0, , ddy] = dst.geoTransform;
  const sw = src.grid.width;
  const sh = src.grid.height;
  const values = src.data;
  const data = new Float32Array(dst.width * dst.height);
  const valid = new Uint8Array(dst.width * dst.height);
  // Per column: the two source columns and the weight of the second; -1 marks "outside".
  const c0 = new Int32Array(dst.width);
  const c1 = new Int32Array(dst.width);
  const fx = new Float64Array(dst.width);
  for (let c = 0; c < dst.width; c++) {
    const u = (dx0 + (c + 0.5) * ddx - sx0) / sdx - 0.5;
    if (u < -0.5 || u > sw - 0.5) {
      c0[c] = -1;
      continue;
    }
    const i = Math.floor(u);
    c0[c] = Math.max(0, i);
    c1[c] = Math.min(sw - 1, i + 1);
    fx[c] = u - i;
  }
  for (let r = 0; r < dst.height; r++) {
    const v = (dy0 + (r + 0.5) * ddy - sy0) / sdy - 0.5;
    if (v < -0.5 || v > sh - 0.5) continue;
    const j = Math.floor(v);
    const r0 = Math.max(0, j) * sw;
    const r1 = Math.min(sh - 1, j + 1) * sw;
    const fy = v - j;
    for (let c = 0; c < dst.width; c++) {
      if (c0[c]! < 0) continue;
      const a = c0[c]!;
      const b = c1[c]!;
      const f = fx[c]!;
      let sum = 0;
      let wsum = 0;
      const add = (idx: number, w: number) => {
        if (w > 0 && srcValid[idx]) {
          sum += w * values[idx]!;
          wsum += w;
        }
      };
      add(r0 + a, (1 - f) * (1 - fy));
      add(r0 + b, f * (1 - fy));
      add(r1 + a, (1 - f) * fy);
      add(r1 + b, f * fy);
      const k = r * dst.width + c;
      if (wsum > 0 && wsum >= minWeight - 1e-9) {
        data[k] = sum / wsum;
        valid[k] = 1;
      }
    }
  }
  return { data, valid };
}

function nearest(src: Band<ArrayLike<number>>, srcValid: Uint8Array, dst: Grid): Resampled {
  const [sx0, sdx, , sy0, , sdy] = src.grid.geoTransform;
  const [dx0, ddx, , dy0, , ddy] = dst.geoTransform;
  const sw = src.grid.width;
  const data = new Float32Array(dst.width * dst.height);
  const valid = new Uint8Array(dst.width * dst.height);
  const colOf = new Int32Array(dst.width);
  for (let c = 0; c < dst.width; c++) {
    const i = Math.floor((dx0 + (c + 0.5) * ddx - sx0) / sdx);
    colOf[c] = i >= 0 && i < sw ? i : -1;
  }
  for (let r = 0; r < dst.height; r++) {
    const j = Math.floor((dy0 + (r + 0.5) * ddy - sy0) / sdy);
    if (j < 0 || j >= src.grid.height) continue;
    for (let c = 0; c < dst.width; c++) {
      const i = colOf[c]!;
      if (i < 0) continue;
      const idx = j * sw + i;
      if (!srcValid[idx]) continue;
      const k = r * dst.width + c;
      data[k] = src.data[idx]!;
      valid[k] = 1;
    }
  }
  return { data, valid };
}
