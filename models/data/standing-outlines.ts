/**
 * The building outlines of one block of a surface-model flight, as its office knows them (pure, no
 * I/O): the baseline's buildings and the register's standing entries, less those a confirmed
 * demolition says are gone, plus the structures reviewers confirmed were standing by then. These
 * are the surface-model layout's mask_vec/ (scripts/eval/surface.ts): every outline goes into the
 * baseline and the trainer withholds a share per draw to make new structures, as it does with the
 * real surface-model tiles (models/data/real.ts exportSurfaceTiles).
 */
import type { Grid } from '#pipeline/model/grid.js';
import { polygonMask, type PolygonRings } from '#pipeline/model/polygon-fill.js';

type Geometry = { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };

/** Share of a footprint's pixels that a confirmed demolition must cover for it to count as gone. */
export const GONE_SHARE = 0.5;

export interface OutlineFeature {
  type: 'Feature';
  properties: { source: 'baseline' | 'register' | 'reviewed'; id: string; height_m: number | null };
  geometry: Geometry;
}

export function polygonsOf(g: Geometry): PolygonRings[] {
  return (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown as PolygonRings[];
}

/** Pixels of a geometry on the grid. */
function pixelCount(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v ? 1 : 0;
  return n;
}

/**
 * The block's outlines: known buildings (baseline, register) not mostly covered by a gone outline,
 * then the standing reviewed structures, in the order given (the callers' order is by id). A known
 * building with no pixel on the grid is left out (it only touches the block's edge).
 */
export function standingOutlines(
  grid: Grid,
  known: ReadonlyArray<{ source: 'baseline' | 'register'; id: string; heightM: number | null; geometry: Geometry }>,
  reviewed: ReadonlyArray<{ candidateId: string; label: string; geometry: Geometry }>,
): { features: OutlineFeature[]; removed: string[] } {
  const gone = polygonMask(grid, reviewed.filter((r) => r.label === 'gone').flatMap((r) => polygonsOf(r.geometry)));
  const features: OutlineFeature[] = [];
  const removed: string[] = [];
  for (const b of known) {
    const mask = polygonMask(grid, polygonsOf(b.geometry));
    const total = pixelCount(mask);
    if (!total) continue;
    let covered = 0;
    for (let i = 0; i < mask.length; i++) covered += mask[i] && gone[i] ? 1 : 0;
    if (covered / total >= GONE_SHARE) {
      removed.push(`${b.source}:${b.id}`);
      continue;
    }
    features.push({ type: 'Feature', properties: { source: b.source, id: b.id, height_m: b.heightM }, geometry: b.geometry });
  }
  for (const r of reviewed) {
    if (r.label !== 'standing' || !pixelCount(polygonMask(grid, polygonsOf(r.geometry)))) continue;
    features.push({ type: 'Feature', properties: { source: 'reviewed', id: r.candidateId, height_m: null }, geometry: r.geometry });
  }
  return { features, removed };
}
