/**
 * The words of a period report in each language it is printed in: Chinese (the office's own) or
 * English, one at a time, never side by side. Also the summary paragraph a bulletin opens with,
 * written from the figures. Pure.
 *
 * @example
 * periodName({ kind: 'weekly', label: '2026-W47', start: '2026-11-16', end: '2026-11-22' }, 'zh') // => '2026年第47周'
 */
import type { ReportPeriod } from '#domain/report-periods.js';
import { FIGURE_LABELS, type CountAndArea, type FigureKey, type PeriodReport, type ReportArea } from '#domain/weekly-report.js';

export const REPORT_LANGUAGES = ['zh', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

export interface ReportWords {
  title: Record<PeriodReport['kind'], string>;
  level: Record<ReportArea['level'], string>;
  everywhere: string;
  scope: string;
  period: string;
  previous: string;
  figure: string;
  thisPeriod: string;
  change: string;
  count: string;
  m2: string;
  total: string;
  noQuota: string;
  quota: (year: number | string) => string;
  quotaTarget: string;
  quotaDone: string;
  quotaProgress: string;
  summary: string;
  byArea: string;
  charts: string;
  quotaNote: string;
  perStreetChart: string;
  quotaChart: string;
  trendChart: (weeks: number) => string;
  noData: string;
  figures: Record<FigureKey, string>;
}

const ZH: ReportWords = {
  title: { weekly: '违法建筑治理周报', monthly: '违法建筑治理月报', quarterly: '违法建筑治理季报' },
  level: { district: '区', street: '街镇', village: '居村' },
  everywhere: '全区域', scope: '范围', period: '本期', previous: '上期', figure: '指标', thisPeriod: '本期', change: '环比',
  count: '宗', m2: 'm²', total: '合计', noQuota: '无指标',
  quota: (year) => `${year}年度拆违指标`, quotaTarget: '指标', quotaDone: '累计拆除', quotaProgress: '完成率',
  summary: '汇总', byArea: '各街镇情况', charts: '图表',
  quotaNote: '年度累计拆除：本年1月1日至本期末已拆除的疑似违建与存量违建减量之和。',
  perStreetChart: '各街镇新增疑似违建图斑', quotaChart: '年度累计拆除与指标', trendChart: (weeks) => `近${weeks}周趋势`,
  noData: '无数据',
  figures: Object.fromEntries(Object.entries(FIGURE_LABELS).map(([key, label]) => [key, label.zh])) as Record<FigureKey, string>,
};

const EN: ReportWords = {
  title: { weekly: 'Weekly report on illegal construction', monthly: 'Monthly bulletin on illegal construction', quarterly: 'Quarterly bulletin on illegal construction' },
  level: { district: 'District', street: 'Street', village: 'Village' },
  everywhere: 'All areas', scope: 'Scope', period: 'Period', previous: 'Previous', figure: 'Figure', thisPeriod: 'This period', change: 'Change',
  count: 'cases', m2: 'm²', total: 'Total', noQuota: 'no quota',
  quota: (year) => `Demolition quota ${year}`, quotaTarget: 'Target', quotaDone: 'Demolished', quotaProgress: 'Progress',
  summary: 'Summary', byArea: 'By street', charts: 'Charts',
  quotaNote: 'Demolished this year: candidates marked demolished plus register reduction, from 1 January to the end of the period.',
  perStreetChart: 'New candidates per street', quotaChart: 'Demolished this year against quota', trendChart: (weeks) => `Trend over the last ${weeks} weeks`,
  noData: 'No data',
  figures: Object.fromEntries(Object.entries(FIGURE_LABELS).map(([key, label]) => [key, label.en])) as Record<FigureKey, string>,
};

export const REPORT_WORDS: Record<ReportLanguage, ReportWords> = { zh: ZH, en: EN };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const QUARTERS_ZH = ['一', '二', '三', '四'];

/** A calendar day: 2026年11月16日 or 16 November 2026. */
export function dayName(ymd: string, lang: ReportLanguage): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return lang === 'zh' ? `${y}年${m}月${d}日` : `${d} ${MONTHS[m - 1]} ${y}`;
}

/** The period's name: 2026年第47周, 2026年11月, 2026年第四季度; Week 47, 2026; November 2026; Q4 2026. */
export function periodName(period: ReportPeriod, lang: ReportLanguage): string {
  const year = Number(period.label.slice(0, 4));
  const part = Number(period.label.slice(period.kind === 'monthly' ? 5 : 6));
  if (period.kind === 'weekly') return lang === 'zh' ? `${year}年第${part}周` : `Week ${part}, ${year}`;
  if (period.kind === 'monthly') return lang === 'zh' ? `${year}年${part}月` : `${MONTHS[part - 1]} ${year}`;
  return lang === 'zh' ? `${year}年第${QUARTERS_ZH[part - 1]}季度` : `Q${part} ${year}`;
}

/** The period's days: 2026年11月16日—11月22日 or 16–22 November 2026. */
export function periodDays(period: ReportPeriod, lang: ReportLanguage): string {
  const [, m1, d1] = period.start.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = period.end.split('-').map(Number) as [number, number, number];
  if (lang === 'zh') return `${dayName(period.start, 'zh')}—${y2 !== Number(period.start.slice(0, 4)) ? `${y2}年` : ''}${m2}月${d2}日`;
  return m1 === m2 ? `${d1}–${d2} ${MONTHS[m2 - 1]} ${y2}` : `${d1} ${MONTHS[m1 - 1]} – ${d2} ${MONTHS[m2 - 1]} ${y2}`;
}

