/**
 * Scores the candidates a flight raised against a scene's ground truth (the fixture generator's
 * ground_truth.geojson): object precision and recall under the evaluation's matching rule
 * (one-to-one, IoU >= 0.3 or half the truth covered), recall per change type, and how often
 * triage put a found change where the truth expects it (review queue, permitted, in register).
 */
import fs from 'node:fs';
import { area, feature, featureCollection, intersect } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type pg from 'pg';
import { observationsOfFlight } from '#db/sql/candidate-reads.js';
import { matchObjects, rates, type Overlap } from './scoring.js';

type Areal = Polygon | MultiPolygon;

export interface FlightScore {
  truths: number;
  candidates: number;
  object: { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number };
  recallByType: Record<string, { found: number; total: number }>;
  /** Of the changes found, the share whose triage status is what the truth expects. */
  triageAgreement: number;
  /** True changes smaller than this were not counted, m². */
  minAreaM2: number;
}

interface TruthProps {
  change_type: string;
  expected_triage: 'review' | 'permitted' | 'in_register';
  area_m2: number;
}

const EXPECTED_STATUS: Record<TruthProps['expected_triage'], string> = { review: 'pending', permitted: 'permitted', in_register: 'in_register' };

export async function scoreFlight(pool: pg.Pool, flightId: string, groundTruthFile: string, minAreaM2 = 10): Promise<FlightScore> {
  const truth = JSON.parse(fs.readFileSync(groundTruthFile, 'utf8')) as FeatureCollection<Areal, TruthProps>;
  const truths = truth.features.filter((f) => f.properties.area_m2 >= minAreaM2);
  const detections = (await observationsOfFlight(pool, flightId)).map((r) => ({ geometry: JSON.parse(r.geometry) as Areal, status: r.status }));
  const overlaps: Overlap[] = [];
  truths.forEach((t, ti) => {
    detections.forEach((d, di) => {
      const shared = intersect(featureCollection([t as Feature<Areal>, feature(d.geometry)]) as never) as Feature<Areal> | null;
      if (shared) overlaps.push({ truth: ti, detection: di, area: area(shared) });
    });
  });
  const match = matchObjects(
    truths.map((t) => ({ area: area(t) })),
    detections.map((d) => ({ area: area(feature(d.geometry)) })),
    overlaps,
  );
  const recallByType: FlightScore['recallByType'] = {};
  truths.forEach((t, ti) => {
    const entry = (recallByType[t.properties.change_type] ??= { found: 0, total: 0 });
    entry.total += 1;
    if (match.truths[ti] === 'found') entry.found += 1;
  });
  const agreeing = match.pairs.filter(([ti, di]) => detections[di]!.status === EXPECTED_STATUS[truths[ti]!.properties.expected_triage]).length;
  const { precision, recall, f1 } = rates(match.tp, match.fp, match.fn);
  return {
    truths: truths.length,
    candidates: detections.length,
    object: { precision, recall, f1, tp: match.tp, fp: match.fp, fn: match.fn },
    recallByType,
    triageAgreement: match.pairs.length ? agreeing / match.pairs.length : 0,
    minAreaM2,
  };
}
