/**
 * Which real samples the trainer may see. Held-out samples are never exported for training (unless
 * `export.ts --development-split all`, for a final network whose recipe was measured on this
 * split; the scoreboard then marks them trained on), so the figures in MODEL_CARD.md measured on
 * them are honest:
 * - LEVIR-CD and EGY-BCD: the sets' own split; val_* tiles are held out.
 * - uav_dsm_vietnam: a fixed quarter of the tiles by a hash of the tile name.
 * - Synthetic scenes: evaluation seeds 1..60 (and the committed scene's seed 7) are never
 *   generated for training; training seeds start at 1000; seeds 901..940 are a validation set
 *   for the decision threshold and the least object area.
 */
import { seededUnit } from '#scripts/eval/seeded.js';

export const EVAL_SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
/** Validation seeds, for choosing the decision threshold without looking at the evaluation seeds. */
export const VAL_SEEDS = Array.from({ length: 40 }, (_, i) => 901 + i);
export const TRAIN_SEED_BASE = 1000;

export function pairHeldOut(name: string): boolean {
  return name.startsWith('val_');
}

export function uavHeldOut(tile: string): boolean {
  return seededUnit(`holdout:${tile}`) < 0.25;
}
