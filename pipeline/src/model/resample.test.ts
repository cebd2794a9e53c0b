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

  it('gives bit for bit what the cell-by-cell definition gives, on every kind of grid pair', () => {
    // The model was trained on inputs prepared by this code: the fast paths (row sweeps, whole-
    // number ratios, aligned grids) must not move a single bit. Reference: the plain definition.
    const src = grid(60, 50, 0.1, 1000, 2000);
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const data = Float32Array.from({ length: 60 * 50 }, () => (rand() < 0.1 ? -9999 : rand() * 40 - 5));
    const targets: Array<[string, Grid]> = [
      ['0.1 -> 0.5, aligned', grid(12, 10, 0.5, 1000, 2000)],
      ['0.1 -> 0.5, shifted 0.03 m', grid(12, 10, 0.5, 1000.03, 1999.98)],
      ['0.1 -> 0.25', grid(24, 20, 0.25, 1000, 2000)],
      ['0.1 -> 0.3, past the edge', grid(22, 18, 0.3, 999.5, 2000.4)],
      ['same grid', src],
      ['whole pixels off', grid(60, 50, 0.1, 1000.3, 1999.8)],
      ['sub-pixel off', grid(60, 50, 0.1, 1000.04, 2000)],
      ['0.1 -> 0.04', grid(100, 100, 0.04, 1000.5, 1999.5)],
    ];
    for (const [, dst] of targets) {
      const expected = referenceResample(src, data, -9999, dst);
      // typed arrays take block copies where the grids align, plain arrays the cell loop
      for (const values of [data, Array.from(data)]) {
        const out = resampleBand({ grid: src, data: values, nodata: -9999 }, dst);
        expect(out.valid).toEqual(expected.valid);
        expect(out.data).toEqual(expected.data);
      }
    }
  });

  it('refuses rotated rasters', () => {
    expect(() => resampleBand({ grid: { width: 2, height: 2, geoTransform: [0, 1, 0.1, 0, 0, -1] }, data: [1, 2, 3, 4] }, grid(1, 1, 2))).toThrow(/north-up/);
  });
});

/** resampleBand's definition, one destination cell at a time ('auto' method, default coverage). */
function referenceResample(src: Grid, data: Float32Array, nodata: number, dst: Grid): { data: Float32Array; valid: Uint8Array } {
  const [sx0, sdx, , sy0, , sdy] = src.geoTransform;
  const [dx0, ddx, , dy0, , ddy] = dst.geoTransform;
  const ok = (i: number) => data[i] === data[i] && data[i] !== nodata;
  const out = new Float32Array(dst.width * dst.height);
  const valid = new Uint8Array(dst.width * dst.height);
  const overlaps = (lo: number, step: number, n: number) => {
    const cells: Array<[number, number]> = [];
    for (let i = Math.max(0, Math.floor(lo)); i < Math.min(n, Math.ceil(lo + step)); i++) cells.push([i, Math.max(0, Math.min(lo + step, i + 1) - Math.max(lo, i))]);
    return cells;
  };
  for (let r = 0; r < dst.height; r++) {
    for (let c = 0; c < dst.width; c++) {
      let sum = 0;
      let wsum = 0;
      let least: number;
      if (ddx > sdx * 1.0001) {
        least = 0.5 * ((ddx / sdx) * (ddy / sdy));
        for (const [j, wy] of overlaps((dy0 - sy0) / sdy + r * (ddy / sdy), ddy / sdy, src.height)) {
          for (const [i, wx] of overlaps((dx0 - sx0) / sdx + c * (ddx / sdx), ddx / sdx, src.width)) {
            if (!ok(j * src.width + i)) continue;
            const w = wy * wx;
            sum += w * data[j * src.width + i]!;
            wsum += w;
          }
        }
      } else {
        least = 0.5 - 1e-9;
        const u = (dx0 + (c + 0.5) * ddx - sx0) / sdx - 0.5;
        const v = (dy0 + (r + 0.5) * ddy - sy0) / sdy - 0.5;
        if (u < -0.5 || u > src.width - 0.5 || v < -0.5 || v > src.height - 0.5) continue;
        const i = Math.floor(u);
        const j = Math.floor(v);
        const [a, b] = [Math.max(0, i), Math.min(src.width - 1, i + 1)];
        const [r0, r1] = [Math.max(0, j) * src.width, Math.min(src.height - 1, j + 1) * src.width];
        const [f, fy] = [u - i, v - j];
        for (const [k, w] of [[r0 + a, (1 - f) * (1 - fy)], [r0 + b, f * (1 - fy)], [r1 + a, (1 - f) * fy], [r1 + b, f * fy]] as const) {
          if (w > 0 && ok(k)) {
            sum += w * data[k]!;
            wsum += w;
          }
        }
      }
      if (wsum > 0 && wsum >= least) {
        out[r * dst.width + c] = sum / wsum;
        valid[r * dst.width + c] = 1;
      }
    }
  }
  return { data: out, valid };
}
