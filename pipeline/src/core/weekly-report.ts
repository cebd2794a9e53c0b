/**
 * The weekly diff report (周报): a week's figures beside the week before, for the whole and per
 * district and street. Pure: figures in, report out; weeks are ISO weeks in China Standard Time.
 *
 * @example
 * isoWeekOf(new Date('2026-11-23T06:00:00+08:00')) // => { week: '2026-W48', start: '2026-11-23', end: '2026-11-29' }
 */

export interface CountAndArea {
  count: number;
  m2: number;
}

export type Figures = Record<string, CountAndArea>;

export interface IsoWeek {
  /** e.g. 2026-W47 */
  week: string;
  /** Monday, YYYY-MM-DD */
  start: string;
  /** Sunday, YYYY-MM-DD */
  end: string;
}

const DAY = 86_400_000;
const CST = 8 * 3_600_000;

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The ISO week (China Standard Time) that contains `instant`. */
export function isoWeekOf(instant: Date): IsoWeek {
  const local = instant.getTime() + CST;
  const day = Math.floor(local / DAY);
  const weekday = (new Date(day * DAY).getUTCDay() + 6) % 7; // Monday 0
  const monday = (day - weekday) * DAY;
  const thursday = new Date(monday + 3 * DAY);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / DAY / 7) + 1;
  return { week: `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`, start: ymd(monday), end: ymd(monday + 6 * DAY) };
}

/** The week before the one containing `instant`: what a Monday run reports on. */
export function previousIsoWeek(instant: Date): IsoWeek {
  return isoWeekOf(new Date(instant.getTime() - 7 * DAY));
}

export interface WeeklyReport {
  week: IsoWeek;
  area: { code: string; name: string } | null;
  figures: Figures;
  previous: Figures;
  /** This week minus the week before, per figure. */
  change: Figures;
}

export function composeWeeklyReport(week: IsoWeek, area: WeeklyReport['area'], figures: Figures, previous: Figures): WeeklyReport {
  const change: Figures = {};
  for (const key of Object.keys(figures)) {
    change[key] = { count: figures[key]!.count - (previous[key]?.count ?? 0), m2: figures[key]!.m2 - (previous[key]?.m2 ?? 0) };
  }
  return { week, area, figures, previous, change };
}
