/**
 * Stage 8, confirm demolitions: where a candidate was scheduled for demolition or marked
 * demolished and the new flight covers it, checks whether the structure is gone: with a surface
 * model, by the height still standing above the ground (and above the baseline, for rooftop
 * changes); without one, by the detector's probability that a structure is there.
 */
import { inTransaction } from '../../../db/connection.js';
import { candidatesAwaitingDemolitionCheck, recordDemolitionCheck } from '../../../db/sql/candidates.js';
import { gridForExtent } from '../model/grid.js';
import { loadModelSpec, polygonMask, prepareInputs, type PolygonRings } from '../model/index.js';
import { readOnGrid } from '../raster/read-on-grid.js';
import { flightPath } from '../raster-store.js';
import { PROBABILITY_FILE } from './detect.js';
import { flightInputs } from './flight-inputs.js';
import { loadFlightRasters } from './flight-rasters.js';
import type { StageContext } from './stage-context.js';

/** A structure whose median height over what may legally stand is below this is gone, metres. */
const STANDING_HEIGHT_M = 1.2;
/** Without a surface model: mean "new structure" probability below this means gone. */
const STANDING_PROBABILITY = 0.35;

export async function confirmDemolitions(ctx: StageContext, flightId: string): Promise<{ confirmed: number; stillStanding: number }> {
  const rasters = await loadFlightRasters(ctx.pool, flightId);
  const awaiting = await candidatesAwaitingDemolitionCheck(ctx.pool, flightId, rasters.proj);
  const spec = loadModelSpec();
  const verdicts: Array<{ candidate: (typeof awaiting)[number]; verdict: 'confirmed' | 'still_standing'; measurements: object }> = [];
  for (const candidate of awaiting) {
    const crs = JSON.parse(candidate.geometry_crs) as { type: string; coordinates: number[][][] | number[][][][] };
    const polygons = (crs.type === 'Polygon' ? [crs.coordinates] : crs.coordinates) as number[][][][];
    const xs = polygons.flatMap((p) => p[0]!.map((q) => q[0]!));
    const ys = polygons.flatMap((p) => p[0]!.map((q) => q[1]!));
    const grid = gridForExtent([Math.min(...xs) - 32, Math.min(...ys) - 32, Math.max(...xs) + 32, Math.max(...ys) + 32], spec.gsd_m);
    const mask = polygonMask(grid, polygons as unknown as PolygonRings[]);
    let measurements: { medianHeightM?: number; meanProbability?: number };
    let gone: boolean;
    if (rasters.surfaceModel) {
      const prepared = prepareInputs(await flightInputs(ctx.pool, rasters, grid, { before: false }), spec);
      const heights: number[] = [];
      mask.forEach((inside, i) => {
        if (inside && prepared.afterHeight?.valid[i]) heights.push(prepared.afterHeight.data[i]! - (prepared.baseline?.height[i] ?? 0));
      });
      heights.sort((a, b) => a - b);
      const medianHeightM = heights.length ? heights[heights.length >> 1]! : 0;
      measurements = { medianHeightM: Math.round(medianHeightM * 100) / 100 };
      gone = medianHeightM < STANDING_HEIGHT_M;
    } else {
      const probability = readOnGrid(flightPath(ctx.config.rasterStore, flightId, PROBABILITY_FILE), grid, { bands: [1], resampling: 'nearest' }).bands[0]!;
      let sum = 0;
      let count = 0;
      mask.forEach((inside, i) => {
        if (inside) {
          sum += probability[i]! / 255;
          count += 1;
        }
      });
      const meanProbability = count ? sum / count : 0;
      measurements = { meanProbability: Math.round(meanProbability * 1000) / 1000 };
      gone = meanProbability < STANDING_PROBABILITY;
    }
    verdicts.push({ candidate, verdict: gone ? 'confirmed' : 'still_standing', measurements });
  }
  await inTransaction(ctx.pool, async (client) => {
    for (const v of verdicts) await recordDemolitionCheck(client, v.candidate, flightId, v.verdict, v.measurements);
  });
  return { confirmed: verdicts.filter((v) => v.verdict === 'confirmed').length, stillStanding: verdicts.filter((v) => v.verdict === 'still_standing').length };
}
