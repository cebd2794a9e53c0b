import { describe, expect, it } from 'vitest';
import {
  calibrateScore,
  checkCalibrationMap,
  currentCalibration,
  fitCalibration,
  fitIsotonic,
  fitPlatt,
  fitPlattParams,
  objectRawScores,
  reliabilityTable,
  type CalibrationMap,
  type ScoredDetection,
} from './calibration.js';

const MAP: CalibrationMap = { x: [0.5, 0.7, 0.9], y: [0.1, 0.3, 0.8] };

/** A deterministic sample where P(true | raw) = raw², 10 objects per raw score 0.05, 0.15, ... 0.95. */
function quadratic(): ScoredDetection[] {
  const out: ScoredDetection[] = [];
  for (let k = 0; k < 10; k++) {
    const raw = 0.05 + k * 0.1;
    const hits = Math.round(raw * raw * 20);
    for (let i = 0; i < 20; i++) out.push({ score: raw, hit: i < hits });
  }
  return out;
}

describe('objectRawScores', () => {
  it('is the mean probability over each label, scaled (golden values)', () => {
    const prob = [255, 128, 0, 51, 204, 100];
    const labels = [1, 1, 0, 2, 2, 3];
    expect([...objectRawScores(prob, labels, 2, 1 / 255)].map((v) => +v.toFixed(4))).toEqual([0.751, 0.5]);
    expect([...objectRawScores([0.2, 0.4], [0, 0], 1)]).toEqual([0]);
    expect(() => objectRawScores([1], [1, 1], 1)).toThrow(/length/);
  });
});

describe('calibrateScore', () => {
  it('interpolates linearly between knots (golden values)', () => {
    expect(calibrateScore(0.5, MAP)).toBeCloseTo(0.1, 12);
    expect(calibrateScore(0.6, MAP)).toBeCloseTo(0.2, 12);
    expect(calibrateScore(0.85, MAP)).toBeCloseTo(0.675, 12);
    expect(calibrateScore(0.9, MAP)).toBeCloseTo(0.8, 12);
  });

  it('holds the end knots beyond them, and clamps without a map', () => {
    expect(calibrateScore(0, MAP)).toBe(0.1);
    expect(calibrateScore(0.2, MAP)).toBe(0.1);
    expect(calibrateScore(1, MAP)).toBe(0.8);
    expect(calibrateScore(1.7, MAP)).toBe(0.8);
    expect(calibrateScore(0.42, null)).toBe(0.42);
    expect(calibrateScore(1.2)).toBe(1);
    expect(calibrateScore(-0.1)).toBe(0);
    expect(calibrateScore(null, MAP)).toBeNull();
  });

  it('is monotone', () => {
    let last = -1;
    for (let i = 0; i <= 1000; i++) {
      const v = calibrateScore(i / 1000, MAP);
      expect(v).toBeGreaterThanOrEqual(last);
      last = v;
    }
  });

  it('a single knot maps everything to its value', () => {
    expect(calibrateScore(0.1, { x: [0.6], y: [0.4] })).toBe(0.4);
    expect(calibrateScore(0.9, { x: [0.6], y: [0.4] })).toBe(0.4);
  });
});

describe('checkCalibrationMap', () => {
  it('accepts a monotone map and refuses broken ones', () => {
    expect(() => checkCalibrationMap(MAP)).not.toThrow();
    expect(() => checkCalibrationMap({ x: [0.5, 0.5], y: [0.1, 0.2] })).toThrow(/ascending/);
    expect(() => checkCalibrationMap({ x: [0.4, 0.5], y: [0.3, 0.2] })).toThrow(/decrease/);
    expect(() => checkCalibrationMap({ x: [0.4], y: [1.2] })).toThrow(/0\.\.1/);
    expect(() => checkCalibrationMap({ x: [0.4], y: [] })).toThrow(/equal length/);
  });
});

describe('fitIsotonic', () => {
  it('pools violators and small bins into a monotone map (golden values)', () => {
    // Raw 0.2: 1 of 2 true; raw 0.4: 0 of 2 (a violator, pooled with 0.2); raw 0.8: 2 of 2.
    const samples = [
      { score: 0.2, hit: true },
      { score: 0.2, hit: false },
      { score: 0.4, hit: false },
      { score: 0.4, hit: false },
      { score: 0.8, hit: true },
      { score: 0.8, hit: true },
    ];
    const map = fitIsotonic(samples, 2);
    // Blocks: {0.2,0.2,0.4,0.4}: 1 of 4 -> (1 + 0.5) / 5 = 0.3 at x 0.3; {0.8,0.8}: 2 of 2 -> 2.5 / 3.
    expect(map).toEqual({ x: [0.3, 0.8], y: [0.3, 0.8333], method: 'isotonic', objects: 6, true_changes: 3 });
    checkCalibrationMap(map);
  });

  it('pools bins until each holds the least number of objects', () => {
    const map = fitIsotonic(quadratic(), 40);
    expect(map.x.length).toBeLessThanOrEqual(5);
    checkCalibrationMap(map);
    // raw² recovered within the pooling's resolution
    for (const [i, x] of map.x.entries()) expect(Math.abs(map.y[i]! - x * x)).toBeLessThan(0.12);
  });
});

