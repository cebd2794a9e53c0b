/**
 * Builds the network's input tensor for one chip: the channels in the sidecar's order, normalised
 * as the sidecar says, zero wherever an input is absent or the chip reaches past the raster (with
 * the matching availability mask at zero, which is how the network knows "absent" from "dark" or
 * "flat"). Training export, evaluation and the pipeline all go through here.
 */
import type { ChannelName, ModelSpec } from './model-spec.js';
import type { PreparedInputs } from './prepare.js';

type ChipSpec = Pick<ModelSpec, 'channels' | 'normalisation'>;

/** Per channel: the source plane, its validity and value = (v * mul + add), clamped when given. */
interface ChannelSource {
  values: ArrayLike<number> | null;
  /** Validity per pixel, 'all' when the input covers the whole raster, null when absent. */
  valid: ArrayLike<number> | 'all' | null;
  mul: number;
  add: number;
  lo: number;
  hi: number;
  /** The channel is a mask: the value is the validity itself. */
  isMask: boolean;
}

function channelSource(name: ChannelName, p: PreparedInputs, spec: ChipSpec): ChannelSource {
  const { rgb, after_height: ah, baseline_height: bh } = spec.normalisation;
  const none: ChannelSource = { values: null, valid: null, mul: 0, add: 0, lo: -Infinity, hi: Infinity, isMask: false };
  const rgbSource = (planes: PreparedInputs['afterRgb'], band: 'r' | 'g' | 'b'): ChannelSource =>
    planes ? { ...none, values: planes[band], valid: planes.valid, mul: rgb.scale / rgb.std, add: -rgb.mean / rgb.std } : none;
  const mask = (valid: ArrayLike<number> | null | undefined): ChannelSource => (valid ? { ...none, valid, isMask: true } : none);
  switch (name) {
    case 'after_r':
      return rgbSource(p.afterRgb, 'r');
    case 'after_g':
      return rgbSource(p.afterRgb, 'g');
    case 'after_b':
      return rgbSource(p.afterRgb, 'b');
    case 'before_r':
      return rgbSource(p.beforeRgb, 'r');
    case 'before_g':
      return rgbSource(p.beforeRgb, 'g');
    case 'before_b':
      return rgbSource(p.beforeRgb, 'b');
    case 'after_height':
      return p.afterHeight ? { ...none, values: p.afterHeight.data, valid: p.afterHeight.valid, mul: ah.scale, lo: ah.min, hi: ah.max } : none;
    case 'baseline_height':
      return p.baseline ? { ...none, values: p.baseline.height, valid: 'all', mul: bh.scale, lo: bh.min, hi: bh.max } : none;
    case 'baseline_footprint':
      return p.baseline ? { ...none, values: p.baseline.footprint, valid: 'all', mul: 1 } : none;
    case 'after_rgb_valid':
      return mask(p.afterRgb?.valid);
    case 'before_rgb_valid':
      return mask(p.beforeRgb?.valid);
    case 'after_dsm_valid':
      return mask(p.afterHeight?.valid);
    case 'baseline_valid':
      return p.baseline ? { ...none, valid: 'all', isMask: true } : none;
  }
}

/**
 * A channel ready to copy into chips: its normalised values over the whole raster (zero where
 * invalid), or one value everywhere (0 for an absent input, 1 for the mask of an input that covers
 * the raster). Chips of tiled inference overlap, so normalising once per raster instead of once
 * per chip does each pixel's arithmetic once; a chip is then row copies. The values are the same
 * float32 numbers as normalising per chip gives.
 */
export interface ChipChannel {
  plane: Float32Array | null;
  constant: number;
}

/** Channel planes, computed once per raster and reused for every chip. */
export type ChipSources = ChipChannel[];

/**
 * @param zeros where the planes come from (default: new arrays); tiled inference passes its
 * Scratch, so that planes are reused from block to block.
 */
export function chipSources(prepared: PreparedInputs, spec: ChipSpec, zeros: (length: number) => Float32Array = (length) => new Float32Array(length)): ChipSources {
  const n = prepared.grid.width * prepared.grid.height;
  // Three colour channels and a mask share one validity array: each is scanned once.
  const scanned = new Map<ArrayLike<number>, boolean>();
  const covers = (valid: ArrayLike<number>) => scanned.get(valid) ?? scanned.set(valid, everyOne(valid)).get(valid)!;
  return spec.channels.map((name) => normalisedChannel(channelSource(name, prepared, spec), n, covers, zeros));
}

