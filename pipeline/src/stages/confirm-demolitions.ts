/**
 * Stage 8, confirm demolitions: where a candidate was scheduled for demolition or marked
 * demolished and the new flight covers it, checks whether the structure is gone: with a surface
 * model, by the height still standing over what the baseline allows there; without one, by the
 * detector's probability that a structure is there.
 */
import { inTransaction } from '#db/connection.js';
import { candidatesAwaitingDemolitionCheck, recordDemolitionCheck } from '#db/sql/candidates.js';
import { loadModelSpec, type PolygonRings } from '../model/index.js';
import { loadFlightRasters } from './flight-rasters.js';
import { measurePiece } from './measure-piece.js';
import type { StageContext } from './stage.js';

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
    const polygons = (crs.type === 'Polygon' ? [crs.coordinates] : crs.coordinates) as unknown as PolygonRings[];
    const measured = measurePiece(ctx.config.rasterStore, flightId, polygons, spec.gsd_m, 'new');
    const gone = measured.medianHeightChangeM !== null ? measured.medianHeightChangeM < STANDING_HEIGHT_M : measured.meanProbability < STANDING_PROBABILITY;
    const measurements = {
      medianHeightChangeM: measured.medianHeightChangeM === null ? null : Math.round(measured.medianHeightChangeM * 100) / 100,
      meanProbability: Math.round(measured.meanProbability * 1000) / 1000,
    };
    verdicts.push({ candidate, verdict: gone ? 'confirmed' : 'still_standing', measurements });
  }
  await inTransaction(ctx.pool, async (client) => {
    for (const v of verdicts) await recordDemolitionCheck(client, v.candidate, flightId, v.verdict, v.measurements);
  });
  return { confirmed: verdicts.filter((v) => v.verdict === 'confirmed').length, stillStanding: verdicts.filter((v) => v.verdict === 'still_standing').length };
}
