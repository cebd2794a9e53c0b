/**
 * Which of the surface-model-only network's objects stand: its probability map is cut into
 * objects at a low seed threshold (8-connected), and an object stands when its mean probability
 * is high. The map is then rewritten so that the sidecar's decision threshold finds exactly the
 * objects that stand, each whole from its seed outline, and every other pixel lies below it.
 *
 * Why: on real drone surface models (uav_dsm_vietnam) that network fires on many weak patches
 * (unmapped sheds and walls, tree crowns, pieces of roofs beside mapped buildings) next to the
 * houses it is sure of. A patch the network is unsure of as a whole is a false alarm far more often
 * than a house. Height cues measured beside it did not pay and are not used: gates on height above
 * ground and on local roughness (the network already ignores low and rough ground), flat raised
 * patches as candidates of their own (every house they add costs some twenty tree crowns), and a
 * test on the slope of an object's plane (it drops the pitched roofs and rooftop additions of the
 * generated scenes). Settings: the best object F1 on the 65 training tiles among those that keep
 * the generated validation scenes (heights and baseline alone) no worse; figures in
 * models/MODEL_CARD.md.
 *
 * Pure: a probability map in, rewritten in place.
 */
import { changeObjects } from './change-objects.js';
import type { Grid } from './grid.js';

export interface ObjectDecisionOptions {
  /** Probability from which a pixel joins an object (default 0.4). */
  seedThreshold?: number;
  /** Least mean probability over an object for it to stand (default 0.7). */
  minMeanProb?: number;
}

export const OBJECT_DECISION_DEFAULTS: Required<ObjectDecisionOptions> = { seedThreshold: 0.4, minMeanProb: 0.7 };

/**
 * Rewrites `prob` (on `grid`) in place: pixels of standing objects map linearly from
 * [seed, 1] onto [threshold, 1], every other pixel to p · 0.9 · threshold. Returns how many
 * objects were found and how many stand.
 * @param threshold the sidecar's decision threshold
 */
export function decideObjects(prob: Float32Array, grid: Grid, threshold: number, options: ObjectDecisionOptions = {}): { objects: number; standing: number } {
  const o = { ...OBJECT_DECISION_DEFAULTS, ...options };
  if (!(o.seedThreshold > 0 && o.seedThreshold < 1)) throw new Error(`object decision: seed threshold ${o.seedThreshold} is not inside (0, 1)`);
  const { objects, labels } = changeObjects(prob, grid, { threshold: o.seedThreshold, minAreaM2: 0 });
  const stands = Uint8Array.from(objects, (obj) => (obj.meanProb >= o.minMeanProb ? 1 : 0));
  const span = (1 - threshold) / (1 - o.seedThreshold);
  for (let k = 0; k < prob.length; k++) {
    const label = labels[k]!;
    prob[k] = label > 0 && stands[label - 1] ? threshold + (prob[k]! - o.seedThreshold) * span : prob[k]! * 0.9 * threshold;
  }
  let standing = 0;
  for (const v of stands) standing += v;
  return { objects: objects.length, standing };
}
