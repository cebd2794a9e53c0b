/**
 * Scoring detections against ground truth, pure (no I/O): pixel counts and object matching. The
 * model's evaluation and the pipeline's candidate scoring use the same rule, so figures compare.
 *
 * Object rule: a detection and a true object match when their intersection over union is at least
 * 0.3, or when the detection covers at least half of the true object (a detection drawn a little
 * larger than a small shed still finds it). Matching is one-to-one and, among the pairs that
 * qualify, the largest possible number of pairs is matched (ties go to the higher IoU). True
 * objects marked `ignore` (too small to count, or registered structures) are neither found nor
 * missed, and a detection that only matches ignored objects, or lies mostly in an ignored area,
 * is not a false alarm.
 */

export interface PixelCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Rates {
  precision: number;
  recall: number;
  f1: number;
}

export interface PixelScores extends Rates {
  iou: number;
}

/**
 * Counts pixels: `predicted` and `truth` are non-zero where positive; `ignore` non-zero where a
 * pixel does not count.
 */
export function countPixels(predicted: ArrayLike<number>, truth: ArrayLike<number>, ignore?: ArrayLike<number>): PixelCounts {
  if (predicted.length !== truth.length || (ignore && ignore.length !== truth.length)) throw new Error('countPixels: arrays differ in length');
  const c: PixelCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (let i = 0; i < truth.length; i++) {
    if (ignore && ignore[i]) continue;
    const p = predicted[i] !== 0;
    const t = truth[i] !== 0;
    if (p && t) c.tp++;
    else if (p) c.fp++;
    else if (t) c.fn++;
    else c.tn++;
  }
  return c;
}

