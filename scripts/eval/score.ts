/**
 * Scores one probability map against truth on the truth's own grid: the map is resampled there
 * (bilinear up, area average down), thresholded for pixel counts, and cut into objects for the
 * one-to-one object match of scripts/eval/scoring.ts.
 */
import { objectRawScores } from '#pipeline/model/calibration.js';
import { changedPixels, changeObjects } from '#pipeline/model/change-objects.js';
import { sameGrid, type Grid } from '#pipeline/model/grid.js';
import { resampleBand } from '#pipeline/model/resample.js';
import { countPixels, matchObjects, objectsFromLabels, type ObjectCounts, type PixelCounts } from './scoring.js';

/** True structures smaller than this do not count (found or missed), m². */
export const MIN_TRUTH_M2 = 10;

export interface TruthOnGrid {
  grid: Grid;
  /** Non-zero where changed. */
  mask: ArrayLike<number>;
  /** Non-zero where pixels do not count (and detections there are not false alarms). */
  ignore?: ArrayLike<number>;
  /** True objects as labels (k = object k - 1), and which of them do not count. */
  labels: Int32Array;
  count: number;
  ignoreObject: (index: number) => boolean;
}

export interface MapScore {
  pixel: PixelCounts;
  object: ObjectCounts;
}

/** One detected object: its raw score (pipeline/src/model/calibration.ts) and how the object match judged it. */
export interface DetectedObject {
  raw: number;
  areaM2: number;
  state: 'tp' | 'fp' | 'ignored';
}

export function onGrid(prob: Float32Array, from: Grid, to: Grid): Float32Array {
  if (sameGrid(from, to)) return prob;
  return resampleBand({ grid: from, data: prob }, to, { minCoverage: 0 }).data;
}

/** How probabilities become detections (the sidecar's threshold, min_object_m2, opening_m). */
export interface DecisionRule {
  threshold: number;
  minObjectM2: number;
  openingM: number;
}

/** How the object match judged a map, on the truth's grid (for the per-object notes, object-notes.ts). */
export interface MatchedMap {
  /** The probability map resampled to the truth's grid. */
  p: Float32Array;
  /** Detections as labels (k = detection k - 1), and the match's verdict on each and on each true object. */
  detectionLabels: Int32Array;
  detectionStates: ('tp' | 'fp' | 'ignored')[];
  truthStates: ('found' | 'missed' | 'ignored')[];
}

/**
 * The figures, and each detected object (for calibration; kept out of the evaluation's JSON).
 * `onMatch` is handed the match itself.
 */
export function scoreMap(prob: Float32Array, probGrid: Grid, truth: TruthOnGrid, rule: DecisionRule, onMatch?: (matched: MatchedMap) => void): MapScore & { detected: DetectedObject[] } {
  const p = onGrid(prob, probGrid, truth.grid);
  const radius = Math.round(rule.openingM / Math.abs(truth.grid.geoTransform[1]) / 2);
  const predicted = changedPixels(p, truth.grid.width, truth.grid.height, rule.threshold, radius);
  const pixel = countPixels(predicted, truth.mask, truth.ignore);
  const found = changeObjects(p, truth.grid, { threshold: rule.threshold, minAreaM2: rule.minObjectM2, openingM: rule.openingM });
  const pixelArea = Math.abs(truth.grid.geoTransform[1] * truth.grid.geoTransform[5]);
  const objects = objectsFromLabels(truth.labels, truth.count, found.labels, found.objects.length, {
    pixelArea,
    ignoreMask: truth.ignore,
    ignoreTruth: (i) => truth.ignoreObject(i),
  });
  const m = matchObjects(objects.truths, objects.detections, objects.overlaps);
  const raw = objectRawScores(p, found.labels, found.objects.length);
  const detected = found.objects.map((o, k) => ({ raw: raw[k]!, areaM2: o.areaM2, state: m.detections[k]! }));
  onMatch?.({ p, detectionLabels: found.labels, detectionStates: m.detections, truthStates: m.truths });
  return { pixel, object: { tp: m.tp, fp: m.fp, fn: m.fn }, detected };
}
