/**
 * A period report as one self-contained HTML page (Chinese with English labels): summary against
 * the period before, a table per street with quota progress, a bar chart per street and the
 * 8-week trend as inline SVG. No scripts, no external fonts, images or styles, so it prints (and
 * turns into PDF) exactly as shown. Pure.
 */
import { FIGURE_KEYS, FIGURE_LABELS, type CountAndArea, type PeriodReport, type QuotaProgress } from '#domain/weekly-report.js';
import { escapeMarkup as esc } from '../markup.js';
import { barChart, lineChart } from './svg-chart.js';

export const REPORT_TITLES: Record<PeriodReport['kind'], { zh: string; en: string }> = {
  weekly: { zh: '违法建筑治理周报', en: 'Weekly diff report' },
  monthly: { zh: '违法建筑治理月报', en: 'Monthly bulletin' },
  quarterly: { zh: '违法建筑治理季报', en: 'Quarterly bulletin' },
};

const LEVELS = { district: '区 District', street: '街镇 Street', village: '居村 Village' } as const;

const num = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => (n > 0 ? `+${num(n)}` : num(n));
const pair = (v: CountAndArea) => `${num(v.count)} 宗 / ${num(v.m2)} m²`;
const changePair = (v: CountAndArea) => `<span class="${v.count > 0 || v.m2 > 0 ? 'up' : v.count < 0 || v.m2 < 0 ? 'down' : ''}">${signed(v.count)} 宗 / ${signed(v.m2)} m²</span>`;
const pct = (ratio: number | null) => (ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`);

function quotaCell(quota: QuotaProgress | null): string {
  if (!quota) return '<td class="muted">无指标 no quota</td>';
  const target = [quota.targetM2 !== null ? `${num(quota.targetM2)} m²` : null, quota.targetCount !== null ? `${num(quota.targetCount)} 宗` : null].filter(Boolean).join(' / ');
  return `<td>${pair(quota.done)} of ${target}<br><b>${pct(quota.progressM2 ?? quota.progressCount)}</b></td>`;
}

const STYLE = `
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif; color: #222; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; border-bottom: 1px solid #ccc; }
.meta { color: #555; margin: 0 0 12px; } .muted { color: #888; }
table { border-collapse: collapse; width: 100%; font-size: 12px; } th, td { border: 1px solid #ccc; padding: 4px 6px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; } th { background: #f0f3f6; } tr.total td { font-weight: bold; background: #fafafa; }
.up { color: #b03030; } .down { color: #2e7d4f; } figure { margin: 12px 0; break-inside: avoid; }
@page { size: A4; margin: 12mm; } @media print { body { margin: 0; } h2 { break-after: avoid; } }`;

export function reportHtml(report: PeriodReport): string {
  const title = REPORT_TITLES[report.kind];
  const areaName = report.area ? `${report.area.name}${report.area.nameEn ? ` ${report.area.nameEn}` : ''}` : '全区域 All areas';
  const heading = `${title.zh} ${title.en} · ${report.period.label}`;
  const summary = FIGURE_KEYS.map((key) => `<tr><td>${FIGURE_LABELS[key].zh} ${FIGURE_LABELS[key].en}</td><td>${pair(report.total.figures[key])}</td><td>${pair(report.total.previous[key])}</td><td>${changePair(report.total.change[key])}</td></tr>`).join('\n');
  const rowHeader = `<tr><th>${report.area?.level === 'village' ? '居村 Village' : '街镇 Street'}</th>${FIGURE_KEYS.map((k) => `<th>${FIGURE_LABELS[k].zh}<br>${FIGURE_LABELS[k].en}</th>`).join('')}<th>年度指标完成 Quota progress ${report.total.quota?.year ?? ''}</th></tr>`;
  const rows = report.rows.map((row) => `<tr><td>${esc(row.area.name)}<br><span class="muted">${esc(row.area.code)}</span></td>${FIGURE_KEYS.map((k) => `<td>${pair(row.figures[k])}<br>${changePair(row.change[k])}</td>`).join('')}${quotaCell(row.quota)}</tr>`).join('\n');
  const total = `<tr class="total"><td>合计 Total</td>${FIGURE_KEYS.map((k) => `<td>${pair(report.total.figures[k])}<br>${changePair(report.total.change[k])}</td>`).join('')}${quotaCell(report.total.quota)}</tr>`;
  const perStreet = barChart({
    title: `各街镇新增疑似违建图斑 New candidates per street`, unit: '宗 count',
    bars: report.rows.map((row) => ({ label: row.area.name, value: row.figures.newCandidates.count })),
  });
  const quotaChart = report.rows.some((row) => row.quota?.targetM2)
    ? barChart({
      title: `年度累计拆除与指标 Demolished this year against quota`, unit: 'm²',
      bars: report.rows.map((row) => ({ label: row.area.name, value: row.quota?.done.m2 ?? 0, target: row.quota?.targetM2 ?? null })),
    })
    : '';
  const trend = lineChart({
    title: `近${report.trend.length}周趋势 Trend over the last ${report.trend.length} weeks`, unit: '宗 count',
    xLabels: report.trend.map((point) => point.label.slice(5)),
    series: (['newCandidates', 'verified', 'demolished', 'registerReduction'] as const).map((key) => ({
      name: `${FIGURE_LABELS[key].zh} ${FIGURE_LABELS[key].en}`, values: report.trend.map((point) => point.figures[key].count),
    })),
  });
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(heading)} · ${esc(areaName)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(heading)}</h1>
<p class="meta">${report.area ? LEVELS[report.area.level] : '范围 Scope'}: ${esc(areaName)} · 本期 Period ${report.period.start} – ${report.period.end} · 上期 Previous ${esc(report.previousPeriod.label)} (${report.previousPeriod.start} – ${report.previousPeriod.end})</p>
<h2>汇总 Summary</h2>
<table>
<tr><th>指标 Figure</th><th>本期 This period</th><th>上期 Previous</th><th>环比 Change</th></tr>
${summary}
</table>
<h2>各街镇 By street</h2>
<table>
${rowHeader}
${rows}
${total}
</table>
<p class="muted">年度累计拆除 = 本年1月1日至本期末已拆除疑似违建与存量违建减量之和 · Demolished this year = candidates marked demolished plus register reduction, 1 January to the period's end.</p>
<h2>图表 Charts</h2>
<figure>${perStreet}</figure>
${quotaChart ? `<figure>${quotaChart}</figure>` : ''}
<figure>${trend}</figure>
</body>
</html>
`;
}
