/**
 * Triage: decides whether a classified change goes to the review queue and how urgently, from
 * what the office already knows about the place. It never drops a change: a permitted build, a
 * structure already in the stock register or a place rejected before is set aside with a status
 * and the reason, and stays visible. Pure: GeoJSON in lon/lat in, a decision out.
 *
 * Priority (0..100) follows the documents: safety-hazard places first (Jing'an item 26: river and
 * lake banks, elevated roads, railways, factories and warehouses, commercial rooftops), then
 * surroundings of historic protected buildings (item 3), then size and height gained. That
 * urgency is weighted by the detection's calibrated confidence c (the chance a reviewer verifies
 * it, model/calibration.ts): priority = round(urgency · (0.5 + 0.5 c)), so among equally sure
 * changes the documents' order stands, a near-certain change keeps its full urgency and a
 * doubtful one half of it. Without a confidence the urgency alone.
 *
 * @example
 * triageChange({ geometry, changeType: 'new_structure', areaM2: 80, observedOn: '2026-10-15' }, context)
 * // => { status: 'pending', priority: 62, notes: { zones: [{ zoneKey: 'Z-river', kind: 'river_bank' }], ... } }
 */
import { area, booleanIntersects, buffer, feature, featureCollection, intersect } from '@turf/turf';
import type { Feature } from 'geojson';
import type { Areal } from './classify-change.js';
import type { ChangeType, RegisterStatus, TriageStatus } from './vocabulary.js';

export const SAFETY_HAZARD_ZONES = ['river_bank', 'lake_bank', 'elevated_road', 'railway', 'factory_warehouse', 'commercial_rooftop'] as const;

export interface TriageChange {
  geometry: Areal;
  changeType: ChangeType;
  areaM2: number;
  heightGainM?: number | null;
  /** Calibrated confidence 0..1 (the candidate's score); null or absent: not weighted. */
  confidence?: number | null;
  /** Date of the flight that saw the change, YYYY-MM-DD: permits are judged valid on that day. */
  observedOn: string;
}

export interface TriageContext {
  permits: Array<{ permitNo: string; validFrom: string; validTo: string; geometry: Areal }>;
  registerEntries: Array<{ externalId: string; status: RegisterStatus; geometry: Areal }>;
  /** Candidates the office rejected before, near this change. */
  earlierRejections: Array<{ candidateId: string; reasonCode: string | null; geometry: Areal }>;
  /** Safety-hazard zones and historic protected buildings near this change. */
  zones: Array<{ zoneKey: string; kind: string; name?: string | null; geometry: Areal }>;
}

export interface TriageOptions {
  /** Share of the change a valid permit must cover for it to count as permitted. Default 0.8. */
  permitCoverage?: number;
  /** Share of the change a register entry must cover for it to be that entry. Default 0.5. */
  registerCoverage?: number;
  /** Share of the change an earlier rejection must cover to be "the same place". Default 0.5. */
  rejectionCoverage?: number;
  /** Distance to a historic protected building that raises priority, metres. Default 50. */
  historicBufferM?: number;
}

export interface TriageNotes {
  permit?: { permitNo: string; coverage: number; valid: boolean };
  register?: { externalId: string; status: string; coverage: number };
  /** A structure standing again where the register records one demolished. */
  regrowth?: boolean;
  earlierRejection?: { candidateId: string; reasonCode: string | null; coverage: number };
  zones: Array<{ zoneKey: string; kind: string }>;
  nearHistoric: Array<{ zoneKey: string; name: string | null }>;
  reasons: string[];
}

export interface TriageDecision {
  status: TriageStatus;
  priority: number;
  notes: TriageNotes;
}

/** Share of `change` covered by `other`, 0..1. */
function coverage(change: Areal, changeArea: number, other: Areal): number {
  if (changeArea <= 0 || !booleanIntersects(change, other)) return 0;
  const shared = intersect(featureCollection([feature(change), feature(other)]) as never) as Feature<Areal> | null;
  return shared ? Math.min(1, area(shared) / changeArea) : 0;
}

