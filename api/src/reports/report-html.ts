/**
 * A period report as one self-contained HTML page in one language (Chinese or English, never
 * both): summary against the period before, a table per street with quota progress, a bar chart
 * per street and the 8-week trend as inline SVG. No scripts, no external fonts, images or styles,
 * so it prints (and turns into PDF) exactly as shown. The tables and charts are shared with the
 * bulletin form (bulletin-html.ts). Pure.
 *
 * Every number sits in a cell of its own that never wraps (count and m² in two columns, the
 * change on a second line), so "0 宗 / 0 m²" can no longer break over three lines.
 */
import { FIGURE_KEYS, type CountAndArea, type PeriodReport, type QuotaProgress } from '#domain/weekly-report.js';
import { escapeMarkup as esc } from '../markup.js';
import { areaName, formatNumber as num, periodDays, periodName, REPORT_WORDS, type ReportLanguage } from './report-text.js';
import { barChart, lineChart } from './svg-chart.js';
import { CHART_FONT_FAMILY } from './text-width.js';

const signed = (n: number) => (n > 0 ? `+${num(n)}` : n < 0 ? `−${num(-n)}` : '0');
const direction = (n: number) => (n > 0 ? 'up' : n < 0 ? 'down' : 'same');
const pct = (ratio: number | null) => (ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`);

/** Two cells (count, m²), each with the change against the period before on a second line when given. */
function figureCells(value: CountAndArea, change?: CountAndArea): string {
  const cell = (n: number, delta: number | undefined) => `<td class="num">${num(n)}${delta === undefined ? '' : `<span class="delta ${direction(delta)}">${signed(delta)}</span>`}</td>`;
  return cell(value.count, change?.count) + cell(value.m2, change?.m2);
}

function quotaCells(quota: QuotaProgress | null, lang: ReportLanguage): string {
  const words = REPORT_WORDS[lang];
  if (!quota) return `<td class="num muted" colspan="3">${words.noQuota}</td>`;
  const lines = (values: Array<string | null>) => values.filter(Boolean).map((v) => `<span class="line">${v}</span>`).join('');
  const target = lines([quota.targetM2 !== null ? `${num(quota.targetM2)} m²` : null, quota.targetCount !== null ? `${num(quota.targetCount)} ${words.count}` : null]);
  const done = lines([quota.targetM2 !== null ? `${num(quota.done.m2)} m²` : null, quota.targetCount !== null ? `${num(quota.done.count)} ${words.count}` : null]);
  const progress = lines([quota.progressM2 !== null ? pct(quota.progressM2) : null, quota.progressCount !== null ? pct(quota.progressCount) : null]);
  return `<td class="num">${target}</td><td class="num">${done}</td><td class="num"><b>${progress}</b></td>`;
}

/** The figures of the area against the period before: one row per figure. */
export function summaryTable(report: PeriodReport, lang: ReportLanguage): string {
  const w = REPORT_WORDS[lang];
  const units = `<th>${w.count}</th><th>${w.m2}</th>`;
  const changeCell = (n: number) => `<td class="num ${direction(n)}">${signed(n)}</td>`;
  const rows = FIGURE_KEYS.map((key) => {
    const { figures, previous, change } = report.total;
    return `<tr><th scope="row">${w.figures[key]}</th>${figureCells(figures[key])}${figureCells(previous[key])}${changeCell(change[key].count)}${changeCell(change[key].m2)}</tr>`;
  }).join('\n');
  return `<table class="figures summary">
<thead><tr><th rowspan="2">${w.figure}</th><th colspan="2">${w.thisPeriod}</th><th colspan="2">${w.previous}</th><th colspan="2">${w.change}</th></tr><tr>${units}${units}${units}</tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

/** One row per street (or the area itself), every figure's count and m² with its change, and the quota. */
export function areaTable(report: PeriodReport, lang: ReportLanguage): string {
  const w = REPORT_WORDS[lang];
  const year = report.total.quota?.year ?? report.rows.find((r) => r.quota)?.quota?.year ?? report.period.start.slice(0, 4);
  const level = report.area?.level === 'village' ? w.level.village : w.level.street;
  const head = `<thead><tr><th rowspan="2">${level}</th>${FIGURE_KEYS.map((k) => `<th colspan="2">${w.figures[k]}</th>`).join('')}<th colspan="3">${w.quota(year)}</th></tr>`
    + `<tr>${FIGURE_KEYS.map(() => `<th>${w.count}</th><th>${w.m2}</th>`).join('')}<th>${w.quotaTarget}</th><th>${w.quotaDone}</th><th>${w.quotaProgress}</th></tr></thead>`;
  const rows = report.rows.map((row) => `<tr><th scope="row">${esc(areaName(row.area, lang))}</th>${FIGURE_KEYS.map((k) => figureCells(row.figures[k], row.change[k])).join('')}${quotaCells(row.quota, lang)}</tr>`).join('\n');
  const total = `<tr class="total"><th scope="row">${w.total}</th>${FIGURE_KEYS.map((k) => figureCells(report.total.figures[k], report.total.change[k])).join('')}${quotaCells(report.total.quota, lang)}</tr>`;
  return `<table class="figures by-area">\n${head}\n<tbody>\n${rows}\n${total}\n</tbody></table>\n<p class="note">${w.quotaNote}</p>`;
}

/** The charts: new candidates per street, the quota (when a street has one in m²) and the trend. */
export function reportCharts(report: PeriodReport, lang: ReportLanguage, width = 640): string[] {
  const w = REPORT_WORDS[lang];
  const charts = [barChart({
    title: w.perStreetChart, unit: w.count, noData: w.noData, width,
    bars: report.rows.map((row) => ({ label: areaName(row.area, lang), value: row.figures.newCandidates.count })),
  })];
  if (report.rows.some((row) => row.quota?.targetM2)) {
    charts.push(barChart({
      title: w.quotaChart, unit: 'm²', noData: w.noData, width,
      bars: report.rows.map((row) => ({ label: areaName(row.area, lang), value: row.quota?.done.m2 ?? 0, target: row.quota?.targetM2 ?? null })),
    }));
  }
  charts.push(lineChart({
    title: w.trendChart(report.trend.length), unit: w.count, width,
    xLabels: report.trend.map((point) => point.label.slice(5)),
    series: (['newCandidates', 'verified', 'demolished', 'registerReduction'] as const).map((key) => ({
      name: w.figures[key], values: report.trend.map((point) => point.figures[key].count),
    })),
  }));
  return charts;
}

/** The page style both forms share: one font stack, tables whose numbers never wrap, no orphaned headings. */
export const reportStyle = (page: 'A4 landscape' | 'A4 portrait') => `
body { font-family: ${CHART_FONT_FAMILY}; color: #1f2937; margin: 24px; font-size: 12px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 20px 0 8px; border-bottom: 1px solid #ccc; break-after: avoid; page-break-after: avoid; }
.meta, .muted, .note { color: #4b5563; } .note { font-size: 11px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #cbd5e1; padding: 3px 5px; vertical-align: top; }
thead th { background: #eef2f6; font-weight: bold; text-align: center; vertical-align: middle; }
tbody th { text-align: left; font-weight: normal; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.num .line, td.num .delta { display: block; }
.delta { font-size: 10px; } .up { color: #b03030; } .down { color: #2e7d4f; } .same { color: #6b7280; }
tr.total th, tr.total td { font-weight: bold; background: #f8fafc; }
tr { break-inside: avoid; page-break-inside: avoid; }
figure { margin: 12px 0; break-inside: avoid; page-break-inside: avoid; }
section.keep { break-inside: avoid; page-break-inside: avoid; }
.charts { display: flex; flex-wrap: wrap; gap: 0 24px; align-items: flex-start; }
@page { size: ${page}; margin: 12mm; } @media print { body { margin: 0; } }`;

export interface ReportPageOptions {
  lang: ReportLanguage;
}

export function reportHtml(report: PeriodReport, options: ReportPageOptions = { lang: 'zh' }): string {
  const { lang } = options;
  const w = REPORT_WORDS[lang];
  const heading = `${w.title[report.kind]} · ${periodName(report.period, lang)}`;
  const where = areaName(report.area, lang);
  const scope = report.area ? w.level[report.area.level] : w.scope;
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<title>${esc(heading)} · ${esc(where)}</title>
<style>${reportStyle('A4 landscape')}</style>
</head>
<body>
<h1>${esc(heading)}</h1>
<p class="meta">${scope}${lang === 'zh' ? '：' : ': '}${esc(where)} · ${w.period} ${periodDays(report.period, lang)} · ${w.previous} ${periodDays(report.previousPeriod, lang)}</p>
<h2>${w.summary}</h2>
${summaryTable(report, lang)}
<h2>${w.byArea}</h2>
${areaTable(report, lang)}
<h2>${w.charts}</h2>
<div class="charts">
${reportCharts(report, lang, 500).map((chart) => `<figure>${chart}</figure>`).join('\n')}
</div>
</body>
</html>
`;
}
