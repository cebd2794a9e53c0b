import { describe, expect, it } from 'vitest';
import { BlendAccumulator, blendWeights, chipLayout, chipOffsets, fittedChip } from './tiling.js';

describe('chip layout', () => {
  it('covers the raster with overlapping chips, the last flush with the edge', () => {
    expect(chipOffsets(256, 256, 48)).toEqual([0]);
    expect(chipOffsets(100, 256, 48)).toEqual([0]);
    expect(chipOffsets(600, 256, 48)).toEqual([0, 208, 344]);
    const layout = chipLayout(600, 300, 256, 48);
    expect(layout).toHaveLength(6);
    expect(layout.at(-1)).toEqual({ col0: 344, row0: 44 });
  });

  it('refuses an overlap as large as the chip', () => {
    expect(() => chipOffsets(600, 64, 64)).toThrow(/overlap/);
  });
});

describe('blending', () => {
  it('ramps weights at chip edges and never reaches zero', () => {
    const w = blendWeights(16, 4);
    expect(w[0]).toBeCloseTo(0.125);
    expect(w[7]).toBe(1);
    expect(Math.min(...w)).toBeGreaterThan(0);
  });

  it('reproduces a constant exactly and blends two values smoothly across a seam', () => {
    const chip = 16;
    const acc = new BlendAccumulator(28, 16, 2, chip, 4);
    const layout = chipLayout(28, 16, chip, 4);
    expect(layout).toEqual([
      { col0: 0, row0: 0 },
      { col0: 12, row0: 0 },
    ]);
    const out = (v: number) => new Float32Array(2 * chip * chip).fill(v);
    acc.add(out(0.2), 0, layout[0]!);
    acc.add(out(0.6), 0, layout[1]!);
    const [a] = acc.finish();
    const row = Array.from(a!.subarray(5 * 28, 6 * 28));
    expect(row[0]).toBeCloseTo(0.2);
    expect(row[27]).toBeCloseTo(0.6);
    // Monotone hand-over within the 4-pixel overlap, no jumps larger than the ramp allows.
    for (let c = 1; c < 28; c++) expect(row[c]! - row[c - 1]!).toBeGreaterThanOrEqual(-1e-6);
    for (let c = 1; c < 28; c++) expect(row[c]! - row[c - 1]!).toBeLessThan(0.2);
  });
});

describe('fittedChip', () => {
  it('keeps the model chip for rasters at least that large', () => {
    expect(fittedChip(256, 256, 256, 16)).toBe(256);
    expect(fittedChip(4000, 300, 256, 16)).toBe(256);
  });

  it('fits a smaller raster: its longer side rounded up to the stride', () => {
    expect(fittedChip(128, 128, 256, 16)).toBe(128);
    expect(fittedChip(214, 200, 256, 16)).toBe(224);
    expect(fittedChip(1, 1, 256, 16)).toBe(16);
  });
});
