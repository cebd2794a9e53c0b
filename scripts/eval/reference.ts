/**
 * The naive references the real-data scoreboard sets beside the networks, pure (no I/O): a
 * detector that does no better than these has learned nothing the data did not already show.
 *
 * - Colour difference for image pairs: |after − before| summed over the three bands, cut at the
 *   threshold that gives the best pixel F1 on the very pixels scored. Choosing the threshold on
 *   the test data is an oracle, so the reference is a floor: a network must beat even this.
 * - Height for surface models: the flight's height above ground (the detector's own ground
 *   estimate) minus the baseline's height, cut at a fixed 2.5 m (a storey).
 */
import type { PreparedInputs, RgbInput } from '#pipeline/model/prepare.js';
import type { PixelCounts } from './scoring.js';

/** Largest colour difference: three bands of 0..255. */
export const MAX_COLOUR_DIFFERENCE = 3 * 255;

/** The height reference's cut, metres above the baseline (a storey; the figure). */
export const HEIGHT_REFERENCE_M = 2.5;

/**
 * Sum over bands of |after − before| per pixel, for two images on one grid (the pairs layout
 * checks the sizes); -1 where either image has no pixel (alpha 0), so that nothing is scored there.
 */
export function colourDifference(before: RgbInput, after: RgbInput): Int16Array {
  const n = before.grid.width * before.grid.height;
  if (after.grid.width * after.grid.height !== n) throw new Error('colourDifference: the images differ in size');
  const out = new Int16Array(n);
  const [a0, a1, a2] = before.bands;
  const [b0, b1, b2] = after.bands;
  for (let i = 0; i < n; i++) {
    if ((before.valid && !before.valid[i]) || (after.valid && !after.valid[i])) {
      out[i] = -1;
      continue;
    }
    const d = Math.abs(b0[i]! - a0[i]!) + Math.abs(b1[i]! - a1[i]!) + Math.abs(b2[i]! - a2[i]!);
    out[i] = Math.min(MAX_COLOUR_DIFFERENCE, Math.round(d));
  }
  return out;
}

/**
 * Pixel counts per difference value, changed and unchanged apart: enough to score every
 * threshold at once, and to pool pairs (or a split's pairs) by adding.
 */
export interface DifferenceHistogram {
  changed: Float64Array;
  unchanged: Float64Array;
}

export function emptyHistogram(bins = MAX_COLOUR_DIFFERENCE + 1): DifferenceHistogram {
  return { changed: new Float64Array(bins), unchanged: new Float64Array(bins) };
}

/** Adds one map's pixels: `truth` non-zero where changed; `ignore` non-zero, or a difference of -1, where a pixel does not count. */
export function addToHistogram(h: DifferenceHistogram, difference: ArrayLike<number>, truth: ArrayLike<number>, ignore?: ArrayLike<number>): DifferenceHistogram {
  if (truth.length !== difference.length || (ignore && ignore.length !== difference.length)) throw new Error('addToHistogram: arrays differ in length');
  for (let i = 0; i < difference.length; i++) {
    const d = difference[i]!;
    if (d < 0 || (ignore && ignore[i])) continue;
    if (truth[i]) h.changed[d]! += 1;
    else h.unchanged[d]! += 1;
  }
  return h;
}

export function mergeHistograms(hs: readonly DifferenceHistogram[]): DifferenceHistogram {
  const out = emptyHistogram(hs[0]?.changed.length);
  for (const h of hs) {
    for (let v = 0; v < out.changed.length; v++) {
      out.changed[v]! += h.changed[v]!;
      out.unchanged[v]! += h.unchanged[v]!;
    }
  }
  return out;
}

export interface OracleCut {
  /** Changed where the difference is at least this (in histogram units). */
  threshold: number;
  counts: PixelCounts;
  f1: number;
}

/**
 * The threshold with the best pixel F1 on the histogram's own pixels (ties go to the lower
 * threshold). Nothing predicted (a threshold past the last bin) is a candidate too, so a set
 * without change scores 1 as `rates` has it, and a set whose change no cut separates scores 0.
 */
export function oracleThreshold(h: DifferenceHistogram): OracleCut {
  const bins = h.changed.length;
  let positives = 0;
  let negatives = 0;
  for (let v = 0; v < bins; v++) {
    positives += h.changed[v]!;
    negatives += h.unchanged[v]!;
  }
  const f1Of = (tp: number, fp: number) => {
    const fn = positives - tp;
    return tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn);
  };
  // Start from "nothing predicted" and lower the threshold one bin at a time.
  let best: OracleCut = { threshold: bins, counts: { tp: 0, fp: 0, fn: positives, tn: negatives }, f1: f1Of(0, 0) };
  let tp = 0;
  let fp = 0;
  for (let t = bins - 1; t >= 0; t--) {
    tp += h.changed[t]!;
    fp += h.unchanged[t]!;
    const f1 = f1Of(tp, fp);
    if (f1 >= best.f1) best = { threshold: t, counts: { tp, fp, fn: positives - tp, tn: negatives - fp }, f1 };
  }
  return best;
}

/**
 * 1 where the flight's surface stands more than `metres` above the baseline's height (0 outside
 * baseline footprints), 0 elsewhere and where the surface model has no value; on the prepared
 * (model) grid, so it is scored exactly as a network's probability map.
 */
export function heightAboveBaseline(prepared: Pick<PreparedInputs, 'afterHeight' | 'baseline'>, metres = HEIGHT_REFERENCE_M): Float32Array {
  const h = prepared.afterHeight;
  if (!h) throw new Error('heightAboveBaseline: the inputs hold no surface model');
  const base = prepared.baseline?.height;
  const out = new Float32Array(h.data.length);
  for (let i = 0; i < out.length; i++) if (h.valid[i] && h.data[i]! - (base ? base[i]! : 0) > metres) out[i] = 1;
  return out;
}

/** Model score over reference score; null when the reference scores 0 (no ratio to speak of). */
export function scoreRatio(model: number, reference: number): number | null {
  return reference > 0 ? model / reference : null;
}
