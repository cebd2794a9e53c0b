import { describe, expect, it } from 'vitest';
import type { Grid } from './grid.js';
import { estimateGround, heightAboveGround, pushPullFill } from './ground.js';
import { slidingExtremum } from './sliding-extremum.js';

const gsd = 0.5;
const size = 240; // 120 m
const grid: Grid = { width: size, height: size, geoTransform: [0, gsd, 0, size * gsd, 0, -gsd] };

/** A gently sloping plain (3 m over 120 m) with buildings and trees on it. */
function scene() {
  const dsm = new Float32Array(size * size);
  const truth = new Float32Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const g = 4 + (c / size) * 3 + Math.sin(r / 17) * 0.1;
      truth[r * size + c] = g;
      let h = 0;
      if (r >= 20 && r < 60 && c >= 30 && c < 90) h = 9; // a 20 m x 30 m factory
      if (r >= 150 && r < 180 && c >= 150 && c < 176) h = 6; // a house
      if ((r - 100) ** 2 + (c - 200) ** 2 < 64) h = 12; // a tree
      dsm[r * size + c] = g + h + (((r * 31 + c * 17) % 7) - 3) * 0.02;
    }
  }
  return { dsm, truth };
}

describe('estimateGround', () => {
  it('recovers the terrain under buildings and trees', () => {
    const { dsm, truth } = scene();
    const valid = new Uint8Array(dsm.length).fill(1);
    const ground = estimateGround(dsm, valid, grid);
    // Inside, within a few decimetres; at the edges a sloping ground is cut by the window (here
    // 2.5% over a 30 m half-window), which the model has learnt to live with.
    let inside = 0;
    let edge = 0;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const e = Math.abs(ground[r * size + c]! - truth[r * size + c]!);
        if (r >= 60 && r < size - 60 && c >= 60 && c < size - 60) inside = Math.max(inside, e);
        else edge = Math.max(edge, e);
      }
    }
    expect(inside).toBeLessThan(0.4);
    expect(edge).toBeLessThan(1.2);
    const h = heightAboveGround(dsm, valid, ground);
    expect(h[40 * size + 60]).toBeGreaterThan(8.4);
    expect(h[165 * size + 160]).toBeGreaterThan(5.4);
  });

  it('fills holes without data from around them', () => {
    const { dsm, truth } = scene();
    const valid = new Uint8Array(dsm.length).fill(1);
    for (let r = 100; r < 200; r++) for (let c = 0; c < 100; c++) valid[r * size + c] = 0;
    const ground = estimateGround(dsm, valid, grid);
    expect(Math.abs(ground[150 * size + 50]! - truth[150 * size + 50]!)).toBeLessThan(1);
    expect(heightAboveGround(dsm, valid, ground)[150 * size + 50]).toBe(0);
  });

  it('gives a ground everywhere, even with no data at all', () => {
    const ground = estimateGround(new Float32Array(16), new Uint8Array(16), { width: 4, height: 4, geoTransform: [0, 1, 0, 4, 0, -1] });
    expect(Array.from(ground).every(Number.isFinite)).toBe(true);
  });
});

describe('window filters', () => {
  it('takes sliding minima and maxima, ignoring NaN', () => {
    const v = Float32Array.from([5, 3, NaN, 8, 1, 9]);
    expect(Array.from(slidingExtremum(v, 6, 1, 1, true))).toEqual([3, 3, 3, 1, 1, 1]);
    expect(Array.from(slidingExtremum(v, 6, 1, 1, false))).toEqual([5, 5, 8, 8, 9, 9]);
    expect(Number.isNaN(slidingExtremum(Float32Array.from([NaN, NaN]), 2, 1, 0, true)[0])).toBe(true);
  });

  it('fills gaps by push-pull', () => {
    const out = pushPullFill(Float32Array.from([1, NaN, NaN, 3]), 4, 1);
    expect(Array.from(out).every(Number.isFinite)).toBe(true);
    expect(out[0]).toBe(1);
    expect(out[3]).toBe(3);
  });
});
