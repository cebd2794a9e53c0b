import { describe, expect, it } from 'vitest';
import type { Grid } from '#pipeline/model/grid.js';
import { noteObjects, planeResidual, reasonCounts, reasonTable, type NoteInputs } from './object-notes.js';

const W = 60;
const H = 40;
// 0.5 m pixels, origin at (1000, 2000).
const grid: Grid = { width: W, height: H, geoTransform: [1000, 0.5, 0, 2000, 0, -0.5] };

/** Sets `value` over rows r0..r1 and columns c0..c1 (inclusive). */
function fill<T extends Float32Array | Int32Array | Uint8Array>(a: T, r0: number, r1: number, c0: number, c1: number, value: number): T {
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) a[r * W + c] = value;
  return a;
}

describe('planeResidual', () => {
  it('is zero on a tilted plane, positive on a bump, and unknown at the edge and beside a hole', () => {
    const w = 8;
    const h = 6;
    const z = new Float32Array(w * h).map((_, k) => 5 + 0.3 * (k % w) + 0.2 * Math.floor(k / w));
    const valid = new Uint8Array(w * h).fill(1);
    const plane = planeResidual(z, valid, w, h);
    expect(Number.isNaN(plane[0]!)).toBe(true);
    expect(Number.isNaN(plane[w - 1]!)).toBe(true);
    for (let r = 1; r < h - 1; r++) for (let c = 1; c < w - 1; c++) expect(plane[r * w + c]!).toBeLessThan(1e-5);
    z[2 * w + 3] = z[2 * w + 3]! + 0.9;
    valid[4 * w + 6] = 0;
    const bumped = planeResidual(z, valid, w, h);
    expect(bumped[2 * w + 3]!).toBeGreaterThan(0.2);
    expect(Number.isNaN(bumped[3 * w + 5]!)).toBe(true);
  });
});

describe('noteObjects', () => {
  // Withheld buildings (truth labels 1-4) and detections (labels 1-6) on a flat, known ground.
  const truthLabels = new Int32Array(W * H);
  fill(truthLabels, 5, 9, 5, 9, 1); // among trees
  fill(truthLabels, 5, 9, 20, 24, 2); // a low shed
  fill(truthLabels, 5, 9, 35, 39, 3); // inside a detection that matched nothing
  fill(truthLabels, 5, 9, 50, 54, 4); // a clear roof, not detected
  const detectionLabels = new Int32Array(W * H);
  fill(detectionLabels, 4, 10, 34, 40, 1); // over building 3, too large to match it
  fill(detectionLabels, 20, 24, 5, 9, 2); // on a mapped building
  fill(detectionLabels, 20, 24, 20, 24, 3); // a crown
  fill(detectionLabels, 20, 24, 35, 39, 4); // a flat raised roof without an outline
  fill(detectionLabels, 30, 34, 5, 9, 5); // low
  fill(detectionLabels, 30, 34, 20, 24, 6); // a true positive: no note
  const height = new Float32Array(W * H);
  for (const [r0, r1, c0, c1, v] of [
    [1, 13, 1, 13, 6], // crowns round building 1
    [5, 9, 5, 9, 4],
    [5, 9, 20, 24, 1],
    [4, 10, 34, 40, 4],
    [5, 9, 50, 54, 4],
    [20, 24, 5, 9, 3],
    [20, 24, 20, 24, 5],
    [20, 24, 35, 39, 4],
    [30, 34, 5, 9, 0.8],
    [30, 34, 20, 24, 4],
  ] as const)
    fill(height, r0, r1, c0, c1, v);
  const residual = new Float32Array(W * H).fill(0.01);
  fill(residual, 1, 13, 1, 13, 0.2);
  fill(residual, 5, 9, 5, 9, 0.01);
  fill(residual, 20, 24, 20, 24, 0.2);
  const p = new Float32Array(W * H);
  fill(p, 5, 9, 50, 54, 0.1);
  fill(p, 20, 24, 35, 39, 0.9);
  const inputs: NoteInputs = {
    tile: 't1',
    grid,
    p,
    height,
    residual,
    mapped: fill(new Uint8Array(W * H), 20, 24, 5, 9, 1),
    truthLabels,
    truthStates: ['missed', 'missed', 'missed', 'missed'],
    detectionLabels,
    detectionStates: ['fp', 'fp', 'fp', 'fp', 'fp', 'tp'],
  };
  const notes = noteObjects(inputs);

  it('says why each withheld building was missed', () => {
    const missed = notes.filter((n) => n.kind === 'missed');
    expect(missed.map((n) => [n.index, n.reason])).toEqual([
      [0, 'canopy'],
      [1, 'too_low'],
      [2, 'merged'],
      [3, 'not_detected'],
    ]);
    expect(missed[0]!.canopyRingShare).toBeGreaterThan(0.9);
    expect(missed[3]).toMatchObject({ areaM2: 6.25, heightM: 4, peakP: 0.1, flatShare: 1, canopyRingShare: 0 });
    expect(missed[3]!.why).toMatch(/not detected: peak p 0.1 in the served map, 4.0 m high, 100% flat/);
    // The centre in map coordinates: columns 50-54, rows 5-9 of 0.5 m pixels.
    expect(missed[3]).toMatchObject({ x: 1026.25, y: 1996.25 });
  });

  it('says why each detection that matched nothing is a false alarm, and leaves true positives out', () => {
    const alarms = notes.filter((n) => n.kind === 'false_alarm');
    expect(alarms.map((n) => [n.index, n.reason])).toEqual([
      [0, 'piece_of_withheld'],
      [1, 'on_mapped'],
      [2, 'rough_top'],
      [3, 'flat_unmapped'],
      [4, 'low'],
    ]);
    expect(alarms[3]).toMatchObject({ areaM2: 6.25, heightM: 4, meanP: 0.9, flatShare: 1 });
  });

  it('counts the reasons', () => {
    expect(reasonCounts(notes)).toEqual({
      missed: { canopy: 1, too_low: 1, merged: 1, not_detected: 1 },
      false_alarm: { piece_of_withheld: 1, on_mapped: 1, rough_top: 1, flat_unmapped: 1, low: 1 },
    });
    expect(reasonTable(notes)).toBe('missed: too_low 1, canopy 1, merged 1, not_detected 1\nfalse alarms: piece_of_withheld 1, on_mapped 1, rough_top 1, low 1, flat_unmapped 1');
  });
});
