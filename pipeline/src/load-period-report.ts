/**
 * Builds a weekly, monthly or quarterly report from the database: the thin adapter between the SQL
 * of db/sql/reports.ts and db/sql/quotas.ts and the pure composition in domain/weekly-report.ts.
 * The API renders it; the weekly job stores it.
 */
import type pg from 'pg';
import { quotasOf } from '#db/sql/quotas.js';
import { EVERYWHERE, periodFigures, reportRowAreas } from '#db/sql/reports.js';
import { previousPeriod, weeksEndingAt, yearToDate, type ReportPeriod } from '#domain/report-periods.js';
import { composePeriodReport, emptyFigures, type Figures, type PeriodReport, type ReportArea } from '#domain/weekly-report.js';

/** How many weeks the trend line shows. */
export const TREND_WEEKS = 8;

const complete = (partial: Record<string, { count: number; m2: number }> | undefined): Figures => ({ ...emptyFigures(), ...partial });

/** The report of `period` on `area` (null: everywhere). */
export async function loadPeriodReport(pool: pg.Pool, period: ReportPeriod, area: ReportArea | null): Promise<PeriodReport> {
  const before = previousPeriod(period);
  const ytd = yearToDate(period);
  const rowAreas = await reportRowAreas(pool, area);
  const ids = [...new Set([...(area ? [area.id] : []), ...rowAreas.map((a) => a.id)])];
  const key = area?.id ?? EVERYWHERE;
  const [now, previous, toDate, quotas] = await Promise.all([
    periodFigures(pool, period.start, period.end, ids, !area),
    periodFigures(pool, before.start, before.end, ids, !area),
    periodFigures(pool, ytd.start, ytd.end, rowAreas.map((a) => a.id)),
    quotasOf(pool, ytd.year, rowAreas.filter((a) => a.level === 'street').map((a) => a.id)),
  ]);
  const trend = await Promise.all(weeksEndingAt(period.end, TREND_WEEKS).map(async (week) => ({
    label: week.label, start: week.start, end: week.end,
    figures: complete((await periodFigures(pool, week.start, week.end, area ? [area.id] : [], !area)).get(key)),
  })));
  return composePeriodReport({
    period, previousPeriod: before, area, quotaYear: ytd.year,
    figures: complete(now.get(key)), previous: complete(previous.get(key)),
    rows: rowAreas.map((row) => ({
      area: row, figures: complete(now.get(row.id)), previous: complete(previous.get(row.id)),
      quota: quotas.get(row.id) ?? null, yearToDate: complete(toDate.get(row.id)),
    })),
    trend,
  });
}
