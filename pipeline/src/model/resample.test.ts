import { describe, expect, it } from 'vitest';
import { gridForExtent, regrid, type Grid } from './grid.js';
import { resampleBand } from './resample.js';

const grid = (width: number, height: number, gsd: number, x0 = 1000, y0 = 2000): Grid => ({ width, height, geoTransform: [x0, gsd, 0, y0, 0, -gsd] });

describe('resampleBand', () => {
  it('averages by area when going coarser (0.1 m -> 0.5 m)', () => {
    const src = grid(10, 10, 0.1);
    const data = Float32Array.from({ length: 100 }, (_, i) => i % 10); // value = column
    const out = resampleBand({ grid: src, data }, grid(2, 2, 0.5));
    expect(Array.from(out.data)).toEqual([2, 7, 2, 7]);
    expect(Array.from(out.valid)).toEqual([1, 1, 1, 1]);
  });

  it('weights partial overlaps (0.2 m -> 0.5 m) and keeps the mean', () => {
    const src = grid(5, 5, 0.2);
    const data = Float32Array.from({ length: 25 }, (_, i) => (i % 5) * 2);
    const out = resampleBand({ grid: src, data }, grid(2, 2, 0.5));
    // Column 0 covers source columns 0, 1 and half of 2: (0*1 + 2*1 + 4*0.5) / 2.5 = 1.6
    expect(out.data[0]).toBeCloseTo(1.6, 5);
    expect(out.data[1]).toBeCloseTo((4 * 0.5 + 6 + 8) / 2.5, 5);
  });

  it('leaves nodata out of averages and marks cells mostly missing', () => {
    const src = grid(4, 2, 0.25);
    const data = Float32Array.from([1, -9999, 5, -9999, 3, -9999, -9999, -9999]);
    const out = resampleBand({ grid: src, data, nodata: -9999 }, grid(2, 1, 0.5));
    expect(out.data[0]).toBeCloseTo(2); // (1 + 3) / 2, half the cell valid
    expect(out.valid[0]).toBe(1);
    expect(out.valid[1]).toBe(0); // a quarter valid: under the default half
  });

  it('round-trips a smooth field up and down within a small error', () => {
    const src = grid(64, 64, 0.5);
    const data = Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin((i % 64) / 9) * 3 + Math.cos(Math.floor(i / 64) / 7) * 2);
    const fine = resampleBand({ grid: src, data }, regrid(src, 0.25));
    const back = resampleBand({ grid: regrid(src, 0.25), data: fine.data }, src);
    let worst = 0;
    for (let r = 2; r < 62; r++) for (let c = 2; c < 62; c++) worst = Math.max(worst, Math.abs(back.data[r * 64 + c]! - data[r * 64 + c]!));
    expect(worst).toBeLessThan(0.02);
  });

  it('marks destination cells outside the source as missing', () => {
    const out = resampleBand({ grid: grid(4, 4, 0.5), data: new Float32Array(16).fill(7) }, grid(4, 4, 0.5, 1001));
    expect(Array.from(out.valid)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
    expect(out.data[0]).toBe(7);
  });

  it('samples nearest when asked', () => {
    const out = resampleBand({ grid: grid(2, 1, 1), data: [3, 9] }, grid(4, 1, 0.5), { method: 'nearest' });
    expect(Array.from(out.data)).toEqual([3, 3, 9, 9]);
  });

  it('grids an extent to whole pixels', () => {
    expect(gridForExtent([0, 0, 200, 200], 0.5)).toMatchObject({ width: 400, height: 400 });
    expect(regrid(grid(2000, 2000, 0.1), 0.5)).toMatchObject({ width: 400, height: 400 });
  });

  it('refuses rotated rasters', () => {
    expect(() => resampleBand({ grid: { width: 2, height: 2, geoTransform: [0, 1, 0.1, 0, 0, -1] }, data: [1, 2, 3, 4] }, grid(1, 1, 2))).toThrow(/north-up/);
  });
});
