import { describe, expect, it } from 'vitest';
import { rasteriseBaseline } from './baseline-raster.js';
import type { Grid } from './grid.js';
import { polygonArea, polygonLabels, polygonMask } from './polygon-fill.js';

const grid: Grid = { width: 100, height: 100, geoTransform: [500, 0.5, 0, 800, 0, -0.5] };

describe('polygon fill', () => {
  it('covers pixels whose centre is inside, so pixel area approaches polygon area', () => {
    // A rotated 10 m x 6 m rectangle.
    const a = 0.4;
    const corner = (x: number, y: number) => [520 + x * Math.cos(a) - y * Math.sin(a), 770 + x * Math.sin(a) + y * Math.cos(a)];
    const rings = [[corner(0, 0), corner(10, 0), corner(10, 6), corner(0, 6), corner(0, 0)]];
    const mask = polygonMask(grid, [rings]);
    const area = mask.reduce((s, v) => s + v, 0) * 0.25;
    expect(polygonArea(rings)).toBeCloseTo(60, 6);
    expect(Math.abs(area - 60)).toBeLessThan(2.5);
  });

  it('cuts holes and clips at the grid edge', () => {
    const outer = [
      [490, 790],
      [510, 790],
      [510, 810],
      [490, 810],
    ];
    const hole = [
      [502, 792],
      [504, 792],
      [504, 794],
      [502, 794],
    ];
    const mask = polygonMask(grid, [[outer, hole]]);
    // Inside the grid the square covers x 500..510, y 790..800: 20 x 20 pixels, minus the 4 x 4 hole.
    expect(mask.reduce((s, v) => s + v, 0)).toBe(400 - 16);
    expect(polygonArea([outer, hole])).toBe(400 - 4);
  });

  it('labels polygons in order', () => {
    const sq = (x: number, y: number) => [
      [
        [x, y],
        [x + 2, y],
        [x + 2, y + 2],
        [x, y + 2],
      ],
    ];
    const labels = polygonLabels(grid, [sq(510, 780), sq(520, 780)]);
    expect(labels[39 * 100 + 21]).toBe(1);
    expect(labels[39 * 100 + 41]).toBe(2);
    expect(labels[0]).toBe(0);
  });
});

describe('rasteriseBaseline', () => {
  it('draws footprints with the tallest height where buildings overlap', () => {
    const box = (x0: number, x1: number, h: number) => ({
      rings: [
        [
          [x0, 780],
          [x1, 780],
          [x1, 790],
          [x0, 790],
        ],
      ],
      heightM: h,
    });
    const b = rasteriseBaseline([box(510, 520, 6), box(515, 525, 9), box(530, 535, NaN)], grid);
    const at = (x: number, y: number) => Math.floor((800 - y) / 0.5) * 100 + Math.floor((x - 500) / 0.5);
    expect(b.height[at(512, 785)]).toBe(6);
    expect(b.height[at(517, 785)]).toBe(9);
    expect(b.footprint[at(532, 785)]).toBe(1);
    expect(b.height[at(532, 785)]).toBe(0);
    expect(b.footprint[at(540, 785)]).toBe(0);
  });
});
