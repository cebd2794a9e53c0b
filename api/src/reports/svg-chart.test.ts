/** Golden files: the expected SVG lives in golden/; regenerate on purpose with `npx vitest run -u` and review the diff. */
import { describe, expect, it } from 'vitest';
import { barChart, lineChart, niceCeiling } from './svg-chart.js';

describe('the SVG charts', () => {
  it('draws a bar per street with its quota mark', async () => {
    const svg = barChart({
      title: '年度累计拆除与指标 Demolished this year against quota', unit: 'm²',
      bars: [{ label: '华新镇', value: 1500, target: 10000 }, { label: '花木街道', value: 510, target: 2000 }, { label: 'A&B <村>', value: 0 }],
    });
    await expect(svg).toMatchFileSnapshot('./golden/bar-chart.svg');
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg.match(/<line /g)).toHaveLength(2);
    expect(svg).toContain('A&amp;B &lt;村&gt;');
  });

  it('draws an 8-week trend line per series', async () => {
    const svg = lineChart({
      title: '近8周趋势 Trend over the last 8 weeks', unit: '宗 count',
      xLabels: ['W40', 'W41', 'W42', 'W43', 'W44', 'W45', 'W46', 'W47'],
      series: [{ name: '新增 New', values: [0, 2, 5, 3, 0, 1, 3, 0] }, { name: '拆除 Demolished', values: [1, 0, 0, 1, 2, 0, 0, 2] }],
    });
    await expect(svg).toMatchFileSnapshot('./golden/line-chart.svg');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(16);
  });

  it('says so when there are no bars, and scales an all-zero trend', () => {
    expect(barChart({ title: 'x', unit: 'm²', bars: [] })).toContain('无数据 No data');
    expect(lineChart({ title: 'x', unit: '宗', xLabels: ['W1'], series: [{ name: 'a', values: [0] }] })).not.toContain('NaN');
  });

  it('ends axes on round numbers', () => {
    expect([0, 0.3, 1, 7, 10, 11, 1500, 10000, 12001].map(niceCeiling)).toEqual([1, 0.5, 1, 10, 10, 20, 2000, 10000, 20000]);
  });
});
