import { describe, expect, it } from 'vitest';
import { changeObjects } from './change-objects.js';

describe('changeObjects', () => {
  it('finds 8-connected objects over the threshold and drops specks', () => {
    // 6 x 4, 0.5 m pixels (0.25 m² each).
    const p = Float32Array.from([
      0.9, 0.8, 0, 0, 0, 0.6,
      0, 0.7, 0, 0, 0, 0,
      0, 0, 0.95, 0, 0, 0,
      0, 0, 0, 0, 0.2, 0,
    ]);
    const grid = { width: 6, height: 4, geoTransform: [0, 0.5, 0, 2, 0, -0.5] as const };
    const { objects, labels } = changeObjects(p, grid, { threshold: 0.5, minAreaM2: 0.5 });
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({ label: 1, pixels: 4, areaM2: 1 });
    expect(objects[0]!.maxProb).toBeCloseTo(0.95, 5);
    expect(objects[0]!.bbox).toEqual({ col0: 0, row0: 0, col1: 2, row1: 2 });
    expect(labels[5]).toBe(0); // the lone 0.6 pixel is a speck under 0.5 m²
    expect(labels[14]).toBe(1);
  });
});

describe('changeObjects with an opening', () => {
  it('drops slivers narrower than the opening and keeps solid objects', () => {
    const W = 20;
    const H = 10;
    const p = new Float32Array(W * H);
    for (let r = 1; r < 9; r++) for (let c = 1; c < 7; c++) p[r * W + c] = 0.9; // 6 x 8 block
    for (let r = 1; r < 9; r++) p[r * W + 12] = 0.9; // a 1-pixel-wide rim
    const grid = { width: W, height: H, geoTransform: [0, 0.5, 0, 5, 0, -0.5] as const };
    expect(changeObjects(p, grid, { minAreaM2: 1 }).objects).toHaveLength(2);
    const opened = changeObjects(p, grid, { minAreaM2: 1, openingM: 1 });
    expect(opened.objects).toHaveLength(1);
    expect(opened.objects[0]!.pixels).toBe(48);
  });
});
