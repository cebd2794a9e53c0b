/**
 * Small charts as inline SVG: a horizontal bar chart (one bar per street, with an optional target
 * mark) and a line chart (a trend over weeks). Pure strings, no scripts, no external fonts or
 * files, so a report page prints and archives as it is. Numbers are written with fixed decimals
 * so the output is byte-stable (golden files).
 *
 * @example
 * barChart({ title: '新增 New', unit: 'm²', bars: [{ label: '华新镇', value: 120 }] }) // => '<svg ...>...</svg>'
 */
import { escapeMarkup } from '../markup.js';

export interface Bar {
  label: string;
  value: number;
  /** Drawn as a mark across the bar (a quota). */
  target?: number | null;
}

export interface BarChartSpec {
  title: string;
  unit: string;
  bars: readonly Bar[];
  width?: number;
}

export interface LineSeries {
  name: string;
  values: readonly number[];
}

export interface LineChartSpec {
  title: string;
  unit: string;
  xLabels: readonly string[];
  series: readonly LineSeries[];
  width?: number;
  height?: number;
}

const COLORS = ['#1f6fb2', '#d9822b', '#2e9d5b', '#c23b3b', '#7a52a8', '#6b6b6b'];
const FONT = `font-family="'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"`;

const f = (n: number) => n.toFixed(1);

/** A round number ≥ max for the axis end: 1, 2 or 5 times a power of ten. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= max)!;
}

const formatValue = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 }));

export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 640;
  const labelWidth = 150;
  const valueWidth = 90;
  const rowHeight = 24;
  const top = 34;
  const plot = width - labelWidth - valueWidth;
  const height = top + Math.max(spec.bars.length, 1) * rowHeight + 10;
  const max = niceCeiling(Math.max(0, ...spec.bars.map((b) => Math.max(b.value, b.target ?? 0))));
  const x = (v: number) => labelWidth + (Math.max(v, 0) / max) * plot;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeMarkup(spec.title)}" ${FONT} font-size="12">`,
    `<text x="0" y="16" font-size="14" font-weight="bold">${escapeMarkup(spec.title)} (${escapeMarkup(spec.unit)})</text>`,
  ];
  if (spec.bars.length === 0) parts.push(`<text x="${labelWidth}" y="${top + 16}" fill="#6b6b6b">无数据 No data</text>`);
  spec.bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    parts.push(
      `<text x="${labelWidth - 6}" y="${f(y + 16)}" text-anchor="end">${escapeMarkup(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${f(y + 4)}" width="${f(x(bar.value) - labelWidth)}" height="16" fill="${COLORS[0]}"/>`,
    );
    if (bar.target) parts.push(`<line x1="${f(x(bar.target))}" y1="${f(y + 1)}" x2="${f(x(bar.target))}" y2="${f(y + 23)}" stroke="${COLORS[3]}" stroke-width="2"/>`);
    const label = bar.target ? `${formatValue(bar.value)} / ${formatValue(bar.target)}` : formatValue(bar.value);
    parts.push(`<text x="${f(x(bar.value) + 4)}" y="${f(y + 16)}" fill="#333">${label}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 240;
  const [left, right, top, bottom] = [50, 20, 34, 50];
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceCeiling(Math.max(0, ...spec.series.flatMap((s) => s.values)));
  const n = spec.xLabels.length;
  const x = (i: number) => left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2);
  const y = (v: number) => top + plotH - (Math.max(v, 0) / max) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeMarkup(spec.title)}" ${FONT} font-size="11">`,
    `<text x="0" y="16" font-size="14" font-weight="bold">${escapeMarkup(spec.title)} (${escapeMarkup(spec.unit)})</text>`,
  ];
  for (const tick of [0, 0.5, 1]) {
    parts.push(
      `<line x1="${left}" y1="${f(y(tick * max))}" x2="${width - right}" y2="${f(y(tick * max))}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${f(y(tick * max) + 4)}" text-anchor="end" fill="#555">${formatValue(tick * max)}</text>`,
    );
  }
  spec.xLabels.forEach((label, i) => parts.push(`<text x="${f(x(i))}" y="${height - bottom + 16}" text-anchor="middle" fill="#555">${escapeMarkup(label)}</text>`));
  spec.series.forEach((series, s) => {
    const color = COLORS[s % COLORS.length];
    const points = series.values.map((v, i) => `${f(x(i))},${f(y(v))}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"/>`);
    series.values.forEach((v, i) => parts.push(`<circle cx="${f(x(i))}" cy="${f(y(v))}" r="3" fill="${color}"/>`));
    const lx = left + s * 150;
    parts.push(
      `<rect x="${lx}" y="${height - 18}" width="12" height="12" fill="${color}"/>`,
      `<text x="${lx + 16}" y="${height - 8}">${escapeMarkup(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
