/**
 * Stage 5, vectorise: thresholds the probability map, lets GDAL polygonise the whole flight in one
 * pass (pieces that straddle block seams come out whole, because the map itself is seamless),
 * regularises outlines to right angles, drops pieces under the minimum area, and measures each
 * piece on detect's output: mean probability and median height gained over the baseline.
 */
import { inTransaction } from '#db/connection.js';
import { replaceDetections, type DetectionInput } from '#db/sql/detections.js';
import { latestDetectionRun } from '#db/sql/flights.js';
import { regularizeRing, ringArea, type Ring } from '../core/regularize.js';
import { polygoniseClasses } from '../raster/index.js';
import { loadModelSpec, type PolygonRings } from '../model/index.js';
import { flightPath } from '../raster-store.js';
import { modelStoreDir, specPathOf } from '../model-store.js';
import { PROBABILITY_FILE } from './detect.js';
import { loadFlightRasters } from './flight-rasters.js';
import { measurePiece } from './measure-piece.js';
import type { DetectionPlan } from './plan.js';
import type { StageContext } from './stage.js';

export interface VectoriseOptions {
  /** Pieces smaller than this are dropped, m². Default 5. */
  minAreaM2?: number;
  /** Rows of the probability map thresholded at a time. Default 512. */
  stripRows?: number;
}

interface Piece {
  kind: 'new' | 'demolished';
  rings: Ring[];
}

/** Classes 1 (new) and 2 (demolished) of the probability map, polygonised in one pass. */
async function polygonisePieces(probabilityPath: string, threshold: number, stripRows: number): Promise<Piece[]> {
  const polygons = await polygoniseClasses(probabilityPath, threshold, stripRows);
  return polygons.map((p) => ({ kind: p.value === 1 ? 'new' : 'demolished', rings: p.rings as Ring[] }));
}

export async function vectoriseFlight(ctx: StageContext, flightId: string, options: VectoriseOptions = {}): Promise<{ detections: number }> {
  const { minAreaM2 = 5, stripRows = 512 } = options;
  const rasters = await loadFlightRasters(ctx.pool, flightId);
  const run = await latestDetectionRun(ctx.pool, flightId);
  if (!run) throw new Error(`flight ${flightId} has no detection run`);
  const plan = run.params as unknown as DetectionPlan;
  // The decision threshold of the version that detected the flight.
  const spec = loadModelSpec(specPathOf(modelStoreDir(), run.model_version));
  const probabilityPath = flightPath(ctx.config.rasterStore, flightId, PROBABILITY_FILE);
  const pieces = (await polygonisePieces(probabilityPath, spec.threshold, stripRows)).filter((p) => ringArea(p.rings[0]!) >= minAreaM2);
  const detections: DetectionInput[] = [];
  for (const [index, piece] of pieces.entries()) {
    const regular = regularizeRing(piece.rings[0]!);
    const shaped: Piece = { kind: piece.kind, rings: [regular.ring, ...piece.rings.slice(1)] };
    const measured = measurePiece(ctx.config.rasterStore, flightId, [shaped.rings as unknown as PolygonRings], plan.gsd, piece.kind);
    const score = measured.meanProbability;
    const heightGainM = measured.medianHeightChangeM;
    detections.push({
      kind: piece.kind,
      geometry: JSON.stringify({ type: 'Polygon', coordinates: shaped.rings }),
      score,
      heightGainM: heightGainM === null ? null : Math.round(heightGainM * 100) / 100,
      shape: regular.shape,
    });
    await ctx.progress((index + 1) / pieces.length);
  }
  await inTransaction(ctx.pool, (client) => replaceDetections(client, run.id, rasters.proj, detections));
  return { detections: detections.length };
}
