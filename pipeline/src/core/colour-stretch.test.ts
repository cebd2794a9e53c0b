import { describe, expect, it } from 'vitest';
import { stretchMaximum } from './colour-stretch.js';

describe('stretchMaximum', () => {
  // 12-bit camera values in a 16-bit file: 0..4095, red a little brighter than blue.
  const n = 10_000;
  const red = Array.from({ length: n }, (_, i) => (i * 37) % 4096);
  const green = Array.from({ length: n }, (_, i) => ((i * 53) % 4096) * 0.9);
  const blue = Array.from({ length: n }, (_, i) => ((i * 71) % 4096) * 0.8);
  const valid = new Array<number>(n).fill(1);

  it('takes one top for all bands, near the brightest band\'s top', () => {
    const top = stretchMaximum([red, green, blue], valid);
    expect(top).toBeGreaterThan(4000);
    expect(top).toBeLessThanOrEqual(4095);
  });

  it('is not moved by a few saturated pixels, nor by pixels outside the imagery', () => {
    const top = stretchMaximum([red, green, blue], valid);
    const glinting = red.slice();
    for (let i = 0; i < 5; i++) glinting[i * 997] = 65535;
    expect(Math.abs(stretchMaximum([glinting, green, blue], valid) - top)).toBeLessThan(10); // bare min-max: 65535
    const collar = valid.slice();
    const bright = blue.slice();
    for (let i = 0; i < 2000; i++) {
      collar[i] = 0;
      bright[i] = 65535;
    }
    expect(stretchMaximum([red, green, bright], collar)).toBeLessThanOrEqual(4095);
  });

  it('gives at least 1 for an empty or black image', () => {
    expect(stretchMaximum([[0, 0]], [1, 1])).toBe(1);
    expect(stretchMaximum([[5, 6]], [0, 0])).toBe(1);
  });
});