function best<T extends { geometry: Areal }>(change: Areal, changeArea: number, items: T[]): { item: T; coverage: number } | null {
  let top: { item: T; coverage: number } | null = null;
  for (const item of items) {
    const c = coverage(change, changeArea, item.geometry);
    if (c > 0 && (!top || c > top.coverage)) top = { item, coverage: c };
  }
  return top;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function triageChange(change: TriageChange, context: TriageContext, options: TriageOptions = {}): TriageDecision {
  const { permitCoverage = 0.8, registerCoverage = 0.5, rejectionCoverage = 0.5, historicBufferM = 50 } = options;
  const changeArea = area(feature(change.geometry));
  const notes: TriageNotes = { zones: [], nearHistoric: [], reasons: [] };
  let status: TriageStatus = 'pending';

  const register = best(change.geometry, changeArea, context.registerEntries);
  if (register && register.coverage >= registerCoverage) {
    notes.register = { externalId: register.item.externalId, status: register.item.status, coverage: round(register.coverage) };
    if (register.item.status === 'demolished') {
      notes.regrowth = true;
      notes.reasons.push(`stands again where register entry ${register.item.externalId} was demolished`);
    } else if (change.changeType !== 'demolished') {
      status = 'in_register';
      notes.reasons.push(`already in the stock register as ${register.item.externalId}`);
    }
  }

  const validPermits = context.permits.filter((p) => p.validFrom <= change.observedOn && change.observedOn <= p.validTo);
  const permit = best(change.geometry, changeArea, context.permits);
  if (permit && permit.coverage >= permitCoverage) {
    const valid = validPermits.includes(permit.item);
    notes.permit = { permitNo: permit.item.permitNo, coverage: round(permit.coverage), valid };
    if (valid && status === 'pending' && change.changeType !== 'demolished') {
      status = 'permitted';
      notes.reasons.push(`inside valid planning permit ${permit.item.permitNo}`);
    } else if (!valid) {
      notes.reasons.push(`inside planning permit ${permit.item.permitNo}, which is not valid on ${change.observedOn}`);
    }
  }

  const rejection = best(change.geometry, changeArea, context.earlierRejections);
  if (rejection && rejection.coverage >= rejectionCoverage) {
    notes.earlierRejection = { candidateId: rejection.item.candidateId, reasonCode: rejection.item.reasonCode, coverage: round(rejection.coverage) };
    if (status === 'pending') {
      status = 'previously_rejected';
      notes.reasons.push(`rejected before at the same place (candidate ${rejection.item.candidateId})`);
    }
  }

  for (const zone of context.zones) {
    if ((SAFETY_HAZARD_ZONES as readonly string[]).includes(zone.kind) && booleanIntersects(change.geometry, zone.geometry)) {
      notes.zones.push({ zoneKey: zone.zoneKey, kind: zone.kind });
    } else if (zone.kind === 'historic_protected_building') {
      const around = buffer(feature(zone.geometry), historicBufferM, { units: 'meters' });
      if (around && booleanIntersects(change.geometry, around)) notes.nearHistoric.push({ zoneKey: zone.zoneKey, name: zone.name ?? null });
    }
  }
  if (notes.zones.length) notes.reasons.push(`in a safety-hazard zone: ${[...new Set(notes.zones.map((z) => z.kind))].join(', ')}`);
  if (notes.nearHistoric.length) notes.reasons.push(`within ${historicBufferM} m of a historic protected building`);

  return { status, priority: priorityOf(change, notes), notes };
}

/** Weight of a calibrated confidence in the priority: 0.5 + 0.5 c (1 without one). */
export function confidenceWeight(confidence: number | null | undefined): number {
  if (confidence === null || confidence === undefined || !Number.isFinite(confidence)) return 1;
  return 0.5 + 0.5 * Math.min(1, Math.max(0, confidence));
}

/**
 * 0..100: urgency (hazard +30, historic +20, regrowth +15, size up to 30, height up to 10,
 * rooftop +5, at most 100; a demolition at most 10 by size) times the confidence weight
 * 0.5 + 0.5 c.
 */
export function priorityOf(change: Pick<TriageChange, 'changeType' | 'areaM2' | 'heightGainM' | 'confidence'>, notes: TriageNotes): number {
  const weight = confidenceWeight(change.confidence);
  if (change.changeType === 'demolished') return Math.round(Math.min(10, Math.round(Math.log2(1 + change.areaM2 / 10) * 2)) * weight);
  let priority = Math.min(30, Math.log2(1 + change.areaM2 / 10) * 8);
  priority += Math.min(10, Math.max(0, change.heightGainM ?? 0) * 2);
  if (notes.zones.length) priority += 30;
  if (notes.nearHistoric.length) priority += 20;
  if (notes.regrowth) priority += 15;
  if (change.changeType === 'rooftop_addition' || change.changeType === 'added_floor') priority += 5;
  return Math.round(Math.min(100, priority) * weight);
}
