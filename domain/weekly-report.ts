/**
 * The weekly diff report (周报) and its monthly and quarterly roll-ups (月报、季报): a period's
 * figures beside the period before, for an area and each of its streets (街镇), with each street's
 * progress against its yearly demolition quota and an 8-week trend. Pure: figures in, report out;
 * the figures themselves come from db/sql/reports.ts.
 *
 * @example
 * figureChange(
 *   { ...emptyFigures(), verified: { count: 5, m2: 420 } },
 *   { ...emptyFigures(), verified: { count: 2, m2: 100 } },
 * ).verified // => { count: 3, m2: 320 }
 */
import type { ReportPeriod } from './report-periods.js';

export interface CountAndArea {
  count: number;
  /** Square metres, rounded to whole m². */
  m2: number;
}

/** The figures, in the order every format shows them. */
export const FIGURE_KEYS = ['newCandidates', 'verified', 'rejected', 'scheduled', 'demolished', 'confirmedDemolished', 'registerReduction'] as const;

export type FigureKey = (typeof FIGURE_KEYS)[number];

export type Figures = Record<FigureKey, CountAndArea>;

/** What each figure is called, in the office's words and in English. */
export const FIGURE_LABELS: Record<FigureKey, { zh: string; en: string }> = {
  newCandidates: { zh: '新增疑似违建图斑', en: 'New candidates' },
  verified: { zh: '确认违建', en: 'Verified' },
  rejected: { zh: '排除', en: 'Rejected' },
  scheduled: { zh: '已排期', en: 'Scheduled' },
  demolished: { zh: '已拆除', en: 'Demolished' },
  confirmedDemolished: { zh: '航飞确认拆除', en: 'Confirmed demolished' },
  registerReduction: { zh: '存量违建减量', en: 'Register reduction' },
};

export function emptyFigures(): Figures {
  return Object.fromEntries(FIGURE_KEYS.map((key) => [key, { count: 0, m2: 0 }])) as Figures;
}

/** `now` minus `before`, per figure. */
export function figureChange(now: Figures, before: Figures): Figures {
  return Object.fromEntries(FIGURE_KEYS.map((key) => [key, { count: now[key].count - before[key].count, m2: now[key].m2 - before[key].m2 }])) as Figures;
}

/** A yearly demolition quota (拆违指标) of a street: m², count, or both. */
export interface Quota {
  year: number;
  targetM2: number | null;
  targetCount: number | null;
}

export interface QuotaProgress extends Quota {
  /** Demolished this year to the period's end: candidates marked demolished plus register reduction. */
  done: CountAndArea;
  /** done / target, 4 decimals (0.5 is half way; above 1 is ahead); null without that target. */
  progressM2: number | null;
  progressCount: number | null;
}

const ratio = (done: number, target: number | null) => (target ? Math.round((done / target) * 10_000) / 10_000 : null);

/** What counts toward a quota: the office's demolitions of new construction and of register stock. */
export function demolishedToward(figures: Figures): CountAndArea {
  return {
    count: figures.demolished.count + figures.registerReduction.count,
    m2: figures.demolished.m2 + figures.registerReduction.m2,
  };
}

export function quotaProgress(quota: Quota, done: CountAndArea): QuotaProgress {
  return { ...quota, done, progressM2: ratio(done.m2, quota.targetM2), progressCount: ratio(done.count, quota.targetCount) };
}

/**
 * The total of several streets' quotas: targets and demolitions summed over the streets that have a
 * quota for the year (a street without one adds nothing), so the total row is the column's sum.
 */
export function sumQuotas(year: number, quotas: ReadonlyArray<QuotaProgress | null>): QuotaProgress | null {
  const present = quotas.filter((q): q is QuotaProgress => q !== null);
  if (present.length === 0) return null;
  const sum = (values: Array<number | null>) => (values.some((v) => v !== null) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : null);
  const done = { count: present.reduce((a, q) => a + q.done.count, 0), m2: present.reduce((a, q) => a + q.done.m2, 0) };
  return quotaProgress({ year, targetM2: sum(present.map((q) => q.targetM2)), targetCount: sum(present.map((q) => q.targetCount)) }, done);
}

export interface ReportArea {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  level: 'district' | 'street' | 'village';
}

export interface ReportRow {
  area: ReportArea;
  figures: Figures;
  previous: Figures;
  change: Figures;
  /** Only streets have quotas; null without one for the year. */
  quota: QuotaProgress | null;
}

export interface TrendPoint {
  label: string;
  start: string;
  end: string;
  figures: Figures;
}

export interface PeriodReport {
  kind: ReportPeriod['kind'];
  period: ReportPeriod;
  previousPeriod: ReportPeriod;
  /** null: every area. */
  area: ReportArea | null;
  /** The area's own figures (not the sum of rows: a candidate outside every street still counts). */
  total: { figures: Figures; previous: Figures; change: Figures; quota: QuotaProgress | null };
  /** The streets of a district (or of everywhere); the area itself for a street or village. */
  rows: ReportRow[];
  /** The 8 ISO weeks ending with the period's last week, oldest first, for the area. */
  trend: TrendPoint[];
}

export interface ReportInput {
  period: ReportPeriod;
  previousPeriod: ReportPeriod;
  area: ReportArea | null;
  quotaYear: number;
  figures: Figures;
  previous: Figures;
  rows: Array<{ area: ReportArea; figures: Figures; previous: Figures; quota: Quota | null; yearToDate: Figures }>;
  trend: TrendPoint[];
}

export function composePeriodReport(input: ReportInput): PeriodReport {
  const rows = input.rows.map((row): ReportRow => ({
    area: row.area,
    figures: row.figures,
    previous: row.previous,
    change: figureChange(row.figures, row.previous),
    quota: row.quota && quotaProgress(row.quota, demolishedToward(row.yearToDate)),
  }));
  return {
    kind: input.period.kind,
    period: input.period,
    previousPeriod: input.previousPeriod,
    area: input.area,
    total: { figures: input.figures, previous: input.previous, change: figureChange(input.figures, input.previous), quota: sumQuotas(input.quotaYear, rows.map((r) => r.quota)) },
    rows,
    trend: input.trend,
  };
}
