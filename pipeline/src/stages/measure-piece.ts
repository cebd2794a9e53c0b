/**
 * Measures an outline on a flight's detection output: the mean probability inside it, and the
 * median height change over the baseline (from the height-change raster detect wrote), reading
 * only the outline's bounding box. Vectorise and the demolition check both measure this way.
 */
import { objectRawScores } from '../model/calibration.js';
import { gridForExtent } from '../model/grid.js';
import { polygonMask, type PolygonRings } from '../model/index.js';
import { readOnGrid } from '../raster/read-on-grid.js';
import { flightPath, mediumOf } from '../raster-store.js';
import { HEIGHT_CHANGE_FILE, PROBABILITY_FILE } from './detect.js';

export interface PieceMeasure {
  /** Mean probability of the band asked for inside the outline, 0..1: the object's raw score (model/calibration.ts). */
  meanProbability: number;
  /** Median height change over the baseline, metres; null without a surface model. */
  medianHeightChangeM: number | null;
}

export function measurePiece(store: string, flightId: string, polygons: readonly PolygonRings[], gsd: number, band: 'new' | 'demolished'): PieceMeasure {
  const xs = polygons.flatMap((p) => p[0]!.map((q) => q[0]!));
  const ys = polygons.flatMap((p) => p[0]!.map((q) => q[1]!));
  const grid = gridForExtent([Math.min(...xs) - gsd, Math.min(...ys) - gsd, Math.max(...xs) + gsd, Math.max(...ys) + gsd], gsd);
  const mask = polygonMask(grid, polygons);
  const probability = readOnGrid(flightPath(store, flightId, PROBABILITY_FILE), grid, { bands: [band === 'new' ? 1 : 2], resampling: 'nearest' }).bands[0]!;
  const heightFile = flightPath(store, flightId, HEIGHT_CHANGE_FILE);
  const heights = mediumOf(heightFile).mayExist(heightFile) ? readOnGrid(heightFile, grid, { bands: [1], resampling: 'nearest' }) : null;
  const changes: number[] = [];
  mask.forEach((inside, i) => {
    if (!inside) return;
    // Only finite heights are measured: an infinity read from a broken surface model would
    // otherwise become the candidate's height gain ("Infinity m").
    const change = heights?.valid[i] ? heights.bands[0]![i]! : Number.NaN;
    if (Number.isFinite(change)) changes.push(change);
  });
  changes.sort((a, b) => a - b);
  return {
    meanProbability: objectRawScores(probability, mask, 1, 1 / 255)[0]!,
    medianHeightChangeM: changes.length ? changes[changes.length >> 1]! : null,
  };
}
