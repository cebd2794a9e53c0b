import { describe, expect, it } from 'vitest';
import type { PreparedInputs } from './prepare.js';
import { addSurfaceRise, surfaceRise } from './surface-rise.js';

const W = 40;
const H = 40;
// 0.5 m pixels: a 10 x 10 px square is 25 m².
const grid = { width: W, height: H, geoTransform: [0, 0.5, 0, 20, 0, -0.5] as const };

function plane(fill = 0) {
  return { data: new Float32Array(W * H).fill(fill), valid: new Uint8Array(W * H).fill(1) };
}

function box(values: Float32Array | Uint8Array, row0: number, col0: number, rows: number, cols: number, value: (r: number, c: number) => number): void {
  for (let r = row0; r < row0 + rows; r++) for (let c = col0; c < col0 + cols; c++) values[r * W + c] = value(r, c);
}

function scene(): PreparedInputs {
  return {
    grid,
    afterRgb: null,
    beforeRgb: null,
    afterHeight: plane(),
    beforeHeight: plane(),
    baseline: { height: new Float32Array(W * H), footprint: new Uint8Array(W * H) },
  };
}

const at = (mask: Uint8Array, r: number, c: number) => mask[r * W + c];

describe('surfaceRise', () => {
  it('marks a flat roof 3 m up where the earlier surface was ground and no baseline building stands', () => {
    const s = scene();
    box(s.afterHeight!.data, 10, 10, 10, 10, () => 3.2);
    const risen = surfaceRise(s)!;
    expect(at(risen, 15, 15)).toBe(1);
    expect(at(risen, 5, 5)).toBe(0);
    // The roof's rim is a height step (rough): the patch is found on the roof's flat inside and
    // then takes in the rim, which rose as much; the ground around it did not.
    expect(risen.reduce((n, v) => n + v, 0)).toBe(100);
    expect(surfaceRise(s, { rimM: 0 })!.reduce((n, v) => n + v, 0)).toBe(64);
  });

  it('leaves what stood there before, a crown of uneven heights, a rise under 2 m and a patch under 10 m²', () => {
    const s = scene();
    box(s.afterHeight!.data, 2, 2, 10, 10, () => 3.2);
    box(s.beforeHeight!.data, 2, 2, 10, 10, () => 3); // a greenhouse on both dates
    box(s.afterHeight!.data, 2, 20, 12, 12, (r, c) => ((r + c) % 2 ? 3 : 4.5)); // tree crown
    box(s.afterHeight!.data, 20, 2, 10, 10, () => 1.8); // a wall or a parked van
    box(s.afterHeight!.data, 20, 20, 5, 5, () => 3.2); // 6.25 m², 3 x 3 px inside the rim
    expect(surfaceRise(s)!.every((v) => v === 0)).toBe(true);
  });

  it('keeps a baseline building and the pixel around it out, and counts the rise over the baseline height', () => {
    const s = scene();
    box(s.baseline!.footprint, 10, 10, 10, 10, () => 1);
    box(s.baseline!.height, 10, 10, 10, 10, () => 6);
    box(s.afterHeight!.data, 10, 10, 10, 20, () => 6.2); // the building, and an extension to its east as high
    const risen = surfaceRise(s)!;
    for (let r = 10; r < 20; r++) for (let c = 9; c < 20; c++) expect(at(risen, r, c)).toBe(0);
    expect(at(risen, 15, 25)).toBe(1);
    // The extension whole, to the wall it shares with the building: all 10 x 10 pixels.
    let extension = 0;
    for (let r = 10; r < 20; r++) for (let c = 20; c < 30; c++) extension += at(risen, r, c)!;
    expect(extension).toBe(100);
    // Found without its clearance strip and rim it kept the 8 x 8 = 64 inside them.
    let bare = 0;
    const plain = surfaceRise(s, { rimM: 0 })!;
    for (let r = 10; r < 20; r++) for (let c = 20; c < 30; c++) bare += at(plain, r, c)!;
    expect(bare).toBe(64);
  });

  it('finds a 16 m² extension whose flat inside, clear of its building, is only 9 m²', () => {
    const s = scene();
    box(s.baseline!.footprint, 10, 10, 10, 10, () => 1);
    box(s.baseline!.height, 10, 10, 10, 10, () => 6);
    box(s.afterHeight!.data, 10, 10, 10, 10, () => 6); // the building, as in the baseline
    box(s.afterHeight!.data, 10, 20, 8, 8, () => 3.1); // 4 m x 4 m one-room extension
    const risen = surfaceRise(s)!;
    let extension = 0;
    for (let r = 10; r < 18; r++) for (let c = 20; c < 28; c++) extension += at(risen, r, c)!;
    expect(extension).toBe(64);
    expect(risen.reduce((n, v) => n + v, 0)).toBe(64);
    // Its flat inside is 6 x 6 px = 9 m²: under a 10 m² seed, as the rule had it, it is not found.
    expect(surfaceRise(s, { minFlatM2: 10, minAttachedFlatM2: 10 })!.every((v) => v === 0)).toBe(true);
  });

  it('lets a narrow extension against its building stand on a smaller flat inside, and not a lorry parked by the wall', () => {
    const s = scene();
    box(s.baseline!.footprint, 10, 10, 10, 10, () => 1);
    box(s.baseline!.height, 10, 10, 10, 10, () => 6);
    box(s.afterHeight!.data, 10, 10, 10, 10, () => 6); // the building, as in the baseline
    box(s.afterHeight!.data, 8, 20, 12, 5, () => 3.1); // a 2.5 m x 6 m lean-to along its east wall
    box(s.afterHeight!.data, 22, 10, 5, 12, () => 3.1); // a lorry as large, 1 m of ground from its south wall
    // Flat inside, clear of the wall and the roof's rim: 3 x 10 px = 7.5 m² each, under the 8 m² of a free patch.
    expect(surfaceRise(s, { minAttachedFlatM2: 8 })!.every((v) => v === 0)).toBe(true);
    const risen = surfaceRise(s)!; // attached patches need 5 m² by default
    let leanTo = 0;
    for (let r = 8; r < 20; r++) for (let c = 20; c < 25; c++) leanTo += at(risen, r, c)!;
    expect(leanTo).toBe(60);
    // The lorry is not joined to the building by risen surface, however far that may run.
    expect(risen.reduce((n, v) => n + v, 0)).toBe(60);
    expect(surfaceRise(s, { minAttachedFlatM2: 5, attachedM: 6 })!.reduce((n, v) => n + v, 0)).toBe(60);
    // Nor the lean-to, when the risen surface may run no further than its flat inside.
    expect(surfaceRise(s, { minAttachedFlatM2: 5, attachedM: 0 })!.every((v) => v === 0)).toBe(true);
    // A lower least area for every patch takes the lorry too.
    expect(surfaceRise(s, { minFlatM2: 7 })!.reduce((n, v) => n + v, 0)).toBe(120);
  });

  it('needs a valid earlier surface: none at all gives null, a hole in it gives no rise there', () => {
    const s = scene();
    box(s.afterHeight!.data, 10, 10, 10, 20, () => 3.2);
    expect(surfaceRise({ ...s, beforeHeight: null })).toBeNull();
    expect(surfaceRise({ ...s, baseline: null })).toBeNull();
    box(s.beforeHeight!.valid, 0, 0, H, 15, () => 0);
    const risen = surfaceRise(s)!;
    expect(at(risen, 15, 12)).toBe(0);
    expect(at(risen, 15, 22)).toBe(1);
  });
});

describe('addSurfaceRise', () => {
  it('raises the probability to 1 on risen pixels and leaves the others', () => {
    const p = Float32Array.from([0.1, 0.7, 0.2]);
    expect(Array.from(addSurfaceRise(p, Uint8Array.from([1, 0, 0])))).toEqual([1, Float32Array.from([0.7])[0], Float32Array.from([0.2])[0]]);
    expect(addSurfaceRise(p, null)).toBe(p);
  });
});
