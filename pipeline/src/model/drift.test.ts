/**
 * Drift measured on in-memory inputs (what evaluation and the training data use) finds the
 * generator's known drift, against the earlier image and against the baseline's heights, and
 * takes it out of the new flight's grids only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateScene } from '#fixtures/generator/scene.js';
import { baselineOf } from '#scripts/eval/scenes.js';
import { lonLatTransformer } from '../raster/index.js';
import { driftWindows, takeOutDrift, withoutDrift } from './drift.js';
import type { Grid } from './grid.js';
import { loadModelSpec, type ModelSpec } from './model-spec.js';
import type { ChangeInputs } from './prepare.js';

let spec: ModelSpec;
let inputs: ChangeInputs;
let truth: { dx: number; dy: number };

beforeAll(() => {
  spec = loadModelSpec();
  // At 0.1 m: the generator's coarser surface models (0.25 m scenes) match the baseline too weakly to vote.
  const scene = generateScene({ seed: 31, sizeM: 150, gsdM: 0.1 });
  const r = scene.rasters!;
  const grid = (p: typeof r.after_ortho): Grid => ({ width: p.width, height: p.height, geoTransform: p.geoTransform });
  truth = scene.manifest.drift_m;
  inputs = {
    afterRgb: { grid: grid(r.after_ortho), bands: [r.after_ortho.bands[0]!, r.after_ortho.bands[1]!, r.after_ortho.bands[2]!] },
    beforeRgb: { grid: grid(r.before_ortho), bands: [r.before_ortho.bands[0]!, r.before_ortho.bands[1]!, r.before_ortho.bands[2]!] },
    afterDsm: { grid: grid(r.after_dsm), data: r.after_dsm.bands[0]!, nodata: r.after_dsm.nodata },
    baseline: baselineOf(scene.vectors.baseline_buildings, lonLatTransformer(scene.manifest.epsg).fromLonLat),
  };
});

describe('takeOutDrift', () => {
  it('finds the drift against the earlier image and moves only the new flight back', () => {
    expect(Math.hypot(truth.dx, truth.dy)).toBeGreaterThan(0.3);
    const { inputs: corrected, drift } = takeOutDrift(inputs, spec);
    expect(drift!.reference).toBe('earlier_orthophoto');
    expect(Math.abs(drift!.dxM - truth.dx)).toBeLessThan(0.15);
    expect(Math.abs(drift!.dyM - truth.dy)).toBeLessThan(0.15);
    expect(corrected.afterRgb!.grid).toEqual(withoutDrift(inputs.afterRgb!.grid, drift!));
    expect(corrected.afterDsm!.grid).toEqual(withoutDrift(inputs.afterDsm!.grid, drift!));
    expect(corrected.afterRgb!.bands).toBe(inputs.afterRgb!.bands);
    expect(corrected.beforeRgb).toBe(inputs.beforeRgb);
  });

  it('finds it against the baseline heights when there is no earlier image', () => {
    const { drift } = takeOutDrift({ afterDsm: inputs.afterDsm!, baseline: inputs.baseline! }, spec);
    expect(drift!.reference).toBe('baseline_heights');
    expect(Math.abs(drift!.dxM - truth.dx)).toBeLessThan(0.2);
    expect(Math.abs(drift!.dyM - truth.dy)).toBeLessThan(0.2);
  });

  it('leaves inputs with nothing to match against as they are', () => {
    const alone: ChangeInputs = { afterRgb: inputs.afterRgb!, baseline: [] };
    expect(takeOutDrift(alone, spec)).toEqual({ inputs: alone, drift: null });
  });
});

describe('driftWindows', () => {
  const grid = (width: number, height: number): Grid => ({ width, height, geoTransform: [1000, 0.25, 0, 2000, 0, -0.25] });
  it('takes the centre and the quadrant centres that fit, all the same size, inside the grid', () => {
    const windows = driftWindows(grid(2400, 2400));
    expect(windows).toHaveLength(5);
    for (const w of windows) {
      expect([w.width, w.height]).toEqual([512, 512]);
      expect(w.geoTransform[0]).toBeGreaterThanOrEqual(1000);
      expect(w.geoTransform[0] + 512 * 0.25).toBeLessThanOrEqual(1000 + 2400 * 0.25);
    }
    expect(driftWindows(grid(600, 600))).toHaveLength(1);
    expect(driftWindows(grid(300, 200))[0]!.width).toBe(128);
    expect(driftWindows(grid(100, 100))).toEqual([]);
  });
});
