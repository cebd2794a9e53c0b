/**
 * Report periods: ISO weeks (2026-W47), months (2026-11) and quarters (2026-Q4), in China Standard
 * Time. Shanghai has no daylight saving, so a local date is a UTC date shifted by 8 hours and all
 * arithmetic is on whole days. Pure: text or instants in, periods out.
 *
 * @example
 * parsePeriod('weekly', '2026-W47') // => { kind: 'weekly', label: '2026-W47', start: '2026-11-16', end: '2026-11-22' }
 * parsePeriod('weekly', '2026-W54') // => 'week 54 does not exist: 2026 has 53 ISO weeks (01 to 53)'
 */

export type PeriodKind = 'weekly' | 'monthly' | 'quarterly';


export interface ReportPeriod {
  kind: PeriodKind;
  /** 2026-W47, 2026-11 or 2026-Q4. */
  label: string;
  /** First day, YYYY-MM-DD (Shanghai). */
  start: string;
  /** Last day, inclusive, YYYY-MM-DD (Shanghai). */
  end: string;
}

const DAY = 86_400_000;
const CST = 8 * 3_600_000;

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
const dayOf = (ymd: string) => Math.round(Date.parse(`${ymd}T00:00:00Z`) / DAY);
const ymdOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');

/** The Shanghai date of an instant, YYYY-MM-DD. */
export function shanghaiDate(instant: Date): string {
  return ymdOf(Math.floor((instant.getTime() + CST) / DAY));
}

/** Shifts a YYYY-MM-DD date by whole days. */
export function addDays(ymd: string, days: number): string {
  return ymdOf(dayOf(ymd) + days);
}

function isoWeekContaining(ymd: string): ReportPeriod {
  const day = dayOf(ymd);
  const weekday = (new Date(day * DAY).getUTCDay() + 6) % 7; // Monday 0
  const monday = day - weekday;
  // The ISO year is the year of the week's Thursday.
  const thursday = new Date((monday + 3) * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY / 7) + 1;
  return { kind: 'weekly', label: `${year}-W${pad(week)}`, start: ymdOf(monday), end: ymdOf(monday + 6) };
}

function monthContaining(ymd: string): ReportPeriod {
  const [year, month] = [Number(ymd.slice(0, 4)), Number(ymd.slice(5, 7))];
  return { kind: 'monthly', label: `${year}-${pad(month)}`, start: `${year}-${pad(month)}-01`, end: ymdOf(Math.round(Date.UTC(year, month, 1) / DAY) - 1) };
}

function quarterContaining(ymd: string): ReportPeriod {
  const [year, month] = [Number(ymd.slice(0, 4)), Number(ymd.slice(5, 7))];
  const quarter = Math.ceil(month / 3);
  const first = (quarter - 1) * 3 + 1;
  return { kind: 'quarterly', label: `${year}-Q${quarter}`, start: `${year}-${pad(first)}-01`, end: ymdOf(Math.round(Date.UTC(year, first + 2, 1) / DAY) - 1) };
}

/** The period of `kind` that contains the date `ymd`. */
export function periodContaining(kind: PeriodKind, ymd: string): ReportPeriod {
  return kind === 'weekly' ? isoWeekContaining(ymd) : kind === 'monthly' ? monthContaining(ymd) : quarterContaining(ymd);
}

/** The period of `kind` that contains `instant`, by Shanghai time. */
export function periodOf(kind: PeriodKind, instant: Date): ReportPeriod {
  return periodContaining(kind, shanghaiDate(instant));
}

/** The ISO week (China Standard Time) that contains `instant`. */
export function isoWeekOf(instant: Date): ReportPeriod {
  return periodOf('weekly', instant);
}

/** The period just before `period`, of the same kind. */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  return periodContaining(period.kind, addDays(period.start, -1));
}

/** The week before the one containing `instant`: what a Monday run reports on. */
export function previousIsoWeek(instant: Date): ReportPeriod {
  return previousPeriod(isoWeekOf(instant));
}

/** 52 or 53: the ISO week of 28 December is always the year's last. */
export function isoWeeksInYear(year: number): number {
  return Number(isoWeekContaining(`${year}-12-28`).label.slice(6));
}

/** The `count` ISO weeks ending with the week that contains `ymd`, oldest first: a trend line. */
export function weeksEndingAt(ymd: string, count: number): ReportPeriod[] {
  const last = isoWeekContaining(ymd);
  return Array.from({ length: count }, (_, i) => isoWeekContaining(addDays(last.start, -7 * (count - 1 - i))));
}

/** 1 January of the year the period ends in, to the period's end: what quota progress counts. */
export function yearToDate(period: ReportPeriod): { year: number; start: string; end: string } {
  const year = Number(period.end.slice(0, 4));
  return { year, start: `${year}-01-01`, end: period.end };
}

const FORMS: Record<PeriodKind, { pattern: RegExp; example: string }> = {
  weekly: { pattern: /^(\d{4})-W(\d{2})$/, example: '2026-W47' },
  monthly: { pattern: /^(\d{4})-(\d{2})$/, example: '2026-11' },
  quarterly: { pattern: /^(\d{4})-Q(\d)$/, example: '2026-Q4' },
};

/** Parses a period label, or returns why it is not one (for a 400 answer). */
export function parsePeriod(kind: PeriodKind, text: string): ReportPeriod | string {
  const form = FORMS[kind];
  const match = form.pattern.exec(text);
  if (!match) return `"${text}" is not a ${kind === 'weekly' ? 'week' : kind === 'monthly' ? 'month' : 'quarter'}: write it like ${form.example}`;
  const year = Number(match[1]);
  const n = Number(match[2]);
  if (year < 2000 || year > 2099) return `year ${year} is out of range: reports cover 2000 to 2099`;
  if (kind === 'weekly') {
    const weeks = isoWeeksInYear(year);
    if (n < 1 || n > weeks) return `week ${match[2]} does not exist: ${year} has ${weeks} ISO weeks (01 to ${weeks})`;
    // Week 1 is the week with 4 January in it.
    return isoWeekContaining(addDays(isoWeekContaining(`${year}-01-04`).start, 7 * (n - 1)));
  }
  if (kind === 'monthly') {
    if (n < 1 || n > 12) return `month ${match[2]} does not exist: months are 01 to 12`;
    return monthContaining(`${year}-${pad(n)}-01`);
  }
  if (n < 1 || n > 4) return `quarter Q${n} does not exist: quarters are Q1 to Q4`;
  return quarterContaining(`${year}-${pad((n - 1) * 3 + 1)}-01`);
}

/** The months and quarters that end inside `week`: complete once that week is over. */
export function periodsEndingIn(week: ReportPeriod): ReportPeriod[] {
  return (['monthly', 'quarterly'] as const)
    .map((kind) => periodContaining(kind, week.start))
    .filter((period) => period.end <= week.end);
}
