import { describe, expect, it } from 'vitest';
import { isoWeekOf, isoWeeksInYear, parsePeriod, periodsEndingIn, previousIsoWeek, previousPeriod, weeksEndingAt, yearToDate, type ReportPeriod } from './report-periods.js';

const week = (label: string) => parsePeriod('weekly', label) as ReportPeriod;

describe('ISO weeks in China Standard Time', () => {
  it('finds the week of an instant, by Shanghai time', () => {
    expect(isoWeekOf(new Date('2026-11-23T06:00:00+08:00'))).toEqual({ kind: 'weekly', label: '2026-W48', start: '2026-11-23', end: '2026-11-29' });
    // Sunday 23:30 in Shanghai is still the week before, though UTC says Sunday 15:30.
    expect(isoWeekOf(new Date('2026-11-22T23:30:00+08:00')).label).toBe('2026-W47');
    // Monday 00:30 in Shanghai is Sunday in UTC, yet already the new week.
    expect(isoWeekOf(new Date('2026-11-23T00:30:00+08:00')).label).toBe('2026-W48');
  });

  it('handles the weeks that straddle a new year', () => {
    expect(isoWeekOf(new Date('2027-01-01T12:00:00+08:00'))).toEqual({ kind: 'weekly', label: '2026-W53', start: '2026-12-28', end: '2027-01-03' });
    expect(isoWeekOf(new Date('2025-12-31T12:00:00+08:00')).label).toBe('2026-W01');
    expect(week('2026-W01')).toEqual({ kind: 'weekly', label: '2026-W01', start: '2025-12-29', end: '2026-01-04' });
    expect(week('2027-W01').start).toBe('2027-01-04');
    expect(previousPeriod(week('2027-W01')).label).toBe('2026-W53');
  });

  it('knows which years have 53 weeks', () => {
    expect([2020, 2021, 2025, 2026, 2027, 2032].map(isoWeeksInYear)).toEqual([53, 52, 52, 53, 52, 53]);
  });

  it('parses a week label back to the same week, for every week of several years', () => {
    for (const year of [2024, 2025, 2026, 2027]) {
      for (let n = 1; n <= isoWeeksInYear(year); n++) {
        const label = `${year}-W${String(n).padStart(2, '0')}`;
        const parsed = week(label);
        expect(parsed.label).toBe(label);
        expect(isoWeekOf(new Date(`${parsed.start}T00:00:00+08:00`)).label).toBe(label);
      }
    }
  });

  it('refuses weeks that do not exist, saying why', () => {
    expect(parsePeriod('weekly', '2026-W54')).toBe('week 54 does not exist: 2026 has 53 ISO weeks (01 to 53)');
    expect(parsePeriod('weekly', '2025-W53')).toBe('week 53 does not exist: 2025 has 52 ISO weeks (01 to 52)');
    expect(parsePeriod('weekly', '2026-W00')).toBe('week 00 does not exist: 2026 has 53 ISO weeks (01 to 53)');
    expect(parsePeriod('weekly', '2026-47')).toBe('"2026-47" is not a week: write it like 2026-W47');
    expect(parsePeriod('weekly', '1999-W10')).toBe('year 1999 is out of range: reports cover 2000 to 2099');
  });

  it('reports on the week before on a Monday run', () => {
    expect(previousIsoWeek(new Date('2026-11-23T06:00:00+08:00')).start).toBe('2026-11-16');
  });

  it('gives the 8 weeks of a trend, oldest first', () => {
    expect(weeksEndingAt('2026-11-22', 8).map((w) => w.label)).toEqual(['2026-W40', '2026-W41', '2026-W42', '2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47']);
    expect(weeksEndingAt('2027-01-06', 3).map((w) => w.label)).toEqual(['2026-W52', '2026-W53', '2027-W01']);
  });
});

describe('months and quarters', () => {
  it('parses months and quarters, leap years included', () => {
    expect(parsePeriod('monthly', '2028-02')).toEqual({ kind: 'monthly', label: '2028-02', start: '2028-02-01', end: '2028-02-29' });
    expect(parsePeriod('monthly', '2026-12')).toEqual({ kind: 'monthly', label: '2026-12', start: '2026-12-01', end: '2026-12-31' });
    expect(parsePeriod('quarterly', '2026-Q4')).toEqual({ kind: 'quarterly', label: '2026-Q4', start: '2026-10-01', end: '2026-12-31' });
    expect(parsePeriod('quarterly', '2026-Q1')).toEqual({ kind: 'quarterly', label: '2026-Q1', start: '2026-01-01', end: '2026-03-31' });
  });

  it('refuses months and quarters that do not exist', () => {
    expect(parsePeriod('monthly', '2026-13')).toBe('month 13 does not exist: months are 01 to 12');
    expect(parsePeriod('monthly', '2026-00')).toBe('month 00 does not exist: months are 01 to 12');
    expect(parsePeriod('monthly', '2026-1')).toBe('"2026-1" is not a month: write it like 2026-11');
    expect(parsePeriod('quarterly', '2026-Q5')).toBe('quarter Q5 does not exist: quarters are Q1 to Q4');
    expect(parsePeriod('quarterly', '2026-Q0')).toBe('quarter Q0 does not exist: quarters are Q1 to Q4');
  });

  it('steps back across a year', () => {
    expect(previousPeriod(parsePeriod('monthly', '2026-01') as ReportPeriod).label).toBe('2025-12');
    expect(previousPeriod(parsePeriod('quarterly', '2026-Q1') as ReportPeriod)).toEqual({ kind: 'quarterly', label: '2025-Q4', start: '2025-10-01', end: '2025-12-31' });
  });

  it('finds the months and quarters a week completes', () => {
    expect(periodsEndingIn(week('2026-W47'))).toEqual([]);
    expect(periodsEndingIn(week('2026-W49')).map((p) => p.label)).toEqual(['2026-11']); // 30 Nov is in W49
    expect(periodsEndingIn(week('2026-W53')).map((p) => p.label)).toEqual(['2026-12', '2026-Q4']);
  });

  it('counts quota progress from 1 January of the year the period ends in', () => {
    expect(yearToDate(week('2026-W47'))).toEqual({ year: 2026, start: '2026-01-01', end: '2026-11-22' });
    expect(yearToDate(week('2026-W53'))).toEqual({ year: 2027, start: '2027-01-01', end: '2027-01-03' });
  });
});
