/**
 * Calibrated confidence (issue 18 item 5): a detected object's raw score, and the monotone map
 * that turns it into the chance a reviewer verifies the object (the chance it is a true change).
 * Pure: no I/O. The pipeline (vectorise measures, raise calibrates) and the evaluation
 * (scripts/eval/score.ts, models/calibrate.ts) share these functions, so the map fitted on
 * evaluation objects applies to the pipeline's candidates unchanged.
 *
 * Raw score: the mean change probability over the object's pixels, 0..1 (the probability band the
 * object was cut from: new structure, or demolished). For the surface-model network it is taken
 * on the map after the object decision, as the pipeline sees it.
 *
 * Map: knots (x ascending, y non-decreasing, both in 0..1), applied by piecewise-linear
 * interpolation and held flat beyond the end knots. Fitted per network by isotonic regression
 * (pool-adjacent-violators, blocks then pooled until each holds enough objects) where there are
 * enough objects, else by Platt scaling (a logistic curve in the raw score, sampled into knots).
 */
import type { Network } from './change-detector.js';

export interface CalibrationMap {
  /** Raw scores, strictly ascending, 0..1. */
  x: number[];
  /** Calibrated scores at x, non-decreasing, 0..1. */
  y: number[];
  /** How the map was fitted. */
  method?: 'isotonic' | 'platt';
  /** Objects it was fitted on, and how many of them were true changes. */
  objects?: number;
  true_changes?: number;
  /** What the objects came from. */
  data?: string[];
  /** The network file the map was fitted for, and its SHA-256. */
  onnx?: string;
  onnx_sha256?: string;
}

/** The sidecar's "calibration" key: one map per network; a network without one keeps its raw score. */
export type Calibration = Partial<Record<Network, CalibrationMap>>;

/**
 * The maps that still describe the networks loaded: a map that names the SHA-256 of the file it
 * was fitted for is kept only when the network now served from `files` has that hash. A retrained
 * network, an adapted version in the model store, or `--model other.onnx` would otherwise have its
 * scores bent by another network's curve; without its map it keeps its raw score. `stale` names the
 * maps dropped for another file, so the caller can say so; a network not loaded (turned off, as
 * scoring the main network alone does) loses its map without a word.
 */
export function currentCalibration(
  calibration: Calibration | undefined,
  files: Partial<Record<Network, string | false>>,
  sha256: (file: string) => string,
): { calibration: Calibration; stale: Network[] } {
  const kept: Calibration = {};
  const stale: Network[] = [];
  for (const [network, map] of Object.entries(calibration ?? {}) as [Network, CalibrationMap][]) {
    const file = files[network];
    if (!map.onnx_sha256) kept[network] = map;
    else if (!file) continue;
    else if (sha256(file) !== map.onnx_sha256) stale.push(network);
    else kept[network] = map;
  }
  return { calibration: kept, stale };
}

/**
 * Raw object scores: for each label 1..count in `labels` (0 = none), the mean of `prob` over its
 * pixels times `scale` (1/255 for an 8-bit probability raster). An object with no pixels scores 0.
 * The pipeline measures one outline with a 0/1 mask as `labels` and count 1.
 */
export function objectRawScores(prob: ArrayLike<number>, labels: ArrayLike<number>, count: number, scale = 1): Float64Array {
  if (prob.length !== labels.length) throw new Error('objectRawScores: probability and labels differ in length');
  const sum = new Float64Array(count);
  const n = new Float64Array(count);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]! - 1;
    if (k < 0 || k >= count) continue;
    sum[k]! += prob[i]!;
    n[k]! += 1;
  }
  return sum.map((s, k) => (n[k]! > 0 ? (s / n[k]!) * scale : 0));
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Throws unless the map's knots are usable: equal lengths, x strictly ascending, y non-decreasing, all in 0..1. */
export function checkCalibrationMap(map: CalibrationMap, name = 'calibration'): void {
  const { x, y } = map;
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.length === 0) throw new Error(`${name}: x and y must be non-empty arrays of equal length`);
  for (let i = 0; i < x.length; i++) {
    if (!(x[i]! >= 0 && x[i]! <= 1 && y[i]! >= 0 && y[i]! <= 1)) throw new Error(`${name}: knot ${i} is outside 0..1`);
    if (i > 0 && !(x[i]! > x[i - 1]!)) throw new Error(`${name}: x must be strictly ascending`);
    if (i > 0 && !(y[i]! >= y[i - 1]!)) throw new Error(`${name}: y must not decrease`);
  }
}

