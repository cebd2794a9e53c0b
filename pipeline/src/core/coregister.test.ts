import { describe, expect, it } from 'vitest';
import { combineShifts, estimateShift, gradientMagnitude } from './coregister.js';
import { fft1d } from './fft.js';

/** A village-like test image: bright rectangles (roofs) on textured ground, seeded. */
function scene(size: number, shiftX: number, shiftY: number, seed = 1): Float32Array {
  let state = seed;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const roofs = Array.from({ length: 40 }, () => ({ x: random() * size, y: random() * size, w: 8 + random() * 30, h: 8 + random() * 30, v: 80 + random() * 150 }));
  const image = new Float32Array(size * size);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      // Sample the continuous scene at (x - shift): content moves by +shift.
      const sx = x - shiftX;
      const sy = y - shiftY;
      let v = 40 + 10 * Math.sin(sx * 0.3) * Math.cos(sy * 0.23);
      for (const r of roofs) {
        const inside = Math.min(sx - r.x, r.x + r.w - sx, sy - r.y, r.y + r.h - sy);
        if (inside > 0) v = r.v * Math.min(1, inside); // soft edges give sub-pixel information
      }
      image[y * size + x] = v;
    }
  }
  return image;
}

describe('fft1d', () => {
  it('round-trips and matches a direct DFT', () => {
    const re = Float64Array.from([1, 2, 3, 4, 0, -1, 0.5, 2]);
    const im = new Float64Array(8);
    const copy = Float64Array.from(re);
    fft1d(re, im);
    const k = 3;
    let dRe = 0;
    let dIm = 0;
    copy.forEach((v, n) => {
      dRe += v * Math.cos((-2 * Math.PI * k * n) / 8);
      dIm += v * Math.sin((-2 * Math.PI * k * n) / 8);
    });
    expect(re[k]).toBeCloseTo(dRe, 10);
    expect(im[k]).toBeCloseTo(dIm, 10);
    fft1d(re, im, true);
    for (let i = 0; i < 8; i += 1) expect(re[i]).toBeCloseTo(copy[i]!, 10);
  });
});

describe('estimateShift', () => {
  it.each([
    [0, 0],
    [3, -2],
    [-5.5, 1.25],
    [6, 6],
    [2.5, -0.75],
    [0.3, 0.6],
  ])('finds a drift of (%f, %f) px to within 0.25 px', (dx, dy) => {
    const estimate = estimateShift(scene(128, 0, 0), scene(128, dx, dy), 128, { maxShiftPx: 10 });
    expect(estimate.dx).toBeCloseTo(dx, 0);
    expect(Math.abs(estimate.dx - dx)).toBeLessThan(0.25);
    expect(Math.abs(estimate.dy - dy)).toBeLessThan(0.25);
    expect(estimate.peak).toBeGreaterThan(0.2);
  });

  it('ignores a brightness and contrast change between dates', () => {
    const moved = scene(128, 4, -3).map((v) => 0.6 * v + 35);
    const estimate = estimateShift(scene(128, 0, 0), moved, 128);
    expect(Math.abs(estimate.dx - 4)).toBeLessThan(0.25);
    expect(Math.abs(estimate.dy + 3)).toBeLessThan(0.25);
  });

  it('reports a low peak when the images do not match', () => {
    expect(estimateShift(scene(64, 0, 0, 1), scene(64, 0, 0, 99), 64).peak).toBeLessThan(0.2);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => estimateShift(new Float32Array(100), new Float32Array(100), 10)).toThrow('power of two');
  });
});

describe('combineShifts', () => {
  it('takes the median of reliable windows so one changed window cannot drag it', () => {
    const combined = combineShifts([
      { dx: 3, dy: 1, peak: 0.5 },
      { dx: 3.2, dy: 1.1, peak: 0.4 },
      { dx: 14, dy: -9, peak: 0.3 },
      { dx: 40, dy: 40, peak: 0.01 },
    ]);
    expect(combined).toEqual({ dx: 3.2, dy: 1, peak: 0.4 });
  });
  it('returns null when no window is reliable', () => {
    expect(combineShifts([{ dx: 1, dy: 1, peak: 0.01 }])).toBeNull();
  });
});

describe('gradientMagnitude', () => {
  it('is zero on flat ground and strong on a roof edge, and ignores missing pixels', () => {
    const image = new Float32Array(8 * 8).map((_, i) => (i % 8 >= 4 ? 100 : 0));
    image[0] = Number.NaN;
    const g = gradientMagnitude(image, 8, 8);
    expect(g[2 * 8 + 1]).toBe(0);
    expect(g[2 * 8 + 4]).toBe(400);
    expect(g[1 * 8 + 1]).toBe(0);
  });
});
