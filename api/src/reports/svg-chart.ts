/**
 * Small charts as inline SVG: a horizontal bar chart (one bar per street, with an optional target
 * mark) and a line chart (a trend over weeks). Pure strings, no scripts, no external fonts or
 * files, so a report page prints and archives as it is. Numbers are written with fixed decimals
 * so the output is byte-stable (golden files).
 *
 * An SVG cannot wrap or measure its text, so the charts size their text from a deliberately
 * generous width estimate (textWidth): a long street name gets a wider label column or a second
 * line instead of running off the left edge, and legend entries are packed into rows that never
 * overlap. The layout test measures the real boxes in Chromium.
 *
 * @example
 * barChart({ title: '新增', unit: 'm²', bars: [{ label: '华新镇', value: 120 }] }) // => '<svg ...>...</svg>'
 */
import { escapeMarkup } from '../markup.js';
import { CHART_FONT_FAMILY, textWidth } from './text-width.js';

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
  /** Shown instead of bars when there are none. */
  noData: string;
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
  /** Height of the plot and its axes; the legend rows come on top of it. */
  height?: number;
}

const COLORS = ['#1f6fb2', '#d9822b', '#2e9d5b', '#c23b3b', '#7a52a8', '#6b6b6b'];
const FONT = `font-family="${escapeMarkup(CHART_FONT_FAMILY)}"`;
const LABEL_SIZE = 12;
const LEGEND_SIZE = 11;

const f = (n: number) => n.toFixed(1);