/**
 * The calibrated score of a raw score: piecewise-linear between the knots, the end knots' values
 * beyond them. Without a map the raw score itself (clamped to 0..1). A raw score that is not a
 * number stays as it is (null in, null out).
 */
export function calibrateScore(raw: number, map?: CalibrationMap | null): number;
export function calibrateScore(raw: number | null, map?: CalibrationMap | null): number | null;
export function calibrateScore(raw: number | null, map?: CalibrationMap | null): number | null {
  if (raw === null || !Number.isFinite(raw)) return raw;
  if (!map || map.x.length === 0) return clamp01(raw);
  const { x, y } = map;
  if (raw <= x[0]!) return y[0]!;
  const last = x.length - 1;
  if (raw >= x[last]!) return y[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= raw) lo = mid;
    else hi = mid;
  }
  const t = (raw - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

/** One detected object for fitting or checking a map: its raw (or calibrated) score and whether it matched a true change. */
export interface ScoredDetection {
  score: number;
  hit: boolean;
}

interface Block {
  sumScore: number;
  hits: number;
  n: number;
}

const rate = (b: Block) => b.hits / b.n;
const merge = (a: Block, b: Block): Block => ({ sumScore: a.sumScore + b.sumScore, hits: a.hits + b.hits, n: a.n + b.n });
const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * Isotonic regression by pool-adjacent-violators, then adjacent blocks pooled in order until each
 * holds at least `minPerBin` objects (a map should not promise 0 or 1 from a handful). Knots: each block's
 * mean raw score and its share of true changes, shrunk a little towards one half
 * ((hits + 0.5) / (n + 1)) so that no block reads as certain, then made non-decreasing again.
 */
export function fitIsotonic(samples: readonly ScoredDetection[], minPerBin = 20): CalibrationMap {
  if (samples.length === 0) throw new Error('fitIsotonic: no objects');
  const sorted = [...samples].sort((a, b) => a.score - b.score);
  const stack: Block[] = [];
  for (const s of sorted) {
    let block: Block = { sumScore: s.score, hits: s.hit ? 1 : 0, n: 1 };
    // Only true violators are pooled here (equal rates stay apart, so that the pooling below cuts
    // a long run of true changes into bins); equal raw scores must land in one block (one x, one y).
    while (stack.length && (rate(stack[stack.length - 1]!) > rate(block) || stack[stack.length - 1]!.sumScore / stack[stack.length - 1]!.n === block.sumScore / block.n)) {
      block = merge(stack.pop()!, block);
    }
    stack.push(block);
  }
  const pooled: Block[] = [];
  for (const block of stack) {
    const top = pooled[pooled.length - 1];
    if (top && top.n < minPerBin) pooled[pooled.length - 1] = merge(top, block);
    else pooled.push(block);
  }
  while (pooled.length > 1 && pooled[pooled.length - 1]!.n < minPerBin) {
    const tail = pooled.pop()!;
    pooled[pooled.length - 1] = merge(pooled[pooled.length - 1]!, tail);
  }
  const x: number[] = [];
  const y: number[] = [];
  for (const b of pooled) {
    const xi = round4(b.sumScore / b.n);
    const yi = round4(Math.max(y.length ? y[y.length - 1]! : 0, (b.hits + 0.5) / (b.n + 1)));
    if (x.length && xi <= x[x.length - 1]!) {
      y[y.length - 1] = Math.max(y[y.length - 1]!, yi);
      continue;
    }
    x.push(xi);
    y.push(yi);
  }
  // Knots inside a flat run add nothing to the interpolation.
  const keep = x.map((_, i) => i === 0 || i === x.length - 1 || !(y[i - 1] === y[i] && y[i] === y[i + 1]));
  const hits = samples.filter((s) => s.hit).length;
  return { x: x.filter((_, i) => keep[i]), y: y.filter((_, i) => keep[i]), method: 'isotonic', objects: samples.length, true_changes: hits };
}

/** Platt scaling: P(true) = 1 / (1 + exp(-(a·raw + b))), fitted by Newton's method on Platt's smoothed targets. */
export function fitPlattParams(samples: readonly ScoredDetection[]): { a: number; b: number } {
  const pos = samples.filter((s) => s.hit).length;
  const neg = samples.length - pos;
  const hiT = (pos + 1) / (pos + 2);
  const loT = 1 / (neg + 2);
  let a = 0;
  let b = Math.log((pos + 1) / (neg + 1));
  for (let iter = 0; iter < 100; iter++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-9;
    let hAB = 0;
    let hBB = 1e-9;
    for (const s of samples) {
      const p = 1 / (1 + Math.exp(-(a * s.score + b)));
      const t = s.hit ? hiT : loT;
      const w = p * (1 - p);
      gA += (p - t) * s.score;
      gB += p - t;
      hAA += w * s.score * s.score;
      hAB += w * s.score;
      hBB += w;
    }
    const det = hAA * hBB - hAB * hAB;
    if (!(Math.abs(det) > 1e-12)) break;
    const dA = (hBB * gA - hAB * gB) / det;
    const dB = (hAA * gB - hAB * gA) / det;
    a -= dA;
    b -= dB;
    if (Math.abs(dA) < 1e-9 && Math.abs(dB) < 1e-9) break;
  }
  return { a, b };
}

/** Platt scaling sampled into knots every `step` of the raw score (a falling fit is held flat: maps never fall). */
export function fitPlatt(samples: readonly ScoredDetection[], step = 0.05): CalibrationMap {
  if (samples.length === 0) throw new Error('fitPlatt: no objects');
  const { a, b } = fitPlattParams(samples);
  const x: number[] = [];
  const y: number[] = [];
  const knots = Math.round(1 / step);
  for (let i = 0; i <= knots; i++) {
    const xi = round4(i / knots);
    const p = round4(1 / (1 + Math.exp(-(Math.max(0, a) * xi + b))));
    x.push(xi);
    y.push(Math.max(p, y.length ? y[y.length - 1]! : 0));
  }
  return { x, y, method: 'platt', objects: samples.length, true_changes: samples.filter((s) => s.hit).length };
}

/** Least objects for isotonic regression (five bins of 20); fewer: Platt scaling. */
export const ISOTONIC_MIN_OBJECTS = 100;

/**
 * Isotonic with pooled bins from ISOTONIC_MIN_OBJECTS objects, else Platt scaling. Not Platt where
 * one outcome is rare: on the generated validation the from-scratch main network's 531 objects hold 5 false
 * alarms, all at low raw scores, and the logistic curve through them falls to 0.03 there, while
 * 86% of the held-out scenes' objects in that range are true; a pooled bin promises no more than
 * its 20-odd objects show.
 */
export function fitCalibration(samples: readonly ScoredDetection[], options: { minPerBin?: number } = {}): CalibrationMap {
  return samples.length >= ISOTONIC_MIN_OBJECTS ? fitIsotonic(samples, options.minPerBin) : fitPlatt(samples);
}

export interface ReliabilityRow {
  /** Calibrated-score bin [from, to) (the last bin includes 1). */
  from: number;
  to: number;
  count: number;
  mean_predicted: number | null;
  observed: number | null;
}

export interface Reliability {
  rows: ReliabilityRow[];
  count: number;
  /** Mean of |mean predicted - observed| over bins, weighted by count. */
  ece: number;
  /** Mean squared difference between predicted score and outcome. */
  brier: number;
}

/** Reliability of calibrated scores against outcomes, in bins of equal width. */
export function reliabilityTable(samples: readonly ScoredDetection[], bins = 5): Reliability {
  const sums = Array.from({ length: bins }, () => ({ n: 0, p: 0, hits: 0 }));
  let brier = 0;
  for (const s of samples) {
    const k = Math.min(bins - 1, Math.max(0, Math.floor(s.score * bins)));
    sums[k]!.n += 1;
    sums[k]!.p += s.score;
    sums[k]!.hits += s.hit ? 1 : 0;
    brier += (s.score - (s.hit ? 1 : 0)) ** 2;
  }
  const n = samples.length;
  let ece = 0;
  const rows = sums.map((b, k) => {
    if (b.n) ece += (b.n / n) * Math.abs(b.p / b.n - b.hits / b.n);
    return { from: round4(k / bins), to: round4((k + 1) / bins), count: b.n, mean_predicted: b.n ? round4(b.p / b.n) : null, observed: b.n ? round4(b.hits / b.n) : null };
  });
  return { rows, count: n, ece: n ? round4(ece) : 0, brier: n ? round4(brier / n) : 0 };
}
