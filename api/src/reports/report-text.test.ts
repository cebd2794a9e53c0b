/** The words of a report: period names in both languages and the bulletin's summary paragraph from the figures. */
import { describe, expect, it } from 'vitest';
import { composePeriodReport, emptyFigures, type Figures, type ReportArea } from '#domain/weekly-report.js';
import { periodDays, periodName, summaryParagraph } from './report-text.js';

const figures = (partial: Partial<Figures>): Figures => ({ ...emptyFigures(), ...partial });
const street = (id: string, name: string, nameEn: string): ReportArea => ({ id, code: id, name, nameEn, level: 'street' });

function report(now: Partial<Figures>, before: Partial<Figures>, kind: 'weekly' | 'quarterly' = 'weekly') {
  const period = kind === 'weekly'
    ? { kind, label: '2026-W01', start: '2025-12-29', end: '2026-01-04' }
    : { kind, label: '2026-Q4', start: '2026-10-01', end: '2026-12-31' };
  return composePeriodReport({
    period, previousPeriod: period, area: { id: '1', code: 'D', name: '示范区', nameEn: 'Demo District', level: 'district' }, quotaYear: 2026,
    figures: figures(now), previous: figures(before),
    rows: [
      { area: street('a', '甲镇', 'Jia Town'), figures: figures({}), previous: figures({}), quota: { year: 2026, targetM2: 1000, targetCount: null }, yearToDate: figures({ demolished: { count: 1, m2: 500 } }) },
      { area: street('b', '乙镇', 'Yi Town'), figures: figures({}), previous: figures({}), quota: { year: 2026, targetM2: 1000, targetCount: null }, yearToDate: figures({ registerReduction: { count: 1, m2: 100 } }) },
      { area: street('c', '丙镇', 'Bing Town'), figures: figures({}), previous: figures({}), quota: null, yearToDate: figures({}) },
    ],
    trend: [],
  });
}

describe('period names', () => {
  it('names weeks across a year end and quarters in each language', () => {
    const week = { kind: 'weekly' as const, label: '2026-W01', start: '2025-12-29', end: '2026-01-04' };
    expect([periodName(week, 'zh'), periodDays(week, 'zh')]).toEqual(['2026年第1周', '2025年12月29日—2026年1月4日']);
    expect([periodName(week, 'en'), periodDays(week, 'en')]).toEqual(['Week 1, 2026', '29 December – 4 January 2026']);
    const quarter = { kind: 'quarterly' as const, label: '2026-Q4', start: '2026-10-01', end: '2026-12-31' };
    expect([periodName(quarter, 'zh'), periodName(quarter, 'en')]).toEqual(['2026年第四季度', 'Q4 2026']);
  });
});

describe('summaryParagraph', () => {
  it('says when nothing new was found: zero growth, and the streets that lead and trail the quota', () => {
    const quiet = report({ registerReduction: { count: 1, m2: 60 } }, { newCandidates: { count: 2, m2: 80 } });
    expect(summaryParagraph(quiet, 'zh')).toBe('2026年第1周，示范区航飞巡查未发现新增疑似违建图斑；经核查确认违建0宗（0平方米），排除0宗；'
      + '已排期拆除0宗（0平方米），已拆除0宗（0平方米），其中经航飞复核确认拆除0宗；存量违建减量1宗（60平方米）。本期实现新建违建零增长。'
      + '2026年度拆违指标2,000平方米，累计完成600平方米，完成率30.0%。各街镇中甲镇完成率最高（50.0%），乙镇最低（10.0%）。');
    expect(summaryParagraph(quiet, 'en')).toBe('In Week 1, 2026, patrol flights over Demo District found no new candidate illegal buildings. '
      + '0 cases (0 m²) were verified as illegal and 0 rejected; 0 cases (0 m²) were scheduled for demolition and 0 cases (0 m²) demolished, '
      + '0 of them confirmed by a later flight; the register of existing illegal buildings shrank by 1 entry (60 m²). '
      + 'No new illegal construction was found in the period. Against the 2026 quota of 2,000 m², 600 m² has been demolished (30.0%). '
      + 'Jia Town leads at 50.0%; Yi Town trails at 10.0%.');
  });

  it('compares new finds with the period before, in that period\'s word', () => {
    const busy = report({ newCandidates: { count: 3, m2: 1234 }, verified: { count: 1, m2: 400 } }, { newCandidates: { count: 5, m2: 10 } }, 'quarterly');
    expect(summaryParagraph(busy, 'zh')).toContain('2026年第四季度，示范区航飞巡查新增疑似违建图斑3宗（1,234平方米），较上季度减少2宗；经核查确认违建1宗（400平方米）');
    expect(summaryParagraph(busy, 'zh')).not.toContain('零增长');
    expect(summaryParagraph(busy, 'en')).toContain('found 3 new candidates (1,234 m²), 2 fewer than the quarter before. 1 case (400 m²) was verified as illegal');
  });
});
