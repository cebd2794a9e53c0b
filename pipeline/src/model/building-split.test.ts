import { describe, expect, it } from 'vitest';
import { rasteriseBaseline } from './baseline-raster.js';
import { splitByBuilding } from './building-split.js';
import { changeObjects } from './change-objects.js';

const W = 30;
const H = 20;
// 0.5 m pixels.
const grid = { width: W, height: H, geoTransform: [0, 0.5, 0, 10, 0, -0.5] as const };

function box(values: Float32Array, row0: number, col0: number, rows: number, cols: number, value: number): Float32Array {
  for (let r = row0; r < row0 + rows; r++) for (let c = col0; c < col0 + cols; c++) values[r * W + c] = value;
  return values;
}

/** A building's outline over pixel columns c0..c1 and rows r0..r1 (exclusive ends), in map units. */
const outline = (c0: number, r0: number, c1: number, r1: number) => ({
  rings: [[[c0 * 0.5, 10 - r0 * 0.5], [c1 * 0.5, 10 - r0 * 0.5], [c1 * 0.5, 10 - r1 * 0.5], [c0 * 0.5, 10 - r1 * 0.5], [c0 * 0.5, 10 - r0 * 0.5]]],
  heightM: 6,
});

// Two houses, columns 2-11 and 15-24, with a three-pixel alley between them (columns 12-14).
const houses = rasteriseBaseline([outline(2, 4, 12, 14), outline(15, 4, 25, 14)], grid);
const objects = (prob: Float32Array) => changeObjects(prob, grid, { threshold: 0.5, minAreaM2: 0 }).objects.map((o) => o.pixels);

describe('splitByBuilding', () => {
  it('numbers the buildings in the baseline raster', () => {
    expect(houses.building![5 * W + 3]).toBe(1);
    expect(houses.building![5 * W + 20]).toBe(2);
    expect(houses.building![5 * W + 13]).toBe(0);
  });

  it('cuts a detection over two houses and the alley between them into one per house', () => {
    const prob = box(new Float32Array(W * H), 4, 2, 10, 23, 0.9); // both roofs and the alley lit
    expect(objects(Float32Array.from(prob))).toEqual([230]);
    expect(splitByBuilding(prob, grid, houses.building!, 0.5)).toBe(1);
    // The alley's middle column, as near to either house, goes to the first; the column next to
    // the second house becomes the seam (10 px under the threshold): 12 + 10 columns remain.
    expect(objects(prob).sort((a, b) => a - b)).toEqual([100, 120]);
    expect(prob[8 * W + 14]).toBeCloseTo(0.45, 6);
    expect(prob[8 * W + 5]).toBeCloseTo(0.9, 6);
  });

  it('does not count a building the detection only grazes (a roof edge out of register)', () => {
    const prob = box(new Float32Array(W * H), 4, 12, 10, 3, 0.9); // a lean-to filling the alley
    box(prob, 4, 11, 10, 1, 0.9); // and 10 px (2.5 m²) of the first house's edge
    box(prob, 4, 15, 10, 2, 0.9); // and 20 px (5 m²) of the second's
    const before = Float32Array.from(prob);
    expect(splitByBuilding(prob, grid, houses.building!, 0.5)).toBe(0);
    expect(prob).toEqual(before);
    expect(splitByBuilding(prob, grid, houses.building!, 0.5, 2)).toBe(1);
  });

  it('leaves detections over one building or none, and pixels under the threshold, as they are', () => {
    const prob = new Float32Array(W * H);
    box(prob, 4, 2, 10, 13, 0.9); // one house and its extension into the alley
    box(prob, 16, 2, 3, 20, 0.8); // a new shed in the yard, on no building
    box(prob, 4, 16, 10, 9, 0.3); // a weak answer on the other house
    const before = Float32Array.from(prob);
    expect(splitByBuilding(prob, grid, houses.building!, 0.5)).toBe(0);
    expect(prob).toEqual(before);
  });
});
