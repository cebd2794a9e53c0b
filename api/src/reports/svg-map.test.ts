/** The printable map: an honest scale bar, a north arrow beside the drawing, markers and labels where the coordinates say. */
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { niceFloor, svgMap } from './svg-map.js';
import { textWidth } from './text-width.js';

const box = (w: number, s: number, e: number, n: number): Polygon => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
/** Great-circle distance in metres (mean Earth radius). */
function metresBetween([lon1, lat1]: [number, number], [lon2, lat2]: [number, number]): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}

describe('svgMap', () => {
  const village = box(121.40, 31.20, 121.41, 31.205);
  const svg = svgMap({
    frame: village, north: '北', ariaLabel: '地图', width: 560,
    shapes: [{ geometry: village, fill: '#eee', stroke: '#111', label: '测试村' }],
    markers: [{ at: [121.4, 31.205], label: '1', colour: '#b91c1c' }],
  });
  const numbers = (pattern: RegExp) => pattern.exec(svg)!.slice(1).map(Number);

  it('draws a scale bar whose length on the map is the distance it names', () => {
    const [x0, y0, x1, y1] = numbers(/M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)L/); // the village's south edge, west to east
    expect(y0).toBe(y1);
    const pxPerMetre = (x1! - x0!) / metresBetween([121.40, 31.20], [121.41, 31.20]);
    const [half] = numbers(/<g class="scale-bar"><rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/);
    const [label] = numbers(/text-anchor="middle" fill="#111827">(\d+) m<\/text><\/g>/);
    expect(label).toBe(200);
    expect((2 * half!) / pxPerMetre).toBeGreaterThan(label! * 0.995);
    expect((2 * half!) / pxPerMetre).toBeLessThan(label! * 1.005);
  });

  it('puts the north arrow beside the drawing, a marker on its point, the label inside the shape', () => {
    const [, , x1] = numbers(/M([\d.]+) ([\d.]+)L([\d.]+) /);
    const [arrowTip] = numbers(/<g class="north-arrow"><circle cx="[\d.]+" cy="[\d.]+" r="13"[^>]*\/><path d="M([\d.]+) /);
    expect(arrowTip! - 13).toBeGreaterThan(x1!);
    expect(svg).toMatch(/>北<\/text><\/g><\/svg>$/);
    const [mx, my] = numbers(/<g class="map-marker"><circle cx="([\d.]+)" cy="([\d.]+)"/);
    const [wx, ny] = numbers(/M([\d.]+) [\d.]+L[\d.]+ [\d.]+L[\d.]+ ([\d.]+)/); // west x, north y
    expect([mx, my]).toEqual([wx, ny]);
    expect(svg).toContain('>测试村</text>');
  });

  it('rounds scale lengths down to 1, 2 or 5 times a power of ten', () => {
    expect([0.7, 1, 3, 19, 260, 999, 4_100, 12_000].map(niceFloor)).toEqual([0.5, 1, 2, 10, 200, 500, 2000, 10000]);
  });
});

describe('svgMap with crowded markers and names at the edge', () => {
  it('moves markers apart with a leader to their point, and keeps an edge label whole inside the drawing', () => {
    const area = box(121.40, 31.20, 121.41, 31.205);
    const svg = svgMap({
      frame: area, north: 'N', ariaLabel: 'map', width: 400,
      shapes: [{ geometry: area, fill: '#eee', stroke: '#111', label: 'A very long village name at the edge', labelAt: [121.40, 31.2025] }],
      markers: [1, 2, 3, 4].map((n) => ({ at: [121.405, 31.2025] as [number, number], label: String(n), colour: '#b91c1c' })),
    });
    const centres = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="8"/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(centres).toHaveLength(4);
    centres.forEach(([x, y], i) => centres.slice(i + 1).forEach(([ox, oy]) => expect(Math.hypot(x - ox, y - oy)).toBeGreaterThanOrEqual(18)));
    expect(svg.match(/<line /g)).toHaveLength(3); // the first marker sits on its point
    const [labelX] = [...svg.matchAll(/class="map-label" x="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(labelX! - textWidth('A very long village name at the edge', 12) / 2).toBeGreaterThanOrEqual(0);
  });
});
