/**
 * Stages 6 and 7, classify, triage and raise: each detection is classified against the baseline
 * around it (new structure, extension, rooftop addition, added floor, demolished), triaged against
 * permits, the stock register, earlier rejections and sensitive zones, given evidence chips, and
 * raised as a candidate, all of a flight's candidates in one transaction. The chips are stored as
 * they are drawn, before it (memory stays flat however many candidates a flight has); chips no
 * observation names a day later, left by a flight that failed for good, are swept at the end.
 * Nothing is dropped: triage sets status and priority.
 *
 * A candidate's score is its calibrated confidence: the detection's raw score (mean probability,
 * kept on the detection row and in the candidate's triage as rawScore) through the sidecar's
 * calibration map of the network that served the run (model/calibration.ts); it weights the
 * priority (domain/triage.ts). A network without a map keeps the raw score.
 */
import { area as turfArea, feature } from '@turf/turf';
import type { Polygon, MultiPolygon } from 'geojson';
import { inTransaction } from '#db/connection.js';
import { loadAreaContext, raiseCandidate, type ObservedChange, type RaiseOutcome } from '#db/sql/candidates.js';
import { detectionsOfRun } from '#db/sql/detections.js';
import { finishDetectionRun, latestDetectionRun } from '#db/sql/flights.js';
import { classifyChange } from '#domain/classify-change.js';
import { triageChange } from '#domain/triage.js';
import { storeEvidenceChips, sweepUnusedEvidenceChips } from '#db/sql/evidence-chips.js';
import { calibrateScore } from '../model/calibration.js';
import type { Network } from '../model/change-detector.js';
import { mapBounded } from '../map-bounded.js';
import { drawEvidence } from './evidence.js';
import { loadFlightRasters } from './flight-rasters.js';
import type { StageContext } from './stage.js';

/**
 * Candidates whose evidence chips are drawn at once: their reads run on GDAL's threads and their
 * encoding on sharp's while the main thread classifies the next, so both cores stay busy. Four
 * bound the pixels held (two 384-pixel crops per candidate, a few MB).
 */
const EVIDENCE_IN_FLIGHT = 4;

export interface RaiseSummary {
  raised: number;
  observed: number;
  unchanged: number;
  byStatus: Record<string, number>;
}

export async function raiseFlightCandidates(ctx: StageContext, flightId: string): Promise<RaiseSummary> {
  const rasters = await loadFlightRasters(ctx.pool, flightId);
  const run = await latestDetectionRun(ctx.pool, flightId);
  if (!run) throw new Error(`flight ${flightId} has no detection run`);
  const detections = await detectionsOfRun(ctx.pool, run.id, rasters.proj);
  const context = rasters.flight.footprint ? await loadAreaContext(ctx.pool, rasters.flight.footprint) : null;
  const gsd = rasters.flight.gsd_m ?? 0.1;
  // Runs from before the network was recorded were served by the main network.
  const network = (typeof run.params.network === 'string' ? run.params.network : 'main') as Network;
  const calibration = (await ctx.changeDetector(run.model_version)).spec.calibration?.[network] ?? null;

  let drawn = 0;
  const changes: ObservedChange[] = await mapBounded(detections, EVIDENCE_IN_FLIGHT, async (detection) => {
    const geometry = JSON.parse(detection.geometry) as Polygon | MultiPolygon;
    const classification = classifyChange({ geometry, kind: detection.kind, heightGainM: detection.height_gain_m }, context?.baseline ?? []);
    const score = calibrateScore(detection.score, calibration);
    const triage = triageChange(
      { geometry, changeType: classification.changeType, areaM2: turfArea(feature(geometry)), heightGainM: detection.height_gain_m, confidence: score, observedOn: rasters.observedOn },
      context ?? { permits: [], registerEntries: [], earlierRejections: [], zones: [] },
    );
    const crs = JSON.parse(detection.geometry_crs) as { type: string; coordinates: number[][][] | number[][][][] };
    const rings = (crs.type === 'Polygon' ? crs.coordinates : (crs.coordinates as number[][][][])[0]!) as number[][][];
    const evidence = await drawEvidence(rings, { uri: rasters.orthophoto, shift: rasters.shift, gsd, crs: rasters.srsWkt }, rasters.before);
    await storeEvidenceChips(ctx.pool, evidence.before ? [evidence.after, evidence.before] : [evidence.after]);
    drawn += 1;
    await ctx.progress((drawn / Math.max(1, detections.length)) * 0.8);
    return {
      geometry: detection.geometry,
      changeType: classification.changeType,
      status: triage.status,
      priority: triage.priority,
      triage: {
        ...triage.notes,
        parentBuildingId: classification.parentBuildingId,
        overlapWithBaseline: classification.overlapWithBaseline,
        rawScore: detection.score,
        calibration: calibration ? network : null,
      },
      heightGainM: detection.height_gain_m,
      score,
      evidenceBefore: evidence.before?.digest ?? null,
      evidenceBeforeFlightId: evidence.before ? rasters.before!.flightId : null,
      evidenceAfter: evidence.after.digest,
    };
  });

  const outcomes: RaiseOutcome[] = await inTransaction(ctx.pool, async (client) => {
    const results: RaiseOutcome[] = [];
    for (const change of changes) results.push(await raiseCandidate(client, flightId, run.id, change));
    return results;
  });
  await finishDetectionRun(ctx.pool, run.id, { candidateCount: outcomes.length, status: 'done' });
  await sweepUnusedEvidenceChips(ctx.pool);
  const count = (o: RaiseOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
  const byStatus: Record<string, number> = {};
  for (const change of changes) byStatus[change.status] = (byStatus[change.status] ?? 0) + 1;
  return { raised: count('raised'), observed: count('observed'), unchanged: count('unchanged'), byStatus };
}
