import { describe, expect, it } from 'vitest';
import { chipSources, fillChip } from './chip.js';
import type { Grid } from './grid.js';
import { loadModelSpec } from './model-spec.js';
import { prepareInputs } from './prepare.js';

const spec = loadModelSpec();
const ch = (name: string) => spec.channels.indexOf(name as (typeof spec.channels)[number]);

describe('chip building', () => {
  const grid: Grid = { width: 8, height: 8, geoTransform: [0, 0.5, 0, 4, 0, -0.5] };
  const rgb = { grid, bands: [new Uint8Array(64).fill(255), new Uint8Array(64).fill(0), new Uint8Array(64).fill(128)] as const };

  it('normalises present inputs and zeroes absent ones with their masks', () => {
    const prepared = prepareInputs({ afterRgb: rgb }, spec);
    const size = 16;
    const out = new Float32Array(spec.channels.length * size * size);
    fillChip(prepared, chipSources(prepared, spec), 0, 0, size, out);
    const at = (name: string, r: number, c: number) => out[ch(name) * size * size + r * size + c]!;
    const n = spec.normalisation.rgb;
    expect(at('after_r', 2, 2)).toBeCloseTo((1 - n.mean) / n.std, 5);
    expect(at('after_g', 2, 2)).toBeCloseTo((0 - n.mean) / n.std, 5);
    expect(at('after_rgb_valid', 2, 2)).toBe(1);
    // Past the raster (8 x 8) the chip is padding: values and masks 0.
    expect(at('after_r', 12, 12)).toBe(0);
    expect(at('after_rgb_valid', 12, 12)).toBe(0);
    for (const absent of ['before_r', 'before_rgb_valid', 'after_height', 'after_dsm_valid', 'baseline_height', 'baseline_valid']) {
      expect(at(absent, 2, 2)).toBe(0);
    }
  });

  it('clamps and scales heights, and marks a known empty baseline as valid', () => {
    const dsm = { grid, data: Float32Array.from({ length: 64 }, (_, i) => (i === 9 ? 100 : 0)), nodata: -9999 };
    const prepared = prepareInputs({ afterDsm: dsm, baseline: [] }, { ...spec, ground: { ...spec.ground, windowM: 2, cellM: 0.5 } });
    const out = new Float32Array(spec.channels.length * 64);
    fillChip(prepared, chipSources(prepared, spec), 0, 0, 8, out);
    const at = (name: string, k: number) => out[ch(name) * 64 + k]!;
    expect(at('after_height', 9)).toBeCloseTo(spec.normalisation.after_height.max * spec.normalisation.after_height.scale, 5);
    expect(at('after_dsm_valid', 9)).toBe(1);
    expect(at('baseline_valid', 9)).toBe(1);
    expect(at('baseline_footprint', 9)).toBe(0);
  });

  it('reads chips at any offset, including negative ones', () => {
    const prepared = prepareInputs({ afterRgb: rgb }, spec);
    const out = new Float32Array(spec.channels.length * 16);
    fillChip(prepared, chipSources(prepared, spec), -2, -2, 4, out);
    const mask = Array.from(out.subarray(ch('after_rgb_valid') * 16, ch('after_rgb_valid') * 16 + 16));
    expect(mask).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
  });
});
