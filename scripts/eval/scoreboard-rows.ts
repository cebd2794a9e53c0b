/**
 * The scoreboard's figures from per-item counts, pure (no I/O): items are pooled per split
 * (trained on, held out, and all together when a set has both), the colour reference's oracle
 * threshold is chosen on each row's own pixels, and each row gets its headline score and ratio.
 */
import { addCounts, pixelScores, rates, type ObjectCounts, type PixelCounts, type PixelScores, type Rates } from './scoring.js';
import { mergeHistograms, oracleThreshold, scoreRatio, type DifferenceHistogram } from './reference.js';
import type { MapScore } from './score.js';

export type Split = 'all' | 'trained_on' | 'held_out';
/** Pixel F1 for image pairs (the sets' own convention), object F1 for surface models (withheld buildings). */
export type Metric = 'pixel_f1' | 'object_f1';
export type ReferenceKind = 'colour_difference_oracle' | 'height_above_baseline';

export interface Figures {
  pixel: PixelScores & PixelCounts;
  object: Rates & ObjectCounts;
}

export interface ReferenceFigures {
  kind: ReferenceKind;
  /** Colour: the oracle's cut, mean |after − before| per band (0..255); height: metres. */
  threshold: number;
  pixel: PixelScores & PixelCounts;
  /** Height reference only: the colour reference is a per-pixel floor, not cut into objects. */
  object?: Rates & ObjectCounts;
}

/** One item (pair or tile) as measured: the network's counts and the reference's. */
export interface ItemRecord {
  name: string;
  trainedOn: boolean;
  model: MapScore;
  /** Colour reference: the item's difference histogram; height reference: its counts at the fixed cut. */
  reference: { histogram: DifferenceHistogram } | { score: MapScore; thresholdM: number };
}

export interface ScoreRow {
  split: Split;
  items: number;
  metric: Metric;
  model_score: number;
  reference_score: number;
  /** model_score / reference_score; null when the reference scores 0. */
  ratio: number | null;
  model: Figures;
  reference: ReferenceFigures;
}

const ZERO_PIXELS: PixelCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
const ZERO_OBJECTS: ObjectCounts = { tp: 0, fp: 0, fn: 0 };

function figures(scores: readonly MapScore[]): Figures {
  const pixel = scores.reduce((a, s) => addCounts(a, s.pixel), ZERO_PIXELS);
  const object = scores.reduce((a, s) => addCounts(a, s.object), ZERO_OBJECTS);
  return { pixel: { ...pixelScores(pixel), ...pixel }, object: { ...rates(object.tp, object.fp, object.fn), ...object } };
}

function referenceOf(items: readonly ItemRecord[]): ReferenceFigures {
  const colour = items.flatMap((i) => ('histogram' in i.reference ? [i.reference.histogram] : []));
  if (colour.length === items.length) {
    const cut = oracleThreshold(mergeHistograms(colour));
    // Histogram units are the sum over three bands; printed per band.
    return { kind: 'colour_difference_oracle', threshold: +(cut.threshold / 3).toFixed(2), pixel: { ...pixelScores(cut.counts), ...cut.counts } };
  }
  const height = items.flatMap((i) => ('score' in i.reference ? [i.reference] : []));
  if (height.length !== items.length) throw new Error('a set mixes colour and height references');
  const f = figures(height.map((r) => r.score));
  return { kind: 'height_above_baseline', threshold: height[0]?.thresholdM ?? 0, ...f };
}

function row(split: Split, items: readonly ItemRecord[], metric: Metric): ScoreRow {
  const model = figures(items.map((i) => i.model));
  const reference = referenceOf(items);
  const pick = (f: { pixel: Rates; object?: Rates }) => (metric === 'pixel_f1' ? f.pixel.f1 : (f.object?.f1 ?? 0));
  const modelScore = pick(model);
  const referenceScore = pick(reference);
  return { split, items: items.length, metric, model_score: modelScore, reference_score: referenceScore, ratio: scoreRatio(modelScore, referenceScore), model, reference };
}

/**
 * A set's rows: all items, then trained-on and held-out apart when the set has both (so a score
 * on tiles a network learned is never read as a score on new ones); one row named by its split
 * when it has only one.
 */
export function setRows(items: readonly ItemRecord[], metric: Metric): ScoreRow[] {
  if (!items.length) return [];
  const trained = items.filter((i) => i.trainedOn);
  const held = items.filter((i) => !i.trainedOn);
  if (!trained.length) return [row('held_out', held, metric)];
  if (!held.length) return [row('trained_on', trained, metric)];
  return [row('all', items, metric), row('trained_on', trained, metric), row('held_out', held, metric)];
}
