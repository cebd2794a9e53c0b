/**
 * The building split: a detection that reaches over two or more baseline buildings is cut into one
 * detection per building. Each of its pixels goes to the building nearest to it inside the
 * detection (steps through the detection, from every building's footprint at once), and a
 * one-pixel seam between the parts is lowered under the decision threshold, so that both the
 * evaluation's objects and the pipeline's polygons (8-connected) come out apart.
 *
 * Why: a change is a case against one building and its owner. A storey added on one house and a
 * shed on the roof of the house next door are two cases, but the network also lights the narrow
 * alley between two changed roofs, and the two changes then came out as one detection, which
 * can match only one of them (the committed demo scene lost a rooftop addition that way).
 * Detections that touch one building or none are left as they are.
 *
 * Pure: a probability map in, rewritten in place.
 */
import { changeObjects } from './change-objects.js';
import type { Grid } from './grid.js';

/**
 * Least part of a building's footprint a detection must cover for the building to count, m²: the
 * smallest structure the office scores (10 m²), far above the slivers a roof edge out of register
 * leaves on a neighbour (1-2 m² on the validation scenes, where such slivers split extensions).
 */
export const SPLIT_MIN_M2 = 10;

/**
 * Lowers the seam pixels of `prob` (on `grid`) in place to 0.9 · threshold; `building` holds a
 * baseline building's number per pixel (0 outside), as rasteriseBaseline writes it. A detection
 * is split among the buildings of which it covers at least minM2. Returns how many were split.
 */
export function splitByBuilding(prob: Float32Array, grid: Grid, building: Int32Array, threshold: number, minM2 = SPLIT_MIN_M2): number {
  const { width: W, height: H } = grid;
  const { labels } = changeObjects(prob, grid, { threshold, minAreaM2: 0 });
  const owner = new Int32Array(W * H);
  const queue = new Int32Array(W * H);
  // How much of each building every detection covers; a building it covers less than minM2 of
  // (a roof edge a little out of register, a wall touched) does not count.
  const pixelArea = Math.abs(grid.geoTransform[1] * grid.geoTransform[5]);
  const covered = new Map<number, Map<number, number>>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const b = building[i]!;
    if (!label || !b) continue;
    let perBuilding = covered.get(label);
    if (!perBuilding) covered.set(label, (perBuilding = new Map()));
    perBuilding.set(b, (perBuilding.get(b) ?? 0) + 1);
  }
  const stands = new Map<number, Set<number>>();
  for (const [label, perBuilding] of covered) {
    const on = new Set([...perBuilding].filter(([, n]) => n * pixelArea >= minM2).map(([b]) => b));
    if (on.size > 1) stands.set(label, on);
  }
  // Every footprint pixel of those buildings seeds its building; breadth-first through the
  // detection's pixels (8-neighbour steps, as objects are cut) gives every pixel its nearest one.
  let head = 0;
  let tail = 0;
  for (let i = 0; i < labels.length; i++) {
    if (stands.get(labels[i]!)?.has(building[i]!)) {
      owner[i] = building[i]!;
      queue[tail++] = i;
    }
  }
  while (head < tail) {
    const k = queue[head++]!;
    const r = Math.floor(k / W);
    const c = k - r * W;
    const label = labels[k]!;
    for (let dr = -1; dr <= 1; dr++) {
      const rr = r + dr;
      if (rr < 0 || rr >= H) continue;
      for (let dc = -1; dc <= 1; dc++) {
        const cc = c + dc;
        const n = rr * W + cc;
        if (cc < 0 || cc >= W || labels[n] !== label || owner[n]) continue;
        owner[n] = owner[k]!;
        queue[tail++] = n;
      }
    }
  }
  // The seam: a pixel with an 8-neighbour of the same detection owned by a lower-numbered building.
  const seam: number[] = [];
  for (let k = 0; k < labels.length; k++) {
    const o = owner[k]!;
    if (!o) continue;
    const r = Math.floor(k / W);
    const c = k - r * W;
    let cut = false;
    for (let dr = -1; dr <= 1 && !cut; dr++) {
      const rr = r + dr;
      if (rr < 0 || rr >= H) continue;
      for (let dc = -1; dc <= 1; dc++) {
        const cc = c + dc;
        if (cc < 0 || cc >= W) continue;
        const other = owner[rr * W + cc]!;
        if (other && other < o) {
          cut = true;
          break;
        }
      }
    }
    if (cut) seam.push(k);
  }
  for (const k of seam) prob[k] = Math.min(prob[k]!, 0.9 * threshold);
  return stands.size;
}
