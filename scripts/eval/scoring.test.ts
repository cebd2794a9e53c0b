import { describe, expect, it } from 'vitest';
import { countPixels, matchObjects, objectsFromLabels, pixelScores, qualifies, rates } from './scoring.js';

describe('pixel scores', () => {
  it('counts and rates a small golden case, ignoring masked pixels', () => {
    const pred = [1, 1, 0, 0, 1, 0, 1, 0];
    const truth = [1, 0, 1, 0, 1, 0, 0, 1];
    const ignore = [0, 0, 0, 0, 0, 0, 1, 0];
    const c = countPixels(pred, truth, ignore);
    expect(c).toEqual({ tp: 2, fp: 1, fn: 2, tn: 2 });
    const s = pixelScores(c);
    expect(s.precision).toBeCloseTo(2 / 3);
    expect(s.recall).toBeCloseTo(0.5);
    expect(s.f1).toBeCloseTo(4 / 7);
    expect(s.iou).toBeCloseTo(2 / 5);
  });

  it('scores an empty prediction of an empty truth as perfect, and nothing found as zero', () => {
    expect(pixelScores({ tp: 0, fp: 0, fn: 0, tn: 10 })).toEqual({ precision: 1, recall: 1, f1: 1, iou: 1 });
    expect(rates(0, 0, 5)).toEqual({ precision: 1, recall: 0, f1: 0 });
    expect(rates(0, 3, 0)).toEqual({ precision: 0, recall: 1, f1: 0 });
  });

  it('refuses arrays of different lengths', () => {
    expect(() => countPixels([1], [1, 0])).toThrow(/length/);
  });
});

describe('object matching rule', () => {
  it('matches at IoU 0.3, or when half the truth is covered', () => {
    // IoU exactly 0.3: truth 10, detection 10, overlap 30/65 * ... choose overlap so that o/(20-o) = 0.3
    const o = (0.3 * 20) / 1.3;
    expect(qualifies({ area: 10 }, { area: 10 }, o)).toBe(true);
    expect(qualifies({ area: 10 }, { area: 10 }, o - 0.01)).toBe(false);
    // A big detection covering half a small truth: IoU tiny, but 50% of the truth covered.
    expect(qualifies({ area: 10 }, { area: 1000 }, 5)).toBe(true);
    expect(qualifies({ area: 10 }, { area: 1000 }, 4.9)).toBe(false);
    expect(qualifies({ area: 10 }, { area: 10 }, 0)).toBe(false);
  });

  it('is one-to-one: one detection over two truths finds one of them', () => {
    const m = matchObjects(
      [{ area: 10 }, { area: 10 }],
      [{ area: 20 }],
      [
        { truth: 0, detection: 0, area: 10 },
        { truth: 1, detection: 0, area: 10 },
      ],
    );
    expect(m).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    expect(m.truths.filter((s) => s === 'found')).toHaveLength(1);
  });

  it('finds the largest matching, not the greedy one', () => {
    // Truth 0 qualifies with detections 0 (best) and 1; truth 1 only with detection 0.
    // Greedy by IoU would give truth 0 detection 0 and leave truth 1 unmatched.
    const m = matchObjects(
      [{ area: 10 }, { area: 10 }],
      [{ area: 10 }, { area: 10 }],
      [
        { truth: 0, detection: 0, area: 9 },
        { truth: 0, detection: 1, area: 6 },
        { truth: 1, detection: 0, area: 5 },
      ],
    );
    expect(m).toMatchObject({ tp: 2, fp: 0, fn: 0 });
    expect(m.pairs).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('neither rewards nor punishes ignored truths and detections in ignored areas', () => {
    const truths = [{ area: 20 }, { area: 5, ignore: true }];
    const detections = [{ area: 20 }, { area: 5 }, { area: 8, ignoredArea: 6 }, { area: 8, ignoredArea: 2 }];
    const m = matchObjects(truths, detections, [
      { truth: 0, detection: 0, area: 18 },
      { truth: 1, detection: 1, area: 4 },
    ]);
    expect(m).toMatchObject({ tp: 1, fp: 1, fn: 0 });
    expect(m.detections).toEqual(['tp', 'ignored', 'ignored', 'fp']);
    expect(m.truths).toEqual(['found', 'ignored']);
  });

  it('does not let an ignored truth take a detection a counted truth needs', () => {
    const m = matchObjects(
      [{ area: 5, ignore: true }, { area: 10 }],
      [{ area: 10 }],
      [
        { truth: 0, detection: 0, area: 5 },
        { truth: 1, detection: 0, area: 5 },
      ],
    );
    expect(m).toMatchObject({ tp: 1, fp: 0, fn: 0 });
  });

  it('builds objects and overlaps from label rasters', () => {
    // 4 x 3 grid: truth object 1 at columns 0-1, truth object 2 at column 3; one detection over columns 1-2.
    const truth = [1, 1, 0, 2, 1, 1, 0, 2, 0, 0, 0, 0];
    const det = [0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0];
    const ignore = [0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0];
    const o = objectsFromLabels(truth, 2, det, 1, { pixelArea: 0.25, ignoreMask: ignore, ignoreTruth: (i) => i === 1 });
    expect(o.truths).toEqual([
      { area: 1, ignore: false },
      { area: 0.5, ignore: true },
    ]);
    expect(o.detections).toEqual([{ area: 1, ignoredArea: 0.5 }]);
    expect(o.overlaps).toEqual([{ truth: 0, detection: 0, area: 0.5 }]);
    const m = matchObjects(o.truths, o.detections, o.overlaps);
    expect(m).toMatchObject({ tp: 1, fp: 0, fn: 0 });
  });

  it('scores nothing against nothing as no counts', () => {
    expect(matchObjects([], [], [])).toMatchObject({ tp: 0, fp: 0, fn: 0 });
  });
});