/** A round number ≥ max for the axis end: 1, 2 or 5 times a power of ten. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= max)!;
}

const formatValue = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 }));

/** Text broken into lines no wider than `width` (by the estimate), at spaces where it has them, else between characters. */
export function wrapText(text: string, fontSize: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const tokens = text.match(/\s+|[\u2e80-\uffff]|[^\s\u2e80-\uffff]+/g) ?? [];
  for (const token of tokens) {
    if (line && textWidth(line + token, fontSize) > width) {
      lines.push(line.trimEnd());
      line = token.trimStart();
    } else {
      line += token;
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines.length ? lines : [''];
}

function title(spec: { title: string; unit: string }): string {
  return `<text x="2" y="16" font-size="14" font-weight="bold">${escapeMarkup(spec.title)} (${escapeMarkup(spec.unit)})</text>`;
}

export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 640;
  const valueLabel = (bar: Bar) => (bar.target ? `${formatValue(bar.value)} / ${formatValue(bar.target)}` : formatValue(bar.value));
  const longestLabel = Math.max(0, ...spec.bars.map((b) => textWidth(b.label, LABEL_SIZE)));
  // The label column grows to the longest name, up to 35% of the chart; longer names take two or more lines.
  const labelWidth = Math.min(Math.max(longestLabel, 40), width * 0.35) + 12;
  const valueWidth = Math.max(40, ...spec.bars.map((b) => textWidth(valueLabel(b), LABEL_SIZE))) + 8;
  const top = 34;
  const plot = width - labelWidth - valueWidth;
  const max = niceCeiling(Math.max(0, ...spec.bars.map((b) => Math.max(b.value, b.target ?? 0))));
  const x = (v: number) => labelWidth + (Math.max(v, 0) / max) * plot;
  const rows = spec.bars.map((bar) => {
    const lines = wrapText(bar.label, LABEL_SIZE, labelWidth - 12);
    return { bar, lines, height: Math.max(24, lines.length * 15 + 9) };
  });
  const height = top + (rows.length ? rows.reduce((sum, r) => sum + r.height, 0) : 24) + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeMarkup(spec.title)}" ${FONT} font-size="${LABEL_SIZE}">`,
    title(spec),
  ];
  if (rows.length === 0) parts.push(`<text x="${f(labelWidth)}" y="${top + 16}" fill="#6b6b6b">${escapeMarkup(spec.noData)}</text>`);
  let y = top;
  for (const { bar, lines, height: rowHeight } of rows) {
    const middle = y + rowHeight / 2;
    const firstLine = middle - ((lines.length - 1) * 15) / 2 + 4;
    parts.push(
      `<text class="bar-label" x="${f(labelWidth - 6)}" y="${f(firstLine)}" text-anchor="end">${lines.map((line, i) => `<tspan x="${f(labelWidth - 6)}" dy="${i === 0 ? 0 : 15}">${escapeMarkup(line)}</tspan>`).join('')}</text>`,
      `<rect x="${f(labelWidth)}" y="${f(middle - 8)}" width="${f(x(bar.value) - labelWidth)}" height="16" fill="${COLORS[0]}"/>`,
    );
    if (bar.target) parts.push(`<line x1="${f(x(bar.target))}" y1="${f(middle - 11)}" x2="${f(x(bar.target))}" y2="${f(middle + 11)}" stroke="${COLORS[3]}" stroke-width="2"/>`);
    // After the bar and after its target mark, so the mark never crosses the number.
    parts.push(`<text class="bar-value" x="${f(Math.max(x(bar.value), bar.target ? x(bar.target) : 0) + 4)}" y="${f(middle + 4)}" fill="#333">${valueLabel(bar)}</text>`);
    y += rowHeight;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Legend entries packed left to right into rows no wider than the chart: [x, row] of each. */
function legendLayout(names: readonly string[], width: number): { places: Array<[number, number]>; rows: number } {
  const places: Array<[number, number]> = [];
  let [x, row] = [0, 0];
  for (const name of names) {
    const entry = 16 + textWidth(name, LEGEND_SIZE) + 18;
    if (x > 0 && x + entry > width) [x, row] = [0, row + 1];
    places.push([x, row]);
    x += entry;
  }
  return { places, rows: names.length ? row + 1 : 0 };
}

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 640;
  const [left, right, top, bottom] = [50, 20, 34, 30];
  const legend = legendLayout(spec.series.map((s) => s.name), width - left);
  const plotBottom = (spec.height ?? 240) - bottom;
  const height = plotBottom + bottom + legend.rows * 18;
  const plotW = width - left - right;
  const plotH = plotBottom - top;
  const max = niceCeiling(Math.max(0, ...spec.series.flatMap((s) => s.values)));
  const n = spec.xLabels.length;
  const x = (i: number) => left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2);
  const y = (v: number) => top + plotH - (Math.max(v, 0) / max) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeMarkup(spec.title)}" ${FONT} font-size="${LEGEND_SIZE}">`,
    title(spec),
  ];
  for (const tick of [0, 0.5, 1]) {
    parts.push(
      `<line x1="${left}" y1="${f(y(tick * max))}" x2="${width - right}" y2="${f(y(tick * max))}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${f(y(tick * max) + 4)}" text-anchor="end" fill="#555">${formatValue(tick * max)}</text>`,
    );
  }
  spec.xLabels.forEach((label, i) => parts.push(`<text x="${f(x(i))}" y="${plotBottom + 16}" text-anchor="middle" fill="#555">${escapeMarkup(label)}</text>`));
  spec.series.forEach((series, s) => {
    const color = COLORS[s % COLORS.length];
    const points = series.values.map((v, i) => `${f(x(i))},${f(y(v))}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"/>`);
    series.values.forEach((v, i) => parts.push(`<circle cx="${f(x(i))}" cy="${f(y(v))}" r="3" fill="${color}"/>`));
    const [lx, row] = legend.places[s]!;
    const ly = plotBottom + bottom + row * 18;
    parts.push(
      `<g class="legend-entry"><rect x="${f(left + lx)}" y="${ly}" width="12" height="12" fill="${color}"/>`
      + `<text x="${f(left + lx + 16)}" y="${ly + 10}">${escapeMarkup(series.name)}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
