/** Golden files: the expected SVG lives in golden/; regenerate on purpose with `npx vitest run -u` and review the diff. */
import { describe, expect, it } from 'vitest';
import { barChart, lineChart, niceCeiling, wrapText } from './svg-chart.js';
import { textWidth } from './text-width.js';

describe('the SVG charts', () => {
  it('draws a bar per street with its quota mark', async () => {
    const svg = barChart({
      title: '年度累计拆除与指标', unit: 'm²', noData: '无数据',
      bars: [{ label: '华新镇', value: 1500, target: 10000 }, { label: '花木街道', value: 510, target: 2000 }, { label: 'A&B <村>', value: 0 }],
    });
    await expect(svg).toMatchFileSnapshot('./golden/bar-chart.svg');
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg.match(/<line /g)).toHaveLength(2);
    expect(svg).toContain('A&amp;B &lt;村&gt;');
  });

  it('gives a long street name a second line inside the chart instead of cutting it', () => {
    const name = '浦东新区高行镇东沟社区居民委员会第一网格第二片区';
    const svg = barChart({ title: '新增', unit: '宗', noData: '无数据', width: 480, bars: [{ label: name, value: 3 }, { label: '华新镇', value: 1 }] });
    const lines = [...svg.matchAll(/<tspan x="([\d.]+)"[^>]*>([^<]*)<\/tspan>/g)].map((m) => ({ right: Number(m[1]), text: m[2]! }));
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.filter((l) => l.text !== '华新镇').map((l) => l.text).join('')).toBe(name);
    for (const line of lines) expect(line.right - textWidth(line.text, 12)).toBeGreaterThanOrEqual(0);
  });

  it('draws an 8-week trend line per series, the legend packed into rows', async () => {
    const svg = lineChart({
      title: '近8周趋势', unit: '宗',
      xLabels: ['W40', 'W41', 'W42', 'W43', 'W44', 'W45', 'W46', 'W47'],
      series: [{ name: '新增疑似违建图斑', values: [0, 2, 5, 3, 0, 1, 3, 0] }, { name: '已拆除', values: [1, 0, 0, 1, 2, 0, 0, 2] }],
    });
    await expect(svg).toMatchFileSnapshot('./golden/line-chart.svg');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(16);
    // Long names on a narrow chart: every entry starts after the one before ends, or on a new row.
    const narrow = lineChart({ title: 't', unit: '宗', width: 300, xLabels: ['W1'], series: ['New candidates', 'Verified', 'Demolished', 'Register reduction'].map((name) => ({ name, values: [1] })) });
    const entries = [...narrow.matchAll(/<g class="legend-entry"><rect x="([\d.]+)" y="(\d+)"[^>]*\/><text[^>]*>([^<]*)</g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), name: m[3]! }));
    expect(new Set(entries.map((e) => e.y)).size).toBeGreaterThan(1);
    for (const [a, b] of entries.slice(0, -1).map((e, i) => [e, entries[i + 1]!] as const)) {
      if (a.y === b.y) expect(b.x).toBeGreaterThanOrEqual(a.x + 16 + textWidth(a.name, 11));
    }
    for (const e of entries) expect(e.x + 16 + textWidth(e.name, 11)).toBeLessThanOrEqual(300);
  });

  it('says so when there are no bars, and scales an all-zero trend', () => {
    expect(barChart({ title: 'x', unit: 'm²', noData: '无数据', bars: [] })).toContain('无数据');
    expect(lineChart({ title: 'x', unit: '宗', xLabels: ['W1'], series: [{ name: 'a', values: [0] }] })).not.toContain('NaN');
  });

  it('ends axes on round numbers and wraps text at spaces or between CJK characters', () => {
    expect([0, 0.3, 1, 7, 10, 11, 1500, 10000, 12001].map(niceCeiling)).toEqual([1, 0.5, 1, 10, 10, 20, 2000, 10000, 20000]);
    expect(wrapText('Register reduction of stock', 11, 80)).toEqual(['Register', 'reduction of', 'stock']);
    expect(wrapText('东沟社区居民委员会', 10, 40)).toEqual(['东沟社区', '居民委员', '会']);
  });
});
