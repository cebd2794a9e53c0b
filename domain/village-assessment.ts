/**
 * The zero-violation village assessment (“零”违建居村, Jing'an item 28): "within the administrative
 * village boundary, no illegal building inside or outside the register (数据库内外无违法建筑), and
 * zero new illegal construction (新建违建零增长)", checked against drone flights that covered the
 * whole village ("full coverage, no blind spots", item 30). Pure: the facts gathered from the
 * database in, the verdict with every blocking item and its reason out.
 *
 * A village passes only when all four criteria hold:
 * - no_illegal_in_register: no register entry that is still `stock` or `deferred` (暂缓保留 is
 *   kept for now, not removed: it is still an illegal building in the register);
 * - no_illegal_outside_register: no candidate first seen before the period that is confirmed
 *   illegal and not yet gone (verified, scheduled, demolished but not yet confirmed by a flight,
 *   still standing after a demolition), nor one still awaiting review;
 * - zero_new_construction: the same for candidates first seen in the period: an unreviewed one
 *   blocks too, since a village cannot be certified with open questions;
 * - full_coverage: done flights captured in the period cover at least `requiredCoverage` of the
 *   village's area.
 * Candidates set aside by triage (permitted, in the register — the entry itself counts —, rejected
 * before), rejected, confirmed demolished or merged never block; nor do changes of type
 * `demolished` (a building that disappeared is no illegal construction). Candidates first seen
 * after the period and entries registered after it belong to a later assessment.
 *
 * @example
 * assessVillage({ village, period: { from: '2026-01-01', to: '2026-04-01' }, register: [], candidates: [],
 *                 coverage: { villageAreaM2: 1e6, coveredAreaM2: 1e6, flights } })
 * // => { verdict: 'pass', criteria: { no_illegal_in_register: true, ... }, coverage: { percent: 100, ... }, blocking: [] }
 */
import type { CandidateStatus, RegisterStatus } from './vocabulary.js';

export type Criterion = 'no_illegal_in_register' | 'no_illegal_outside_register' | 'zero_new_construction' | 'full_coverage';

/** Register statuses that are an illegal building still standing. */
export const UNRESOLVED_REGISTER_STATUSES: readonly RegisterStatus[] = ['stock', 'deferred'];
/** Candidate statuses of a confirmed illegal building not (yet confirmed) gone. */
export const ILLEGAL_CANDIDATE_STATUSES: readonly CandidateStatus[] = ['verified', 'scheduled', 'demolished', 'still_standing'];
/** Candidate statuses that are an open question. */
export const UNREVIEWED_CANDIDATE_STATUSES: readonly CandidateStatus[] = ['pending'];
/** Every candidate status that can block: what the database adapter needs to fetch. */
export const BLOCKING_CANDIDATE_STATUSES: readonly CandidateStatus[] = [...ILLEGAL_CANDIDATE_STATUSES, ...UNREVIEWED_CANDIDATE_STATUSES];
/** Default share of the village that done flights must cover: 99.5% forgives sliver gaps at the
 * boundary (footprints traced from pixels, boundaries digitised at another scale), not a missed street. */
export const DEFAULT_REQUIRED_COVERAGE = 0.995;

export interface AssessmentPeriod {
  /** First day, YYYY-MM-DD, from 00:00 China Standard Time. */
  from: string;
  /** Day after the last, YYYY-MM-DD: the period is [from, to). */
  to: string;
}

export interface VillageFacts {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  street: string | null;
}

export interface RegisterFact {
  id: string;
  externalId: string;
  status: RegisterStatus;
  category: string | null;
  measure: string | null;
  areaM2: number;
  /** YYYY-MM-DD or null when unknown (then taken as registered before the period). */
  registeredOn: string | null;
}

export interface EvidenceFact {
  flightId: string;
  observedAt: string;
  before: string | null;
  after: string | null;
}

export interface CandidateFact {
  id: string;
  changeType: string;
  status: CandidateStatus;
  areaM2: number;
  /** ISO instant, or null when unknown (then taken as seen before the period). */
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  evidence: EvidenceFact[];
}

export interface FlightFact {
  id: string;
  capturedAt: string;
  /** Area of the village this flight covers, m². */
  coveredM2: number;
}

export interface CoverageFacts {
  villageAreaM2: number;
  /** Area of the union of the flights' footprints inside the village, m². */
  coveredAreaM2: number;
  flights: FlightFact[];
}

export interface AssessmentFacts {
  village: VillageFacts;
  period: AssessmentPeriod;
  register: RegisterFact[];
  candidates: CandidateFact[];
  coverage: CoverageFacts;
}

export interface AssessmentOptions {
  /** Share of the village area the flights must cover, 0..1. Default {@link DEFAULT_REQUIRED_COVERAGE}. */
  requiredCoverage?: number;
}

export type BlockingItem =
  | { kind: 'register_entry'; criterion: 'no_illegal_in_register'; reason: string; reasonZh: string; registerEntryId: string;
      externalId: string; status: RegisterStatus; category: string | null; measure: string | null; areaM2: number; registeredOn: string | null }
  | { kind: 'candidate'; criterion: 'no_illegal_outside_register' | 'zero_new_construction'; reason: string; reasonZh: string;
      candidateId: string; changeType: string; status: CandidateStatus; areaM2: number; firstSeenAt: string | null;
      lastSeenAt: string | null; evidence: EvidenceFact[] }
  | { kind: 'coverage'; criterion: 'full_coverage'; reason: string; reasonZh: string; coveragePercent: number; requiredPercent: number };

