import { describe, expect, it } from 'vitest';
import { composeWeeklyReport, isoWeekOf, previousIsoWeek } from './weekly-report.js';

describe('ISO weeks in China Standard Time', () => {
  it('finds the week of an instant, by Shanghai time', () => {
    expect(isoWeekOf(new Date('2026-11-23T06:00:00+08:00'))).toEqual({ week: '2026-W48', start: '2026-11-23', end: '2026-11-29' });
    // Sunday 23:30 in Shanghai is still the week before, though UTC says Sunday 15:30.
    expect(isoWeekOf(new Date('2026-11-22T23:30:00+08:00')).week).toBe('2026-W47');
    // Monday 00:30 in Shanghai is Sunday in UTC, yet already the new week.
    expect(isoWeekOf(new Date('2026-11-23T00:30:00+08:00')).week).toBe('2026-W48');
  });

  it('handles the weeks that straddle a new year', () => {
    expect(isoWeekOf(new Date('2027-01-01T12:00:00+08:00'))).toEqual({ week: '2026-W53', start: '2026-12-28', end: '2027-01-03' });
    expect(isoWeekOf(new Date('2025-12-31T12:00:00+08:00')).week).toBe('2026-W01');
  });

  it('reports on the week before on a Monday run', () => {
    expect(previousIsoWeek(new Date('2026-11-23T06:00:00+08:00')).start).toBe('2026-11-16');
  });
});

describe('composeWeeklyReport', () => {
  it('gives the change against the week before', () => {
    const report = composeWeeklyReport(isoWeekOf(new Date('2026-11-18T12:00:00+08:00')), null,
      { verified: { count: 5, m2: 420 }, rejected: { count: 1, m2: 12 } },
      { verified: { count: 2, m2: 100 } });
    expect(report.change).toEqual({ verified: { count: 3, m2: 320 }, rejected: { count: 1, m2: 12 } });
  });
});
