/**
 * Two small charts drawn as inline SVG (no chart library, nothing fetched): a line chart of
 * series over labelled steps (the weekly trend) and a grouped bar chart of series per category
 * (figures per street). Each series has a name and colour; the legend is part of the SVG so a
 * screenshot or a print carries it.
 */
export interface Series { name: string; colour: string; values: number[] }

const NS = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 240;
const PAD = { left: 40, right: 12, top: 26, bottom: 44 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A round upper bound for the axis (1, 2, 5 × 10^n), at least 1 so an all-zero chart has an axis. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

/** The frame: y axis with gridlines at quarters of `max`, the legend along the top. */
function frame(title: string, max: number, series: Series[]): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: '100%', role: 'img', class: 'chart' });
  root.append(svg('title', {}, title));
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + plotHeight - (plotHeight * i) / 4;
    root.append(svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, stroke: '#dde1e6' }),
      svg('text', { x: PAD.left - 4, y: y + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#6b7580' }, String(Math.round((max * i) / 4 * 100) / 100)));
  }
  let x = PAD.left;
  for (const s of series) {
    root.append(svg('rect', { x, y: 6, width: 10, height: 10, fill: s.colour }), svg('text', { x: x + 14, y: 15, 'font-size': 11, fill: '#1d2329' }, s.name));
    // Room for the name: CJK characters are about a full em wide at 11 px.
    x += 24 + [...s.name].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 11.5 : 6.5), 0);
  }
  return root;
}

const yOf = (value: number, max: number) => PAD.top + (HEIGHT - PAD.top - PAD.bottom) * (1 - value / max);

/** Lines (with dots) of each series over `labels`, oldest first. */
export function lineChart(title: string, labels: string[], series: Series[]): SVGSVGElement {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const root = frame(title, max, series);
  const step = labels.length > 1 ? (WIDTH - PAD.left - PAD.right) / (labels.length - 1) : 0;
  const xOf = (i: number) => PAD.left + (labels.length > 1 ? i * step : (WIDTH - PAD.left - PAD.right) / 2);
  labels.forEach((label, i) => root.append(svg('text', { x: xOf(i), y: HEIGHT - PAD.bottom + 16, 'text-anchor': 'middle', 'font-size': 10, fill: '#6b7580' }, label)));
  for (const s of series) {
    const points = s.values.map((v, i) => `${xOf(i)},${yOf(v, max)}`).join(' ');
    root.append(svg('polyline', { points, fill: 'none', stroke: s.colour, 'stroke-width': 2, 'data-series': s.name }));
    s.values.forEach((v, i) => root.append(svg('circle', { cx: xOf(i), cy: yOf(v, max), r: 3, fill: s.colour }, undefined)));
  }
  return root;
}

/** Bars of each series side by side within each category. */
export function barChart(title: string, categories: string[], series: Series[]): SVGSVGElement {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const root = frame(title, max, series);
  const slot = (WIDTH - PAD.left - PAD.right) / Math.max(1, categories.length);
  const bar = Math.min(24, (slot * 0.8) / Math.max(1, series.length));
  categories.forEach((category, c) => {
    const left = PAD.left + c * slot + (slot - bar * series.length) / 2;
    series.forEach((s, i) => {
      const value = s.values[c] ?? 0;
      const y = yOf(value, max);
      root.append(svg('rect', { x: left + i * bar, y, width: bar - 2, height: Math.max(0, HEIGHT - PAD.bottom - y), fill: s.colour, 'data-value': value }));
    });
    root.append(svg('text', { x: PAD.left + c * slot + slot / 2, y: HEIGHT - PAD.bottom + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#1d2329' }, category));
  });
  return root;
}
