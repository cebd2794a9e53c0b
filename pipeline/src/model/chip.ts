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

/** Channel sources, resolved once per raster and reused for every chip. */
export type ChipSources = ChannelSource[];

export function chipSources(prepared: PreparedInputs, spec: ChipSpec): ChipSources {
  return spec.channels.map((name) => channelSource(name, prepared, spec));
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
  out.fill(0, offset, offset + sources.length * plane);
  const ca = Math.max(0, col0);
  const cb = Math.min(W, col0 + width);
  if (cb <= ca) return;
  sources.forEach((s, ch) => {
    if (!s.valid) return;
    const base = offset + ch * plane;
    const valid = s.valid === 'all' ? null : s.valid;
    for (let r = Math.max(0, row0); r < Math.min(H, row0 + height); r++) {
      const src = r * W;
      const dst = base + (r - row0) * width - col0;
      if (s.isMask) {
        if (!valid) out.fill(1, dst + ca, dst + cb);
        else for (let c = ca; c < cb; c++) out[dst + c] = valid[src + c]! ? 1 : 0;
        continue;
      }
      const values = s.values!;
      for (let c = ca; c < cb; c++) {
        if (valid && !valid[src + c]) continue;
        let v = values[src + c]!;
        if (v < s.lo) v = s.lo;
        else if (v > s.hi) v = s.hi;
        out[dst + c] = v * s.mul + s.add;
      }
    }
  });
}
