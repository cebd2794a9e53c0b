/**
 * The inference module for real, on the shipped models: batching does not change results, tiled
 * inference agrees with one pass over the whole raster (no seams), feeding the same scene at a
 * finer resolution gives the same map after resampling, and heights without an earlier orthophoto
 * (surface models alone, first patrols) go to the surface-model-only network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScene } from '#fixtures/generator/scene.js';
import { ChangeDetector, FIRST_PATROL_HOLES, MAIN_ALONE, uncoveredShare } from './change-detector.js';
import { chipSources, fillChip } from './chip.js';
import { loadModelSpec } from './model-spec.js';
import { chipLayout } from './tiling.js';
import type { Grid } from './grid.js';
import { prepareInputs, type ChangeInputs, type PreparedInputs } from './prepare.js';

let detector: ChangeDetector;
let inputs: ChangeInputs;
let prepared: PreparedInputs;

beforeAll(async () => {
  detector = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu' });
  // A small generated village (no baseline vectors needed: the surface model and images suffice),
  // wider than any network's chip (at most 336 px) so that tiling is tested.
  const scene = generateScene({ seed: 4242, sizeM: 200, gsdM: 0.25 });
  const r = scene.rasters!;
  const grid = (p: typeof r.after_ortho): Grid => ({ width: p.width, height: p.height, geoTransform: p.geoTransform });
  inputs = {
    afterRgb: { grid: grid(r.after_ortho), bands: [r.after_ortho.bands[0]!, r.after_ortho.bands[1]!, r.after_ortho.bands[2]!] },
    beforeRgb: { grid: grid(r.before_ortho), bands: [r.before_ortho.bands[0]!, r.before_ortho.bands[1]!, r.before_ortho.bands[2]!] },
    afterDsm: { grid: grid(r.after_dsm), data: r.after_dsm.bands[0]!, nodata: r.after_dsm.nodata },
    baseline: [],
  };
  prepared = prepareInputs(inputs, detector.spec);
}, 120_000);

afterAll(async () => {
  await detector?.close();
});

describe('ChangeDetector', () => {
  it('runs on the CPU provider with the sidecar geometry, one chip a run (four held about 310 MiB more and were no faster)', () => {
    expect(detector.provider).toBe('cpu');
    expect(detector.batchSize).toBe(1);
    expect(prepared.grid.width).toBe(400); // 200 m at 0.5 m: wider than a chip, so that the map is tiled
  });

  it('gives the same chips batched as one by one', async () => {
    const size = 64;
    const per = detector.channels * size * size;
    const batch = new Float32Array(3 * per);
    const sources = chipSources(prepared, detector.spec);
    [0, 100, 200].forEach((o, i) => fillChip(prepared, sources, o, o, size, batch, i * per));
    const together = await detector.detectChips(batch, 3, size);
    const out = 2 * size * size;
    for (let i = 0; i < 3; i++) {
      const alone = await detector.detectChips(batch.slice(i * per, (i + 1) * per), 1, size);
      let worst = 0;
      for (let k = 0; k < out; k++) worst = Math.max(worst, Math.abs(alone[k]! - together[i * out + k]!));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('tiles without seams: tiled output matches one pass over the whole raster', async () => {
    const tiled = await detector.detectPrepared(prepared, { batchSize: 3 });
    const { width: W, height: H } = prepared.grid;
    const size = Math.ceil(Math.max(W, H) / 16) * 16;
    const whole = new Float32Array(detector.channels * size * size);
    fillChip(prepared, chipSources(prepared, detector.spec), 0, 0, size, whole);
    const ref = await detector.detectChips(whole, 1, size);
    const diff = (r: number, c: number) => Math.abs(tiled.newProb[r * W + c]! - ref[r * size + c]!);
    let sum = 0;
    let agree = 0;
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        sum += diff(r, c);
        if ((tiled.newProb[r * W + c]! >= 0.5) === (ref[r * size + c]! >= 0.5)) agree++;
      }
    }
    const mean = sum / (W * H);
    expect(mean).toBeLessThan(0.01);
    // Decisions, which is what becomes candidates, agree almost everywhere.
    expect(agree / (W * H)).toBeGreaterThan(0.99);
    // A seam would be a line of larger differences where one chip's blend ends: along every chip
    // edge inside the raster, the mean difference stays near the overall one. Measured with the
    // shipped main network (the fused one, pretrained encoder): 0.0072 overall, edges 0.0048 and
    // 0.0004, decisions agreeing on 99.2% of pixels; the from-scratch network before it 0.0053
    // overall and 0.0066 on its worst edge, 99.4%. A wider blend margin (64 px) changed neither
    // figure much then: the differences are the whole-raster context (the receptive field is wider
    // than a chip; the model card's failure modes), not seams.
    const { chip_px: chip, overlap_px: overlap } = detector.spec;
    const edges = new Set<number>();
    for (const { col0 } of chipLayout(W, H, chip, overlap)) for (const e of [col0, col0 + chip]) if (e > 0 && e < W) edges.add(e);
    expect(edges.size).toBeGreaterThan(0);
    for (const edge of edges) {
      let band = 0;
      for (let r = 0; r < H; r++) for (let c = edge - 2; c < edge + 2; c++) band += diff(r, c);
      expect(band / (H * 4)).toBeLessThan(1.5 * mean);
    }
  });

  it('gives the same map when the inputs come at a finer resolution', async () => {
    const twice = (g: Grid): Grid => ({ width: g.width * 2, height: g.height * 2, geoTransform: [g.geoTransform[0], g.geoTransform[1] / 2, 0, g.geoTransform[3], 0, g.geoTransform[5] / 2] });
    const upsample = (data: ArrayLike<number>, g: Grid) => {
      const out = new Float32Array(g.width * g.height * 4);
      for (let r = 0; r < g.height * 2; r++) for (let c = 0; c < g.width * 2; c++) out[r * g.width * 2 + c] = data[(r >> 1) * g.width + (c >> 1)]!;
      return out;
    };
    const a = inputs.afterRgb!;
    const b = inputs.beforeRgb!;
    const d = inputs.afterDsm!;
    const fine: ChangeInputs = {
      afterRgb: { grid: twice(a.grid), bands: [upsample(a.bands[0], a.grid), upsample(a.bands[1], a.grid), upsample(a.bands[2], a.grid)] },
      beforeRgb: { grid: twice(b.grid), bands: [upsample(b.bands[0], b.grid), upsample(b.bands[1], b.grid), upsample(b.bands[2], b.grid)] },
      afterDsm: { grid: twice(d.grid), data: upsample(d.data, d.grid), nodata: d.nodata },
      baseline: [],
    };
    const coarse = await detector.detectRaster(inputs);
    const fromFine = await detector.detectRaster(fine);
    expect(fromFine.width).toBe(coarse.width);
    let worst = 0;
    for (let i = 0; i < coarse.newProb.length; i++) worst = Math.max(worst, Math.abs(coarse.newProb[i]! - fromFine.newProb[i]!));
    // Area-averaging a nearest-neighbour doubling gives back the same pixels: identical maps.
    expect(worst).toBeLessThan(1e-4);
  });

  it('adds the surface-rise rule when the inputs hold an earlier surface model, unless told not to', async () => {
    // A flat 3 m roof (8 x 8 m) raised on the new surface only: the network's map is kept
    // everywhere else, and set to 1 on the roof (its flat inside, grown over its rim).
    const { width: W, height: H } = prepared.grid;
    const flatGround = { data: new Float32Array(W * H), valid: new Uint8Array(W * H).fill(1) };
    const raised = { data: new Float32Array(W * H), valid: flatGround.valid };
    for (let r = 100; r < 116; r++) for (let c = 100; c < 116; c++) raised.data[r * W + c] = 3;
    const withEarlier: PreparedInputs = { ...prepared, afterHeight: raised, beforeHeight: flatGround };
    const ruled = await detector.detectPrepared(withEarlier);
    const plain = await detector.detectPrepared(withEarlier, { surfaceRise: false });
    expect(ruled.newProb[108 * W + 108]).toBe(1);
    let differ = 0;
    ruled.newProb.forEach((p, i) => {
      if (p !== plain.newProb[i]) differ += 1;
    });
    expect(differ).toBeGreaterThan(0);
    expect(differ).toBeLessThanOrEqual(16 * 16);
    expect(Array.from(ruled.demolishedProb)).toEqual(Array.from(plain.demolishedProb));
  });

  it('finds nothing where the new flight shows nothing (a transparent collar over the surface model)', async () => {
    // The left third of the orthophoto is transparent, as DJI Terra and ODM leave a collar; the
    // surface model still covers it. The rest of the map is the network's, untouched.
    const { width: W } = prepared.grid;
    const collar = (i: number) => i % W < W / 3;
    const valid = Uint8Array.from(prepared.afterRgb!.valid, (v, i) => (collar(i) ? 0 : v));
    const withCollar: PreparedInputs = { ...prepared, afterRgb: { ...prepared.afterRgb!, valid } };
    const map = await detector.detectPrepared(withCollar, { surfaceRise: false });
    const collarMax = Math.max(...map.newProb.filter((_, i) => collar(i)), ...map.demolishedProb.filter((_, i) => collar(i)));
    expect(collarMax).toBe(0);
    expect(Math.max(...map.newProb.filter((_, i) => !collar(i)))).toBeGreaterThan(0.5);
  });

  it('leaves nothing of one call in the next, nor in a call running beside it (its buffers are reused)', async () => {
    // A fresh detector has never reused anything: its maps are the reference.
    const fresh = async (p: PreparedInputs) => {
      const once = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu', surfaceOnlyModelPath: false });
      try {
        return await once.detectPrepared(p, { surfaceRise: false, batchSize: 1 });
      } finally {
        await once.close();
      }
    };
    const { width: W } = prepared.grid;
    // Same size, but holes in the imagery and the heights: planes that a full input filled must
    // read 0 there on the next call.
    const holed = (v: Uint8Array) => Uint8Array.from(v, (x, i) => (i % W > W / 2 ? 0 : x));
    const withHoles: PreparedInputs = {
      ...prepared,
      afterRgb: { ...prepared.afterRgb!, valid: holed(prepared.afterRgb!.valid) },
      afterHeight: { data: prepared.afterHeight!.data, valid: holed(prepared.afterHeight!.valid) },
    };
    const expected = [await fresh(prepared), await fresh(withHoles)];
    const reused = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu', surfaceOnlyModelPath: false });
    try {
      // One chip per session.run, so that the calls beside each other interleave chip by chip.
      const one = (p: PreparedInputs) => reused.detectPrepared(p, { surfaceRise: false, batchSize: 1 });
      const inTurn = [await one(prepared), await one(withHoles), await one(prepared)];
      const side = await Promise.all([one(withHoles), one(prepared)]);
      for (const [map, want] of [
        [inTurn[0], expected[0]],
        [inTurn[1], expected[1]],
        [inTurn[2], expected[0]],
        [side[0], expected[1]],
        [side[1], expected[0]],
      ] as const) {
        expect(map!.newProb).toEqual(want!.newProb);
        expect(map!.demolishedProb).toEqual(want!.demolishedProb);
      }
    } finally {
      await reused.close();
    }
  });

  it('serves heights without an earlier orthophoto (surface models alone, a first patrol) with the surface-model-only network, and nothing else', async () => {
    const heightsOnly = prepareInputs({ afterDsm: inputs.afterDsm!, baseline: [] }, detector.spec);
    const firstPatrol: PreparedInputs = { ...prepared, beforeRgb: null, beforeHeight: null };
    expect(detector.networkFor(prepared)).toBe('main');
    expect(detector.networkFor({ ...prepared, afterRgb: null })).toBe('main');
    expect(detector.networkFor(heightsOnly)).toBe('surface_only');
    expect(detector.networkFor(firstPatrol)).toBe('surface_only');
    // The surface network sets the orthophoto aside.
    expect((await detector.detectPrepared(firstPatrol)).newProb).toEqual((await detector.detectPrepared({ ...firstPatrol, afterRgb: null })).newProb);
    // It sees nothing where the heights have holes: over FIRST_PATROL_HOLES of the orthophoto, the
    // main network keeps the patrol. (The scene's own surface model has holes over water, 1.1%.)
    expect(uncoveredShare(firstPatrol.afterRgb, firstPatrol.afterHeight!)).toBeLessThan(FIRST_PATROL_HOLES);
    const seen = firstPatrol.afterRgb!.valid;
    const holed = (share: number): PreparedInputs => {
      let holes = Math.round(share * seen.reduce((n, v) => n + v, 0));
      return { ...firstPatrol, afterHeight: { ...firstPatrol.afterHeight!, valid: seen.map((v) => (v && holes-- > 0 ? 0 : 1)) } };
    };
    expect(uncoveredShare(firstPatrol.afterRgb, holed(0.1).afterHeight!)).toBeCloseTo(0.1, 4);
    expect(detector.networkFor(holed(FIRST_PATROL_HOLES - 0.002))).toBe('surface_only');
    expect(detector.networkFor(holed(FIRST_PATROL_HOLES + 0.002))).toBe('main');
    // A share measured for the whole flight decides instead of the block's own (the detect stage).
    expect(detector.networkFor(holed(0.1), 0)).toBe('surface_only');
    expect(detector.networkFor(firstPatrol, 0.1)).toBe('main');
    // The same routing by what a flight brings, before it is read (the detect stage).
    const brings = { afterRgb: true, beforeRgb: false, afterHeight: true, baseline: true };
    expect(detector.networkServing(brings, 0.01)).toBe('surface_only');
    expect(detector.networkServing(brings, 0.1)).toBe('main');
    expect(detector.networkServing({ ...brings, beforeRgb: true }, 0)).toBe('main');
    expect(detector.networkServing({ ...brings, afterHeight: false }, 0)).toBe('main');
    const mainOnly = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu', surfaceOnlyModelPath: false });
    try {
      expect(mainOnly.networkFor(heightsOnly)).toBe('main');
      expect(mainOnly.networkFor(firstPatrol)).toBe('main');
      expect((await detector.detectPrepared(firstPatrol, { uncovered: 0.1 })).newProb).toEqual((await mainOnly.detectPrepared(firstPatrol)).newProb);
      await expect(mainOnly.detectChips(new Float32Array(detector.channels * 16 * 16), 1, 16, 'surface_only')).rejects.toThrow(/no surface-model-only network/);
      // Same inputs, other network: the heights-only map differs, the full-input map does not.
      const differs = (a: Float32Array, b: Float32Array) => a.some((v, i) => Math.abs(v - b[i]!) > 1e-3);
      expect(differs((await detector.detectPrepared(heightsOnly)).newProb, (await mainOnly.detectPrepared(heightsOnly)).newProb)).toBe(true);
      expect(differs((await detector.detectPrepared(prepared)).newProb, (await mainOnly.detectPrepared(prepared)).newProb)).toBe(false);
    } finally {
      await mainOnly.close();
    }
  });

  it('serves aerial tiles (both orthophotos and the baseline, no heights) with the aerial-tile network', async () => {
    const aerial = prepareInputs({ afterRgb: inputs.afterRgb!, beforeRgb: inputs.beforeRgb!, baseline: [] }, detector.spec);
    expect(detector.networkFor(aerial)).toBe('aerial');
    // Not a bare pair (no baseline: the image-pair network's), nor one image alone, nor anything with heights.
    expect(detector.networkFor({ ...aerial, baseline: null })).toBe('pair');
    expect(detector.networkFor({ ...aerial, beforeRgb: null })).toBe('main');
    expect(detector.networkFor(prepared)).toBe('main');
    const mainOnly = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu', aerialModelPath: false });
    try {
      expect(mainOnly.networkFor(aerial)).toBe('main');
      await expect(mainOnly.detectChips(new Float32Array(detector.channels * 16 * 16), 1, 16, 'aerial')).rejects.toThrow(/no aerial-tile network/);
      const differs = (a: Float32Array, b: Float32Array) => a.some((v, i) => Math.abs(v - b[i]!) > 1e-3);
      expect(differs((await detector.detectPrepared(aerial)).newProb, (await mainOnly.detectPrepared(aerial)).newProb)).toBe(true);
    } finally {
      await mainOnly.close();
    }
  });

  it('serves bare image pairs (both orthophotos, no baseline, no heights) with the image-pair network', async () => {
    const pair = prepareInputs({ afterRgb: inputs.afterRgb!, beforeRgb: inputs.beforeRgb! }, detector.spec);
    expect(detector.networkFor(pair)).toBe('pair');
    // With a baseline it is an aerial tile; with heights a drone flight; one image alone goes to the main network.
    expect(detector.networkFor({ ...pair, baseline: prepareInputs({ afterRgb: inputs.afterRgb!, beforeRgb: inputs.beforeRgb!, baseline: [] }, detector.spec).baseline })).toBe('aerial');
    expect(detector.networkFor(prepared)).toBe('main');
    expect(detector.networkFor({ ...pair, beforeRgb: null })).toBe('main');
    const mainOnly = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu', pairModelPath: false });
    try {
      expect(mainOnly.networkFor(pair)).toBe('main');
      await expect(mainOnly.detectChips(new Float32Array(detector.channels * 16 * 16), 1, 16, 'pair')).rejects.toThrow(/no image-pair network/);
      const differs = (a: Float32Array, b: Float32Array) => a.some((v, i) => Math.abs(v - b[i]!) > 1e-3);
      expect(differs((await detector.detectPrepared(pair)).newProb, (await mainOnly.detectPrepared(pair)).newProb)).toBe(true);
    } finally {
      await mainOnly.close();
    }
  });

  it('refuses a sidecar that names a network it does not ship', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-sidecar-'));
    try {
      const specPath = path.join(dir, 'change-detector.json');
      const { dir: shippedDir, ...shipped } = loadModelSpec();
      const load = () => ChangeDetector.load({ specPath, modelPath: path.join(shippedDir, shipped.onnx) });
      fs.writeFileSync(specPath, JSON.stringify({ ...shipped, surface_only_onnx: 'missing.onnx', aerial_onnx: undefined }));
      await expect(load()).rejects.toThrow(/surface-model-only network .*missing\.onnx: no such file/);
      fs.writeFileSync(specPath, JSON.stringify({ ...shipped, surface_only_onnx: undefined, aerial_onnx: 'missing.onnx' }));
      await expect(load()).rejects.toThrow(/aerial-tile network .*missing\.onnx: no such file/);
      fs.writeFileSync(specPath, JSON.stringify({ ...shipped, surface_only_onnx: undefined, aerial_onnx: undefined, pair_onnx: 'missing.onnx' }));
      await expect(load()).rejects.toThrow(/image-pair network .*missing\.onnx: no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which network is off when asked for one it did not load', async () => {
    const alone = await ChangeDetector.load({ threads: 1, executionProvider: 'cpu', ...MAIN_ALONE });
    try {
      const chip = new Float32Array(alone.channels * 64 * 64);
      await expect(alone.detectChips(chip, 1, 64, 'surface_only')).rejects.toThrow(/no surface-model-only network is loaded \(the sidecar names none, or surfaceOnlyModelPath is false\)/);
      await expect(alone.detectChips(chip, 1, 64, 'pair')).rejects.toThrow(/no image-pair network is loaded .*pairModelPath is false/);
      expect((await alone.detectChips(chip, 1, 64)).length).toBe(2 * 64 * 64);
    } finally {
      await alone.close();
    }
  });

  it('applies only the calibration maps fitted for the networks it loaded', async () => {
    // The shipped sidecar's maps name the shipped files' hashes: all apply.
    expect(Object.keys(detector.spec.calibration ?? {}).sort()).toEqual(Object.keys(loadModelSpec().calibration ?? {}).sort());
    expect(detector.spec.calibration?.main).toBeDefined();
    // Another file as the main network (eval --model x.onnx, a retrained network): its map goes.
    const other = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu', modelPath: path.join(loadModelSpec().dir, detector.spec.aerial_onnx!) });
    try {
      expect(other.spec.calibration?.main).toBeUndefined();
      expect(other.spec.calibration?.pair).toEqual(detector.spec.calibration?.pair);
    } finally {
      await other.close();
    }
  });

  it('needs at least one image', async () => {
    await expect(detector.detectRaster({ baseline: [] })).rejects.toThrow(/at least one image/);
  });
});