export interface VillageAssessment {
  village: VillageFacts;
  period: AssessmentPeriod;
  verdict: 'pass' | 'fail';
  criteria: Record<Criterion, boolean>;
  coverage: {
    /** Covered share of the village, percent, two decimals (rounded down, so 99.999% never reads 100). */
    percent: number;
    requiredPercent: number;
    villageAreaM2: number;
    coveredAreaM2: number;
    flights: FlightFact[];
  };
  blocking: BlockingItem[];
}

const CST_OFFSET = '+08:00';
const startOf = (day: string) => Date.parse(`${day}T00:00:00${CST_OFFSET}`);
const m2 = (x: number) => Math.round(x * 10) / 10;

const CANDIDATE_REASONS: Record<string, { en: string; zh: string }> = {
  verified: { en: 'confirmed illegal, not yet scheduled for demolition', zh: '已确认违建，尚未排期拆除' },
  scheduled: { en: 'confirmed illegal, demolition scheduled but not done', zh: '已确认违建，已排期未拆除' },
  demolished: { en: 'marked demolished, not yet confirmed by a later flight', zh: '已标记拆除，待航飞复核' },
  still_standing: { en: 'a later flight found it still standing after the demolition date', zh: '复核航飞发现仍未拆除' },
  pending: { en: 'flagged change awaiting review: the village cannot be certified with open questions', zh: '疑似违建图斑待核查' },
};

const REGISTER_REASONS: Record<string, { en: string; zh: string }> = {
  stock: { en: 'stock illegal building in the register, not demolished', zh: '存量违建未拆除' },
  deferred: { en: 'deferred (kept for now) stock illegal building, not demolished', zh: '暂缓保留违建未拆除' },
};

export function assessVillage(facts: AssessmentFacts, options: AssessmentOptions = {}): VillageAssessment {
  const required = options.requiredCoverage ?? DEFAULT_REQUIRED_COVERAGE;
  const from = startOf(facts.period.from);
  const to = startOf(facts.period.to);
  if (!(from < to)) throw new RangeError(`the period must have from < to, got [${facts.period.from}, ${facts.period.to})`);
  const blocking: BlockingItem[] = [];

  for (const entry of facts.register) {
    if (!UNRESOLVED_REGISTER_STATUSES.includes(entry.status)) continue;
    if (entry.registeredOn !== null && startOf(entry.registeredOn) >= to) continue;
    const reason = REGISTER_REASONS[entry.status]!;
    blocking.push({
      kind: 'register_entry', criterion: 'no_illegal_in_register', reason: reason.en, reasonZh: reason.zh,
      registerEntryId: entry.id, externalId: entry.externalId, status: entry.status, category: entry.category,
      measure: entry.measure, areaM2: m2(entry.areaM2), registeredOn: entry.registeredOn,
    });
  }

  for (const candidate of facts.candidates) {
    if (candidate.changeType === 'demolished' || !BLOCKING_CANDIDATE_STATUSES.includes(candidate.status)) continue;
    const seen = candidate.firstSeenAt === null ? null : Date.parse(candidate.firstSeenAt);
    if (seen !== null && seen >= to) continue;
    const isNew = seen !== null && seen >= from;
    const reason = CANDIDATE_REASONS[candidate.status]!;
    blocking.push({
      kind: 'candidate', criterion: isNew ? 'zero_new_construction' : 'no_illegal_outside_register',
      reason: isNew ? `new in the period: ${reason.en}` : reason.en, reasonZh: isNew ? `新增违建：${reason.zh}` : `库外违建：${reason.zh}`,
      candidateId: candidate.id, changeType: candidate.changeType, status: candidate.status, areaM2: m2(candidate.areaM2),
      firstSeenAt: candidate.firstSeenAt, lastSeenAt: candidate.lastSeenAt, evidence: candidate.evidence,
    });
  }

  const { villageAreaM2, coveredAreaM2 } = facts.coverage;
  const share = villageAreaM2 > 0 ? Math.min(1, coveredAreaM2 / villageAreaM2) : 0;
  const percent = Math.floor(share * 10_000) / 100;
  const requiredPercent = Math.round(required * 10_000) / 100;
  // Compared on the share itself, not the rounded percent, so the tolerance is exact.
  if (share < required) {
    blocking.push({
      kind: 'coverage', criterion: 'full_coverage', coveragePercent: percent, requiredPercent,
      reason: facts.coverage.flights.length === 0
        ? `no done flight captured in the period covers the village (${requiredPercent}% required)`
        : `done flights captured in the period cover ${percent}% of the village, ${requiredPercent}% required`,
      reasonZh: facts.coverage.flights.length === 0 ? '考核期内无航飞覆盖本居村' : `航飞覆盖率 ${percent}%，未达 ${requiredPercent}%`,
    });
  }

  const holds = (criterion: Criterion) => !blocking.some((item) => item.criterion === criterion);
  const criteria: Record<Criterion, boolean> = {
    no_illegal_in_register: holds('no_illegal_in_register'),
    no_illegal_outside_register: holds('no_illegal_outside_register'),
    zero_new_construction: holds('zero_new_construction'),
    full_coverage: holds('full_coverage'),
  };
  return {
    village: facts.village,
    period: facts.period,
    verdict: blocking.length === 0 ? 'pass' : 'fail',
    criteria,
    coverage: {
      percent, requiredPercent, villageAreaM2: m2(villageAreaM2), coveredAreaM2: m2(coveredAreaM2),
      flights: facts.coverage.flights.map((f) => ({ ...f, coveredM2: m2(f.coveredM2) })),
    },
    blocking,
  };
}
