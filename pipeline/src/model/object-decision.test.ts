import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDetector } from './change-detector.js';
import { changeObjects } from './change-objects.js';
import { decideObjects, OBJECT_DECISION_DEFAULTS } from './object-decision.js';
import type { PreparedInputs } from './prepare.js';

const W = 24;
const H = 24;
// 0.5 m pixels.
const grid = { width: W, height: H, geoTransform: [0, 0.5, 0, 12, 0, -0.5] as const };

function box<T extends Float32Array | Uint8Array>(values: T, row0: number, col0: number, rows: number, cols: number, value: (r: number, c: number) => number): T {
  for (let r = row0; r < row0 + rows; r++) for (let c = col0; c < col0 + cols; c++) values[r * W + c] = value(r, c);
  return values;
}

const at = (values: Float32Array, r: number, c: number) => values[r * W + c]!;

describe('decideObjects', () => {
  it('keeps a confident object whole from its seed outline and pushes a weak patch below the threshold (golden values)', () => {
    const prob = new Float32Array(W * H);
    box(prob, 2, 2, 6, 6, () => 0.95); // a house the network is sure of
    box(prob, 2, 2, 6, 1, () => 0.45); // its western rim, under 0.5 but over the seed
    box(prob, 14, 14, 4, 4, () => 0.6); // a weak patch (a crown, a wall): mean 0.6
    prob[22 * W + 2] = 0.2; // background noise
    const before = Float32Array.from(prob);
    const { objects, standing } = decideObjects(prob, grid, 0.5);
    expect({ objects, standing }).toEqual({ objects: 2, standing: 1 });
    // [0.4, 1] -> [0.5, 1] inside the standing object; p * 0.45 elsewhere.
    expect(at(prob, 4, 4)).toBeCloseTo(0.5 + (0.95 - 0.4) * (0.5 / 0.6), 6);
    expect(at(prob, 4, 2)).toBeCloseTo(0.5 + (0.45 - 0.4) * (0.5 / 0.6), 6);
    expect(at(prob, 15, 15)).toBeCloseTo(0.6 * 0.45, 6);
    expect(at(prob, 22, 2)).toBeCloseTo(0.2 * 0.45, 6);
    // The sidecar threshold then finds exactly the standing object, rim included.
    const found = changeObjects(prob, grid, { threshold: 0.5, minAreaM2: 0 });
    expect(found.objects.map((o) => o.pixels)).toEqual([36]);
    // Order within an object is kept: no pixel swaps rank with another of its object.
    expect(at(prob, 4, 4) > at(prob, 4, 2)).toBe(before[4 * W + 4]! > before[4 * W + 2]!);
  });

  it('decides each object on its own mean, not on its peak', () => {
    const prob = new Float32Array(W * H);
    box(prob, 2, 2, 4, 8, (_, c) => (c < 5 ? 0.99 : 0.42)); // sure on 3 columns, unsure on 5: mean 0.63
    box(prob, 12, 12, 4, 4, () => 0.8);
    const out = Float32Array.from(prob);
    expect(decideObjects(out, grid, 0.5)).toEqual({ objects: 2, standing: 1 });
    expect(at(out, 3, 3)).toBeLessThan(0.5);
    expect(at(out, 13, 13)).toBeGreaterThanOrEqual(0.5);
    // A looser mean lets both stand; a higher seed leaves the unsure part out of the first.
    expect(decideObjects(Float32Array.from(prob), grid, 0.5, { minMeanProb: 0.6 }).standing).toBe(2);
    const seeded = Float32Array.from(prob);
    expect(decideObjects(seeded, grid, 0.5, { seedThreshold: 0.5 }).standing).toBe(2);
    expect(at(seeded, 3, 3)).toBeGreaterThanOrEqual(0.5);
    expect(at(seeded, 3, 7)).toBeLessThan(0.5);
  });

  it('refuses a seed threshold outside (0, 1)', () => {
    expect(() => decideObjects(new Float32Array(W * H), grid, 0.5, { seedThreshold: 0 })).toThrow(/seed threshold/);
  });

  it('has the settings chosen on the training tiles', () => {
    expect(OBJECT_DECISION_DEFAULTS).toEqual({ seedThreshold: 0.4, minMeanProb: 0.7 });
  });
});

describe('the detector applies it to the surface-model-only network', () => {
  let detector: ChangeDetector;
  beforeAll(async () => {
    detector = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu' });
  });
  afterAll(async () => {
    await detector.close();
  });

  function heightsOnly(): PreparedInputs {
    const n = 96 * 96;
    const g = { width: 96, height: 96, geoTransform: [0, 0.5, 0, 48, 0, -0.5] as [number, number, number, number, number, number] };
    const data = new Float32Array(n);
    for (let r = 0; r < 96; r++) for (let c = 0; c < 96; c++) data[r * 96 + c] = (r >= 20 && r < 40 && c >= 20 && c < 44 ? 4 : 0) + (r >= 60 && r < 66 && c >= 60 && c < 66 ? 2.5 : 0);
    return {
      grid: g,
      afterRgb: null,
      beforeRgb: null,
      afterHeight: { data, valid: new Uint8Array(n).fill(1) },
      beforeHeight: null,
      baseline: { height: new Float32Array(n), footprint: new Uint8Array(n) },
    };
  }

  it('gives the network map rewritten by decideObjects, and the plain map when told not to', async () => {
    const prepared = heightsOnly();
    expect(detector.networkFor(prepared)).toBe('surface_only');
    const plain = await detector.detectPrepared(prepared, { objectDecision: false });
    const decided = await detector.detectPrepared(prepared);
    const expected = Float32Array.from(plain.newProb);
    decideObjects(expected, plain.grid, detector.spec.threshold);
    expect(Array.from(decided.newProb)).toEqual(Array.from(expected));
    expect(Array.from(decided.demolishedProb)).toEqual(Array.from(plain.demolishedProb));
  });
});
