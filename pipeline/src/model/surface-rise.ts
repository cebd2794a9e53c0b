/**
 * The surface-rise rule: where an earlier flight's surface model is at hand, a flat surface that
 * stands more than a storey's worth higher than both the earlier surface and the baseline, clear
 * of every baseline building, is a new structure whatever the network says; the patch then takes
 * in its rim, the pixels around it that rose as much.
 *
 * Why a rule beside the network: the network reads a structure mostly from its colours. A new
 * concrete roof over concrete paving looks like the paving from above, and the network scores it
 * near 0 even though the surface model shows it 3 m high (measured on the validation scenes: 14
 * of 16 one-room concrete house extensions missed). It cannot trust height alone, because much
 * stands outside the baseline on both dates (greenhouses, trees, unregistered sheds). The earlier
 * surface model settles exactly that question, and a plain comparison answers it.
 *
 * Pure: planes in, a 0/1 mask out, on the prepared grid.
 */
import { changeObjects } from './change-objects.js';
import type { PreparedInputs } from './prepare.js';

export interface SurfaceRiseOptions {
  /** Least rise over both the earlier surface and the baseline height, metres (default 2). */
  minRiseM?: number;
  /**
   * Largest mean absolute height step to the four neighbours, metres (default 0.15): roofs are
   * flat or evenly pitched at 0.5 m pixels, tree crowns are not.
   */
  maxRoughnessM?: number;
  /** Least area of a risen patch with its rim, m² (default 10, the smallest structure the office scores). */
  minAreaM2?: number;
  /**
   * Least area of its flat inside, m² (default 8): a 16-25 m² extension keeps only 9-12 m² once
   * its rim and the strip along its building are left out. Chosen on the validation scenes (4, 6,
   * 8 and 10 m²: object F1 0.974, 0.978, 0.979, 0.975); below 8, parked lorries pass as well.
   */
  minFlatM2?: number;
  /**
   * Least area of the flat inside of a patch joined to a baseline building by risen surface (an
   * extension against its parent: its roof runs to the wall), m² (default 5). A one-room lean-to
   * 3 m wide keeps only 1.5 m of flat roof across once its rim and the strip along its wall are
   * left out. On the validation scenes every value from 3 to 6 m² gave the same (two more
   * extensions than 8, no more false alarms); a lorry parked by a wall, ground between, never
   * counts as attached (measured: one did with a plain 2 m distance test).
   */
  minAttachedFlatM2?: number;
  /**
   * How far risen surface may run from a patch's flat inside to a baseline building for the
   * patch to count as attached to it, metres (default 2).
   */
  attachedM?: number;
  /**
   * How far a patch is grown over pixels that rose as much but failed the flatness or clearance
   * test, metres (default 1): a roof's rim is a height step, and an extension's side along its
   * building is the clearance strip; without them a 25 m² extension kept 40-50% of its area,
   * under the half that scoring and reviewers need. Never into a baseline footprint.
   */
  rimM?: number;
}

export const SURFACE_RISE_DEFAULTS: Required<SurfaceRiseOptions> = { minRiseM: 2, maxRoughnessM: 0.15, minAreaM2: 10, minFlatM2: 8, minAttachedFlatM2: 5, attachedM: 2, rimM: 1 };

/**
 * 1 where the surface rose into a flat new structure, 0 elsewhere; null when the inputs cannot
 * tell (no earlier or no new surface model, or no baseline known here).
 */