describe('fitPlatt', () => {
  it('recovers a logistic relation (golden values)', () => {
    // P(true | s) = sigmoid(8 s - 4), 200 objects per score on a grid.
    const samples: ScoredDetection[] = [];
    for (let k = 0; k <= 10; k++) {
      const s = k / 10;
      const p = 1 / (1 + Math.exp(-(8 * s - 4)));
      const hits = Math.round(p * 200);
      for (let i = 0; i < 200; i++) samples.push({ score: s, hit: i < hits });
    }
    const { a, b } = fitPlattParams(samples);
    expect(a).toBeCloseTo(8, 0);
    expect(b).toBeCloseTo(-4, 0);
    const map = fitPlatt(samples);
    checkCalibrationMap(map);
    expect(map.x).toHaveLength(21);
    expect(calibrateScore(0.5, map)).toBeCloseTo(0.5, 1);
    expect(map.method).toBe('platt');
  });

  it('never falls, even when the objects say higher raw scores are worse', () => {
    const map = fitPlatt([
      { score: 0.9, hit: false },
      { score: 0.8, hit: false },
      { score: 0.6, hit: true },
      { score: 0.55, hit: true },
    ]);
    checkCalibrationMap(map);
    expect(new Set(map.y).size).toBe(1);
  });
});

describe('fitCalibration', () => {
  it('chooses isotonic with enough objects, else Platt', () => {
    expect(fitCalibration(quadratic()).method).toBe('isotonic');
    expect(fitCalibration(quadratic().slice(0, 60)).method).toBe('platt');
    // one outcome rare: still isotonic, and no bin promises less than its objects show
    const rare = [...Array.from({ length: 5 }, () => ({ score: 0.6, hit: false })), ...Array.from({ length: 15 }, () => ({ score: 0.65, hit: true })), ...Array.from({ length: 100 }, () => ({ score: 0.95, hit: true }))];
    const map = fitCalibration(rare);
    expect(map.method).toBe('isotonic');
    // the 5 misses pool with the next 15 into a bin of 20: (15 + 0.5) / 21 at mean raw 0.6375;
    // the 100 at 0.95 are a bin of their own: 100.5 / 101
    expect(map).toMatchObject({ x: [0.6375, 0.95], y: [0.7381, 0.995] });
  });
});

describe('reliabilityTable', () => {
  it('bins calibrated scores and counts outcomes (golden values)', () => {
    const table = reliabilityTable(
      [
        { score: 0.1, hit: false },
        { score: 0.3, hit: true },
        { score: 0.9, hit: true },
        { score: 1, hit: true },
      ],
      5,
    );
    expect(table.count).toBe(4);
    expect(table.rows.map((r) => r.count)).toEqual([1, 1, 0, 0, 2]);
    expect(table.rows[4]).toEqual({ from: 0.8, to: 1, count: 2, mean_predicted: 0.95, observed: 1 });
    expect(table.rows[2]!.observed).toBeNull();
    // |0.1-0| + |0.3-1| + 2·|0.95-1|, over 4
    expect(table.ece).toBeCloseTo((0.1 + 0.7 + 0.1) / 4, 4);
    expect(table.brier).toBeCloseTo((0.01 + 0.49 + 0.01 + 0) / 4, 4);
  });
});

describe('calibration maps against the networks loaded', () => {
  const hashes: Record<string, string> = { 'main.onnx': 'aaa', 'pair.onnx': 'bbb', 'retrained.onnx': 'ccc' };
  const sha = (file: string) => hashes[file]!;
  const calibration = { main: { ...MAP, onnx_sha256: 'aaa' }, pair: { ...MAP, onnx_sha256: 'bbb' }, aerial: { ...MAP } };

  it('keeps the maps fitted for the files served, and maps that name no file', () => {
    const { calibration: kept, stale } = currentCalibration(calibration, { main: 'main.onnx', pair: 'pair.onnx', aerial: false }, sha);
    expect(Object.keys(kept).sort()).toEqual(['aerial', 'main', 'pair']);
    expect(stale).toEqual([]);
  });

  it('drops a map whose network file changed, and names it; one of a network not loaded, without a word', () => {
    const { calibration: kept, stale } = currentCalibration(calibration, { main: 'main.onnx', pair: 'retrained.onnx' }, sha);
    expect(Object.keys(kept).sort()).toEqual(['aerial', 'main']);
    expect(stale).toEqual(['pair']);
    // The main network alone (eval --main-alone, an adapted drone office scored): the others' maps go quietly.
    const alone = currentCalibration(calibration, { main: 'main.onnx', pair: false }, sha);
    expect([Object.keys(alone.calibration).sort(), alone.stale]).toEqual([['aerial', 'main'], []]);
    expect(currentCalibration(calibration, { main: false, pair: 'pair.onnx' }, sha)).toEqual({ calibration: { pair: calibration.pair, aerial: calibration.aerial }, stale: [] });
    expect(currentCalibration(undefined, {}, sha)).toEqual({ calibration: {}, stale: [] });
  });
});