export function addCounts<T extends object>(a: T, b: T): T {
  const out = { ...a } as Record<string, number>;
  for (const [k, v] of Object.entries(b)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
  return out as T;
}

/**
 * Precision, recall and F1 from counts. With nothing predicted precision is 1, with nothing to
 * find recall is 1 (an empty scene scored empty is perfect, not undefined).
 */
export function rates(tp: number, fp: number, fn: number): Rates {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export function pixelScores(c: PixelCounts): PixelScores {
  const union = c.tp + c.fp + c.fn;
  return { ...rates(c.tp, c.fp, c.fn), iou: union === 0 ? 1 : c.tp / union };
}

export interface ScoredObject {
  /** Area (any unit, the same for every object and overlap). */
  area: number;
  /** A true object that does not count (too small, registered). */
  ignore?: boolean;
  /** For a detection: how much of it lies in ignored areas. */
  ignoredArea?: number;
}

export interface Overlap {
  truth: number;
  detection: number;
  /** Area of the intersection. */
  area: number;
}

export interface MatchRule {
  /** Least intersection over union for a match (default 0.3). */
  minIou: number;
  /** Least share of the true object covered by the detection for a match (default 0.5). */
  minTruthCovered: number;
  /** A detection with at least this share of its area in ignored areas is not counted (default 0.5). */
  ignoredShare: number;
}

export const MATCH_RULE: MatchRule = { minIou: 0.3, minTruthCovered: 0.5, ignoredShare: 0.5 };

export interface ObjectCounts {
  tp: number;
  fp: number;
  fn: number;
}

export interface ObjectMatch extends ObjectCounts {
  /** Matched pairs [truth index, detection index] of counted true objects. */
  pairs: [number, number][];
  /** Per detection: 'tp', 'fp', or 'ignored'. */
  detections: ('tp' | 'fp' | 'ignored')[];
  /** Per true object: 'found', 'missed', or 'ignored'. */
  truths: ('found' | 'missed' | 'ignored')[];
}

/** True when a truth/detection pair qualifies for a match under the rule. */
export function qualifies(truth: ScoredObject, detection: ScoredObject, overlapArea: number, rule: MatchRule = MATCH_RULE): boolean {
  if (overlapArea <= 0) return false;
  const union = truth.area + detection.area - overlapArea;
  return overlapArea / union >= rule.minIou || overlapArea / truth.area >= rule.minTruthCovered;
}

export function matchObjects(
  truths: readonly ScoredObject[],
  detections: readonly ScoredObject[],
  overlaps: readonly Overlap[],
  rule: MatchRule = MATCH_RULE,
): ObjectMatch {
  // Qualifying candidates per truth, best IoU first.
  const candidates: { detection: number; iou: number }[][] = truths.map(() => []);
  for (const o of overlaps) {
    const t = truths[o.truth];
    const d = detections[o.detection];
    if (!t || !d) throw new Error(`overlap refers to a missing object (truth ${o.truth}, detection ${o.detection})`);
    if (qualifies(t, d, o.area, rule)) candidates[o.truth]!.push({ detection: o.detection, iou: o.area / (t.area + d.area - o.area) });
  }
  for (const list of candidates) list.sort((a, b) => b.iou - a.iou || a.detection - b.detection);

  // Maximum bipartite matching (Kuhn's augmenting paths), counted truths first so that ignored
  // ones only take detections nobody else can use.
  const owner = new Int32Array(detections.length).fill(-1);
  const tryAssign = (t: number, seen: Uint8Array): boolean => {
    for (const { detection } of candidates[t]!) {
      if (seen[detection]) continue;
      seen[detection] = 1;
      const current = owner[detection]!;
      if (current < 0 || tryAssign(current, seen)) {
        owner[detection] = t;
        return true;
      }
    }
    return false;
  };
  const order = truths.map((_, i) => i).sort((a, b) => Number(!!truths[a]!.ignore) - Number(!!truths[b]!.ignore) || a - b);
  const counted = order.filter((t) => !truths[t]!.ignore);
  for (const t of counted) tryAssign(t, new Uint8Array(detections.length));
  // Ignored truths take only detections still free, without displacing counted matches.
  for (const t of order.filter((i) => truths[i]!.ignore)) {
    const free = candidates[t]!.find((c) => owner[c.detection]! < 0);
    if (free) owner[free.detection] = t;
  }

  const truthState: ObjectMatch['truths'] = truths.map((t) => (t.ignore ? 'ignored' : 'missed'));
  const detectionState: ObjectMatch['detections'] = detections.map(() => 'fp');
  const pairs: [number, number][] = [];
  const touchesIgnored = new Uint8Array(detections.length);
  truths.forEach((t, ti) => {
    if (t.ignore) for (const c of candidates[ti]!) touchesIgnored[c.detection] = 1;
  });
  detections.forEach((d, di) => {
    const t = owner[di]!;
    if (t >= 0 && !truths[t]!.ignore) {
      truthState[t] = 'found';
      detectionState[di] = 'tp';
      pairs.push([t, di]);
    } else if (t >= 0 || touchesIgnored[di] || (d.ignoredArea ?? 0) >= rule.ignoredShare * d.area) {
      detectionState[di] = 'ignored';
    }
  });
  pairs.sort((a, b) => a[0] - b[0]);
  const tp = pairs.length;
  return {
    tp,
    fp: detectionState.filter((s) => s === 'fp').length,
    fn: truthState.filter((s) => s === 'missed').length,
    pairs,
    detections: detectionState,
    truths: truthState,
  };
}

export interface LabelledObjects {
  truths: ScoredObject[];
  detections: ScoredObject[];
  overlaps: Overlap[];
}

/**
 * Objects and their overlaps from two label rasters on the same grid (0 = background, k = object
 * k - 1), areas in pixels times `pixelArea`. `ignoreMask` (non-zero = ignored area) fills each
 * detection's ignoredArea; `ignoreTruth` marks true objects that do not count.
 */
export function objectsFromLabels(
  truthLabels: ArrayLike<number>,
  truthCount: number,
  detectionLabels: ArrayLike<number>,
  detectionCount: number,
  options: { pixelArea?: number; ignoreMask?: ArrayLike<number>; ignoreTruth?: (index: number, area: number) => boolean } = {},
): LabelledObjects {
  const pixelArea = options.pixelArea ?? 1;
  const truthArea = new Float64Array(truthCount);
  const detArea = new Float64Array(detectionCount);
  const detIgnored = new Float64Array(detectionCount);
  const overlap = new Map<number, number>();
  for (let i = 0; i < truthLabels.length; i++) {
    const t = truthLabels[i]! - 1;
    const d = detectionLabels[i]! - 1;
    if (t >= 0) truthArea[t]! += 1;
    if (d >= 0) {
      detArea[d]! += 1;
      if (options.ignoreMask?.[i]) detIgnored[d]! += 1;
      if (t >= 0) overlap.set(t * detectionCount + d, (overlap.get(t * detectionCount + d) ?? 0) + 1);
    }
  }
  const truths = Array.from(truthArea, (a, i) => ({ area: a * pixelArea, ignore: options.ignoreTruth?.(i, a * pixelArea) ?? false }));
  const detections = Array.from(detArea, (a, i) => ({ area: a * pixelArea, ignoredArea: detIgnored[i]! * pixelArea }));
  const overlaps = [...overlap].map(([key, n]) => ({ truth: Math.floor(key / detectionCount), detection: key % detectionCount, area: n * pixelArea }));
  return { truths, detections, overlaps };
}