function normalisedChannel(
  s: ChannelSource,
  n: number,
  covers: (valid: ArrayLike<number>) => boolean,
  zeros: (length: number) => Float32Array,
): ChipChannel {
  if (!s.valid) return { plane: null, constant: 0 };
  // An input that covers the whole raster (the usual case inside a flight) has a mask of ones:
  // one constant, so that neither the mask plane nor a validity test per pixel is paid for.
  const valid = s.valid === 'all' || covers(s.valid) ? null : s.valid;
  if (s.isMask && !valid) return { plane: null, constant: 1 };
  const plane = zeros(n);
  if (s.isMask) {
    // validity arrays hold 0 and 1 (see Resampled): converted by one typed-array copy
    if (valid instanceof Uint8Array) plane.set(valid);
    else for (let i = 0; i < n; i++) plane[i] = valid![i]! ? 1 : 0;
    return { plane, constant: 0 };
  }
  const values = s.values!;
  const { lo, hi, mul, add } = s;
  // One loop per case, each over one kind of array: the per-pixel tests that do not apply (no
  // bounds, valid everywhere) are not paid for, and the element loads stay monomorphic.
  const bounded = lo !== -Infinity || hi !== Infinity;
  if (!valid && !bounded && mul === 1 && add === 0 && ArrayBuffer.isView(values)) {
    plane.set(values as Uint8Array); // the footprint: values as they are
    return { plane, constant: 0 };
  }
  if (values instanceof Float32Array && (valid === null || valid instanceof Uint8Array)) {
    if (valid && bounded) normaliseValidBounded(values, valid, lo, hi, mul, add, plane);
    else if (valid) normaliseValid(values, valid, mul, add, plane);
    else if (bounded) normaliseBounded(values, lo, hi, mul, add, plane);
    else for (let i = 0; i < n; i++) plane[i] = values[i]! * mul + add;
    return { plane, constant: 0 };
  }
  for (let i = 0; i < n; i++) {
    if (valid && !valid[i]) continue;
    let v = values[i]!;
    if (v < lo) v = lo;
    else if (v > hi) v = hi;
    plane[i] = v * mul + add;
  }
  return { plane, constant: 0 };
}

/** Whether every value is 1 (validity arrays hold 0 and 1). */
function everyOne(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 1) return false;
  return true;
}

function normaliseValidBounded(values: Float32Array, valid: Uint8Array, lo: number, hi: number, mul: number, add: number, plane: Float32Array): void {
  for (let i = 0; i < plane.length; i++) {
    if (valid[i] === 0) continue;
    const v = values[i]!;
    plane[i] = (v < lo ? lo : v > hi ? hi : v) * mul + add;
  }
}

function normaliseValid(values: Float32Array, valid: Uint8Array, mul: number, add: number, plane: Float32Array): void {
  for (let i = 0; i < plane.length; i++) if (valid[i] !== 0) plane[i] = values[i]! * mul + add;
}

function normaliseBounded(values: Float32Array, lo: number, hi: number, mul: number, add: number, plane: Float32Array): void {
  for (let i = 0; i < plane.length; i++) {
    const v = values[i]!;
    plane[i] = (v < lo ? lo : v > hi ? hi : v) * mul + add;
  }
}

/**
 * Writes the chip whose upper-left pixel is (col0, row0) of the prepared grid, `size` x `size`,
 * into `out` at `offset` as channels x rows x columns (NCHW without N).
 */
export function fillChip(prepared: PreparedInputs, sources: ChipSources, col0: number, row0: number, size: number, out: Float32Array, offset = 0): void {
  fillWindow(prepared, sources, col0, row0, size, size, out, offset);
}

/** As fillChip for any window width x height (training export writes whole rasters at once). */
export function fillWindow(
  prepared: PreparedInputs,
  sources: ChipSources,
  col0: number,
  row0: number,
  width: number,
  height: number,
  out: Float32Array,
  offset = 0,
): void {
  const { width: W, height: H } = prepared.grid;
  const plane = width * height;
  const ca = Math.max(0, col0);
  const cb = Math.min(W, col0 + width);
  const r0 = Math.max(0, row0);
  const r1 = Math.min(H, row0 + height);
  // Each value is written once: copied where the window lies on the raster, zero elsewhere.
  for (let ch = 0; ch < sources.length; ch++) {
    const { plane: values, constant } = sources[ch]!;
    const start = offset + ch * plane;
    if ((!values && constant === 0) || cb <= ca || r1 <= r0) {
      out.fill(0, start, start + plane);
      continue;
    }
    out.fill(0, start, start + (r0 - row0) * width);
    out.fill(0, start + (r1 - row0) * width, start + plane);
    for (let r = r0; r < r1; r++) {
      const line = start + (r - row0) * width;
      if (ca > col0) out.fill(0, line, line + ca - col0);
      if (values) out.set(values.subarray(r * W + ca, r * W + cb), line + ca - col0);
      else out.fill(constant, line + ca - col0, line + cb - col0);
      if (cb < col0 + width) out.fill(0, line + cb - col0, line + width);
    }
  }
}
