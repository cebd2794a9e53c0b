import { describe, expect, it } from 'vitest';
import { parsePeriod, previousPeriod, type ReportPeriod } from './report-periods.js';
import { composePeriodReport, emptyFigures, figureChange, quotaProgress, sumQuotas, type Figures, type ReportArea } from './weekly-report.js';

const figures = (partial: Partial<Figures>): Figures => ({ ...emptyFigures(), ...partial });
const street = (id: string, name: string): ReportArea => ({ id, code: `S${id}`, name, nameEn: null, level: 'street' });

describe('the roll-up arithmetic', () => {
  it('gives the change against the period before, for every figure', () => {
    const change = figureChange(figures({ verified: { count: 5, m2: 420 }, rejected: { count: 1, m2: 12 } }), figures({ verified: { count: 2, m2: 100 }, demolished: { count: 1, m2: 30 } }));
    expect(change).toEqual(figures({ verified: { count: 3, m2: 320 }, rejected: { count: 1, m2: 12 }, demolished: { count: -1, m2: -30 } }));
  });

  it('measures quota progress against m² and count targets, either of which may be missing', () => {
    expect(quotaProgress({ year: 2026, targetM2: 8000, targetCount: 40 }, { count: 10, m2: 3000 })).toEqual({
      year: 2026, targetM2: 8000, targetCount: 40, done: { count: 10, m2: 3000 }, progressM2: 0.375, progressCount: 0.25,
    });
    expect(quotaProgress({ year: 2026, targetM2: null, targetCount: 3 }, { count: 2, m2: 10 })).toMatchObject({ progressM2: null, progressCount: 0.6667 });
  });

  it('totals the streets that have a quota', () => {
    const a = quotaProgress({ year: 2026, targetM2: 1000, targetCount: null }, { count: 2, m2: 500 });
    const b = quotaProgress({ year: 2026, targetM2: 3000, targetCount: 10 }, { count: 1, m2: 500 });
    expect(sumQuotas(2026, [a, null, b])).toEqual({ year: 2026, targetM2: 4000, targetCount: 10, done: { count: 3, m2: 1000 }, progressM2: 0.25, progressCount: 0.3 });
    expect(sumQuotas(2026, [null, null])).toBeNull();
  });

  it('composes a report: total, rows with change and quota (demolished plus register reduction this year), trend', () => {
    const period = parsePeriod('weekly', '2026-W47') as ReportPeriod;
    const report = composePeriodReport({
      period, previousPeriod: previousPeriod(period), area: null, quotaYear: 2026,
      figures: figures({ newCandidates: { count: 3, m2: 300 } }), previous: figures({ newCandidates: { count: 1, m2: 50 } }),
      rows: [
        { area: street('1', '华新镇'), figures: figures({ newCandidates: { count: 2, m2: 200 } }), previous: emptyFigures(), quota: { year: 2026, targetM2: 1000, targetCount: 10 },
          yearToDate: figures({ demolished: { count: 1, m2: 100 }, registerReduction: { count: 2, m2: 150 } }) },
        { area: street('2', '花木街道'), figures: emptyFigures(), previous: emptyFigures(), quota: null, yearToDate: figures({ demolished: { count: 4, m2: 999 } }) },
      ],
      trend: [],
    });
    expect(report.kind).toBe('weekly');
    expect(report.previousPeriod.label).toBe('2026-W46');
    expect(report.total.change.newCandidates).toEqual({ count: 2, m2: 250 });
    expect(report.rows[0]!.change.newCandidates).toEqual({ count: 2, m2: 200 });
    expect(report.rows[0]!.quota).toEqual({ year: 2026, targetM2: 1000, targetCount: 10, done: { count: 3, m2: 250 }, progressM2: 0.25, progressCount: 0.3 });
    expect(report.rows[1]!.quota).toBeNull();
    expect(report.total.quota).toEqual(report.rows[0]!.quota);
  });
});