export function surfaceRise(prepared: PreparedInputs, options: SurfaceRiseOptions = {}): Uint8Array | null {
  const { afterHeight: after, beforeHeight: before, baseline, grid } = prepared;
  if (!after || !before || !baseline) return null;
  const o = { ...SURFACE_RISE_DEFAULTS, ...options };
  const { width: W, height: H } = grid;
  const a = after.data;
  const footprint = baseline.footprint;
  // Higher than both the earlier surface and the baseline by more than a storey, where both surfaces are known.
  const rose = (i: number) => after.valid[i] && before.valid[i] && a[i]! - Math.max(baseline.height[i]!, before.data[i]!) > o.minRiseM;
  const risen = new Float32Array(W * H);
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      // One pixel clear of every baseline building: a roof edge a little out of register is not a rise.
      if (footprint[i] || footprint[i - 1] || footprint[i + 1] || footprint[i - W] || footprint[i + W]) continue;
      if (!rose(i)) continue;
      const roughness = (Math.abs(a[i]! - a[i - 1]!) + Math.abs(a[i]! - a[i + 1]!) + Math.abs(a[i]! - a[i - W]!) + Math.abs(a[i]! - a[i + W]!)) / 4;
      if (roughness < o.maxRoughnessM) risen[i] = 1;
    }
  }
  const minAttached = Math.min(o.minAttachedFlatM2, o.minFlatM2);
  const flat = changeObjects(risen, grid, { threshold: 0.5, minAreaM2: minAttached });
  const keep = flat.objects.map((obj) => obj.areaM2 >= o.minFlatM2);
  if (minAttached < o.minFlatM2) {
    // A small patch stands when risen surface joins it to a baseline building within attachedM:
    // steps from its flat inside over pixels that rose as much, until one borders a footprint.
    // A lorry parked by a wall has ground between; a lean-to's roof runs to the wall.
    const reach = Math.round(o.attachedM / Math.abs(grid.geoTransform[1]));
    const owner = new Int32Array(flat.labels.length);
    for (let i = 0; i < owner.length; i++) {
      const label = flat.labels[i]!;
      if (label > 0 && !keep[label - 1]) owner[i] = label;
    }
    const borders = (i: number) => footprint[i - 1] || footprint[i + 1] || footprint[i - W] || footprint[i + W];
    let front: number[] = [];
    for (let i = 0; i < owner.length; i++) if (owner[i]) front.push(i);
    for (let step = 0; step < reach && front.length; step++) {
      const next: number[] = [];
      for (const i of front) {
        for (const n of [i - 1, i + 1, i - W, i + W]) {
          const x = n % W;
          const y = (n - x) / W;
          if (x < 1 || y < 1 || x >= W - 1 || y >= H - 1 || owner[n] || footprint[n] || !rose(n)) continue;
          owner[n] = owner[i]!;
          if (borders(n)) keep[owner[i]! - 1] = true;
          next.push(n);
        }
      }
      front = next;
    }
  }
  // Plain loops over the block's pixels (here, for `owner` above and for the result below):
  // TypedArray.from with a mapping function costs ~15 times as much per pixel.
  const patch = new Float32Array(flat.labels.length);
  for (let i = 0; i < patch.length; i++) {
    const label = flat.labels[i]!;
    if (label && keep[label - 1]) patch[i] = 1;
  }
  // The rim: neighbours that rose as much, outside every baseline footprint, one ring per step.
  const steps = Math.round(o.rimM / Math.abs(grid.geoTransform[1]));
  for (let step = 0; step < steps; step++) {
    const ring: number[] = [];
    for (let y = 1; y < H - 1; y++) {
      for (let x = 1; x < W - 1; x++) {
        const i = y * W + x;
        if (!patch[i] && (patch[i - 1] || patch[i + 1] || patch[i - W] || patch[i + W]) && !footprint[i] && rose(i)) ring.push(i);
      }
    }
    for (const i of ring) patch[i] = 1;
  }
  const grown = changeObjects(patch, grid, { threshold: 0.5, minAreaM2: o.minAreaM2 });
  const risenPixels = new Uint8Array(grown.labels.length);
  for (let i = 0; i < risenPixels.length; i++) if (grown.labels[i]) risenPixels[i] = 1;
  return risenPixels;
}

/** The network's new-structure probability, raised to 1 where the surface rose (in place). */
export function addSurfaceRise(newProb: Float32Array, risen: Uint8Array | null): Float32Array {
  if (risen) for (let i = 0; i < newProb.length; i++) if (risen[i]) newProb[i] = 1;
  return newProb;
}