/** The area's name in the language: the English name where the area has one. */
export function areaName(area: ReportArea | null, lang: ReportLanguage): string {
  if (!area) return REPORT_WORDS[lang].everywhere;
  return lang === 'en' && area.nameEn ? area.nameEn : area.name;
}

export const formatNumber = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

const PREVIOUS_ZH: Record<ReportPeriod['kind'], string> = { weekly: '上周', monthly: '上月', quarterly: '上季度' };
const PREVIOUS_EN: Record<ReportPeriod['kind'], string> = { weekly: 'the week before', monthly: 'the month before', quarterly: 'the quarter before' };

function zhCases(v: CountAndArea): string {
  return `${formatNumber(v.count)}宗（${formatNumber(v.m2)}平方米）`;
}

/** "2 cases (250 m²)"; the noun in the singular for one. */
function enCases(v: CountAndArea, one: string, many: string): string {
  return `${formatNumber(v.count)} ${v.count === 1 ? one : many} (${formatNumber(v.m2)} m²)`;
}

const was = (v: CountAndArea) => (v.count === 1 ? 'was' : 'were');

/**
 * The bulletin's opening paragraph, from the figures: what was found, verified, rejected and
 * demolished against the period before, the register's reduction, and the year's quota with the
 * streets that lead and trail it.
 */
export function summaryParagraph(report: PeriodReport, lang: ReportLanguage): string {
  const { figures, change, quota } = report.total;
  const where = areaName(report.area, lang);
  const when = periodName(report.period, lang);
  const streets = report.rows
    .filter((row) => row.quota && (row.quota.progressM2 ?? row.quota.progressCount) !== null)
    .map((row) => ({ name: areaName(row.area, lang), progress: (row.quota!.progressM2 ?? row.quota!.progressCount)! }))
    .sort((a, b) => b.progress - a.progress);
  const newDelta = change.newCandidates.count;
  if (lang === 'zh') {
    const before = PREVIOUS_ZH[report.kind];
    const parts = [
      figures.newCandidates.count === 0
        ? `${when}，${where}航飞巡查未发现新增疑似违建图斑`
        : `${when}，${where}航飞巡查新增疑似违建图斑${zhCases(figures.newCandidates)}，较${before}${newDelta > 0 ? `增加${newDelta}宗` : newDelta < 0 ? `减少${-newDelta}宗` : '持平'}`,
      `经核查确认违建${zhCases(figures.verified)}，排除${formatNumber(figures.rejected.count)}宗`,
      `已排期拆除${zhCases(figures.scheduled)}，已拆除${zhCases(figures.demolished)}，其中经航飞复核确认拆除${formatNumber(figures.confirmedDemolished.count)}宗`,
      `存量违建减量${zhCases(figures.registerReduction)}`,
    ];
    let text = `${parts.join('；')}。`;
    if (figures.newCandidates.count === 0 && figures.verified.count === 0) text += '本期实现新建违建零增长。';
    if (quota && quota.targetM2) {
      text += `${quota.year}年度拆违指标${formatNumber(quota.targetM2)}平方米，累计完成${formatNumber(quota.done.m2)}平方米，完成率${percent(quota.progressM2 ?? 0)}。`;
    }
    if (streets.length >= 2) text += `各街镇中${streets[0]!.name}完成率最高（${percent(streets[0]!.progress)}），${streets.at(-1)!.name}最低（${percent(streets.at(-1)!.progress)}）。`;
    return text;
  }
  const before = PREVIOUS_EN[report.kind];
  const found = figures.newCandidates.count === 0
    ? `In ${when}, patrol flights over ${where} found no new candidate illegal buildings`
    : `In ${when}, patrol flights over ${where} found ${enCases(figures.newCandidates, 'new candidate', 'new candidates')}, `
      + (newDelta === 0 ? `as many as ${before}` : `${Math.abs(newDelta)} ${newDelta > 0 ? 'more' : 'fewer'} than ${before}`);
  let text = `${found}. ${enCases(figures.verified, 'case', 'cases')} ${was(figures.verified)} verified as illegal and ${formatNumber(figures.rejected.count)} rejected; `
    + `${enCases(figures.scheduled, 'case', 'cases')} ${was(figures.scheduled)} scheduled for demolition and ${enCases(figures.demolished, 'case', 'cases')} demolished, `
    + `${formatNumber(figures.confirmedDemolished.count)} of them confirmed by a later flight; the register of existing illegal buildings shrank by ${enCases(figures.registerReduction, 'entry', 'entries')}.`;
  if (figures.newCandidates.count === 0 && figures.verified.count === 0) text += ' No new illegal construction was found in the period.';
  if (quota && quota.targetM2) {
    text += ` Against the ${quota.year} quota of ${formatNumber(quota.targetM2)} m², ${formatNumber(quota.done.m2)} m² has been demolished (${percent(quota.progressM2 ?? 0)}).`;
  }
  if (streets.length >= 2) text += ` ${streets[0]!.name} leads at ${percent(streets[0]!.progress)}; ${streets.at(-1)!.name} trails at ${percent(streets.at(-1)!.progress)}.`;
  return text;
}
