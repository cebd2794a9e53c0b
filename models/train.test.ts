/**
 * `npm run train`'s chain, shrunk to seconds: the TypeScript export without the real data says it
 * trains on synthetic scenes only, and the PyTorch trainer runs on that export from scratch, then
 * fine-tuning, then into the aerial-tile network, and records each phase. The trainer's half is skipped where Debian's
 * python3-torch is not installed (training is not part of `npm test`'s set-up).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, hasTorch, pythonJson, writeOnePairLevir } from './testing/one-pair-folder.js';

const run = promisify(execFile);
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-train-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the training chain', () => {
  it('exports synthetic scenes alone, and says so, when the real data are absent', async () => {
    const { stdout } = await run('npx', ['tsx', 'models/data/export.ts', '--out', path.join(dir, 'data'), '--scenes', '1', '--real', path.join(dir, 'no-real-data')], { timeout: 120_000 });
    expect(stdout).toMatch(/no real data at .*no-real-data: training on synthetic scenes only/);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'index-0.json'), 'utf8')) as { real: Record<string, number> };
    expect(index.real).toEqual({});
  }, 180_000);

  it('leaves the held-out development pairs out unless asked for every tile, and records which', async () => {
    const real = path.join(dir, 'real-pairs');
    await writeOnePairLevir(real, 'train_1');
    await writeOnePairLevir(real, 'val_1');
    const exported = async (split: string) => {
      const out = path.join(dir, `split-${split}`);
      await run('npx', ['tsx', 'models/data/export.ts', '--out', out, '--scenes', '1', '--real', real, '--development-split', split], { timeout: 120_000 });
      return JSON.parse(fs.readFileSync(path.join(out, 'index-0.json'), 'utf8')) as { real: Record<string, number>; development_split: string };
    };
    expect(await exported('train')).toMatchObject({ real: { levir_cd: 1 }, development_split: 'train' });
    expect(await exported('all')).toMatchObject({ real: { levir_cd: 2 }, development_split: 'all' });
    await expect(exported('some')).rejects.toThrow(/--development-split is train or all, not some/);
    if (!hasTorch) return;
    // The trainer records what its export read, so that the scoreboard marks those tiles.
    const out = path.join(dir, 'split-all.pt');
    await run(PYTHON, ['models/train.py', '--data', path.join(dir, 'split-all'), '--out', out, '--steps', '1', '--batch', '2', '--crop', '64'], { timeout: 120_000 });
    const record = await run(PYTHON, ['-c', `import torch, json; print(json.dumps(torch.load(${JSON.stringify(out)})["training"]))`]);
    expect((JSON.parse(record.stdout) as { development_split: string }).development_split).toBe('all');
    // A cross-validation fold: its held-out pairs left out by source/name, and recorded; a name
    // the export does not hold is refused rather than silently trained on.
    const fold = path.join(dir, 'fold.pt');
    const trained = await run(PYTHON, ['models/train.py', '--data', path.join(dir, 'split-all'), '--out', fold, '--steps', '1', '--batch', '2', '--crop', '64', '--leave-out', 'levir_cd/val_1', '--coarsen', '0.5', '--swap-xbd', '0.5', '--ignore-unmapped'], { timeout: 120_000 });
    expect(trained.stdout).toMatch(/samples: \{'pair': 1, 'scene': 1\}/);
    const foldRecord = await run(PYTHON, ['-c', `import torch, json; print(json.dumps(torch.load(${JSON.stringify(fold)})["training"]))`]);
    expect(JSON.parse(foldRecord.stdout)).toMatchObject({ left_out: ['levir_cd/val_1'], coarsen: 0.5, swap_xbd: 0.5, ignore_unmapped: true });
    await expect(
      run(PYTHON, ['models/train.py', '--data', path.join(dir, 'split-all'), '--out', fold, '--steps', '1', '--leave-out', 'levir_cd/val_9,egy_bcd/val_1'], { timeout: 120_000 }),
    ).rejects.toThrow(/--leave-out: not in .*: egy_bcd\/val_1, levir_cd\/val_9/);
    // The deeper encoder tap is for a new image-pair network only.
    await expect(
      run(PYTHON, ['models/train.py', '--data', path.join(dir, 'split-all'), '--out', fold, '--steps', '1', '--deep-tap', 'block_15_add'], { timeout: 120_000 }),
    ).rejects.toThrow(/--deep-tap is for a new image-pair network/);
  }, 240_000);

  it.skipIf(!hasTorch)('sees a crop as a coarser sensor would: area average down, bilinear up, brightness kept', async () => {
    const result = (await pythonJson(`
import json
import numpy as np
from batches import coarse_view
out = {}
for factor in (1.5, 3.0, 4.0):
    m = coarse_view(128, factor)
    stripes = np.tile([0.0, 1.0], 64).astype(np.float32)
    edge = (np.arange(128) >= 64).astype(np.float32)
    out[str(factor)] = {"rows": [float(m.sum(1).min()), float(m.sum(1).max())], "stripes_std": float((m @ stripes).std()), "edge_width": int(((m @ edge > 0.02) & (m @ edge < 0.98)).sum())}
print(json.dumps(out))`)) as Record<string, { rows: number[]; stripes_std: number; edge_width: number }>;
    for (const [factor, r] of Object.entries(result)) {
      // Every output pixel a weighted mean of the input: flat ground stays as bright.
      expect(r.rows[0]).toBeCloseTo(1, 5);
      expect(r.rows[1]).toBeCloseTo(1, 5);
      // Detail finer than the coarser sensor's pixel is gone; a roof edge spreads over about
      // two of its pixels.
      expect(r.stripes_std).toBeLessThan(0.2);
      expect(r.edge_width).toBeGreaterThanOrEqual(Math.floor(Number(factor)));
      expect(r.edge_width).toBeLessThanOrEqual(Math.ceil(3 * Number(factor)));
    }
  }, 120_000);

  it.skipIf(!hasTorch)('sees an xBD pair with its dates exchanged, as often as --swap-xbd says: destroyed buildings become new ones', async () => {
    // One xBD pair in memory, every pixel a destroyed building: a crop's targets say which way it was read.
    const result = (await pythonJson(`
import json, types
import numpy as np
from batches import BatchMaker
spec = json.load(open("change-detector.json"))
channels = spec["channels"]
planes = channels + ["target_new", "target_demolished", "weight"]
array = np.zeros((len(planes), 96, 96), np.float16)
array[planes.index("target_demolished")] = 1
array[planes.index("weight")] = 1
for name in ("after_rgb_valid", "before_rgb_valid"):
    array[planes.index(name)] = 1
pair = {"kind": "pair", "source": "xbd", "name": "one", "height": 96, "width": 96, "array": array, "plane": {n: i for i, n in enumerate(planes)}, "focus": None}
samples = types.SimpleNamespace(channels=channels, ch={n: i for i, n in enumerate(channels)}, groups={"xbd_pair": [pair]})
out = {}
for chance in (0.0, 0.5, 1.0):
    _, t, _ = BatchMaker(samples, 64, 3, mix="pair", swap_xbd=chance).batch(40)
    new, demolished = t[:, 0].reshape(40, -1).mean(1), t[:, 1].reshape(40, -1).mean(1)
    out[str(chance)] = {"as_new": int((new == 1).sum()), "as_demolished": int((demolished == 1).sum())}
print(json.dumps(out))`)) as Record<string, { as_new: number; as_demolished: number }>;
    expect(result['0.0']).toEqual({ as_new: 0, as_demolished: 40 });
    expect(result['1.0']).toEqual({ as_new: 40, as_demolished: 0 });
    expect(result['0.5']!.as_new + result['0.5']!.as_demolished).toBe(40);
    expect(result['0.5']!.as_new).toBeGreaterThan(8);
    expect(result['0.5']!.as_new).toBeLessThan(32);
  }, 120_000);

  it.skipIf(!hasTorch)('with --ignore-unmapped, gives no loss to a raised flat roof the labels leave out, and keeps it on crowns, labelled houses and low ground', async () => {
    // One surface-model tile on the 0.5 m grid: a labelled house (withheld in every crop), an
    // unlabelled flat roof, an unlabelled rough crown and an unlabelled flat roof under 15 m².
    const result = (await pythonJson(`
import json, types
import numpy as np
from batches import BatchMaker, unmapped_roofs
spec = json.load(open("change-detector.json"))
channels = spec["channels"]
planes = channels + ["instance"]
n = 64
height = np.zeros((n, n), np.float32)
instance = np.zeros((n, n), np.float32)
height[4:16, 4:16] = 4.0; instance[4:16, 4:16] = 1            # labelled house, 36 m²
height[30:42, 4:16] = 3.5                                      # unmapped flat roof, 36 m²
rng = np.random.default_rng(0)
height[30:44, 30:44] = 4.0 + rng.normal(0, 0.6, (14, 14))      # unmapped crown, rough
height[50:56, 50:56] = 3.0                                     # unmapped flat, 9 m²
array = np.zeros((len(planes), n, n), np.float16)
array[planes.index("after_height")] = height / 10
array[planes.index("after_dsm_valid")] = 1
array[planes.index("baseline_valid")] = 1
array[planes.index("instance")] = instance
tile = {"kind": "surface", "source": "uav", "name": "one", "height": n, "width": n, "array": array, "plane": {p: i for i, p in enumerate(planes)}, "focus": None, "extra": {"area_m2": [36.0]}}
mask = unmapped_roofs(tile)
out = {"roof": float(mask[30:42, 4:16].mean()), "house": float(mask[4:16, 4:16].mean()), "crown": float(mask[30:44, 30:44].mean()), "small": float(mask[50:56, 50:56].mean()), "ground": float(mask[20:28, 20:28].mean())}
samples = types.SimpleNamespace(channels=channels, ch={c: i for i, c in enumerate(channels)}, groups={"surface": [tile]})
for ignore in (False, True):
    _, t, w = BatchMaker(samples, n, 3, surface_only=True, withhold=(1.0, 1.0, 1.0), ignore_unmapped=ignore).batch(4)
    # Crops are turned and mirrored at random: count pixels rather than read them in place.
    out[str(ignore)] = {"no_loss_px": [int((w[i, 0] == 0).sum()) for i in range(4)], "new_px": [int(t[i, 0].sum()) for i in range(4)]}
print(json.dumps(out))`)) as Record<string, number> & Record<'False' | 'True', Record<string, number[]>>;
    expect(result).toMatchObject({ roof: 1, house: 0, crown: 0, small: 0, ground: 0 });
    // The withheld house is a target either way; only the unmapped roof (12 x 12 px) loses its loss.
    expect(result.False).toEqual({ no_loss_px: [0, 0, 0, 0], new_px: [144, 144, 144, 144] });
    expect(result.True).toEqual({ no_loss_px: [144, 144, 144, 144], new_px: [144, 144, 144, 144] });
  }, 120_000);

  it.skipIf(!hasTorch)('trains on that export, from scratch, fine-tuning and into the aerial-tile network, and records each phase', async () => {
    const train = (out: string, ...extra: string[]) =>
      run(PYTHON, ['models/train.py', '--data', path.join(dir, 'data'), '--out', path.join(dir, out), '--steps', '2', '--batch', '2', '--crop', '64', ...extra], { timeout: 120_000 });
    expect((await train('main.pt')).stdout).toMatch(/trained 2 steps/);
    const { stdout } = await train('finetuned.pt', '--init', path.join(dir, 'main.pt'), '--lr', '0.0003', '--seed', '777');
    expect(stdout).toMatch(/fine-tuned 2 steps/);
    const record = await run(PYTHON, ['-c', `import torch, json; print(json.dumps(torch.load(${JSON.stringify(path.join(dir, 'finetuned.pt'))})["training"]))`]);
    const training = JSON.parse(record.stdout) as { steps: number; samples: Record<string, number>; development_split: string; finetune: { steps: number; seed: number } };
    expect(training.steps).toBe(2);
    expect(training.development_split).toBe('train');
    expect(training.samples).toEqual({ scene: 1 });
    expect(training.finetune).toMatchObject({ steps: 2, seed: 777 });
    // The aerial-tile network: a third phase on aerial tiles alone, recorded beside the others.
    await train('aerial.pt', '--init', path.join(dir, 'finetuned.pt'), '--lr', '0.0003', '--seed', '778', '--mix', 'aerial');
    const aerial = await run(PYTHON, ['-c', `import torch, json; print(json.dumps(torch.load(${JSON.stringify(path.join(dir, 'aerial.pt'))})["training"]))`]);
    expect(JSON.parse(aerial.stdout)).toMatchObject({ mix: 'all', finetune: { seed: 777, mix: 'all' }, aerial: { seed: 778, mix: 'aerial' } });
  }, 240_000);

  it.skipIf(!hasTorch)('fine-tunes an average, its members together with BatchNorm frozen, as the surface network\'s wide-context phase', async () => {
    const train = (out: string, ...extra: string[]) =>
      run(PYTHON, ['models/train.py', '--data', path.join(dir, 'data'), '--out', path.join(dir, out), '--steps', '2', '--batch', '2', '--surface-only', ...extra], { timeout: 120_000 });
    await train('s1.pt', '--crop', '64', '--seed', '1');
    await train('s2.pt', '--crop', '64', '--seed', '2');
    await run(PYTHON, ['models/average_networks.py', '--out', path.join(dir, 'average.pt'), path.join(dir, 's1.pt'), path.join(dir, 's2.pt')], { timeout: 120_000 });
    await expect(train('lone.pt', '--arch', 'averaged')).rejects.toThrow(/give it with --init/);
    const wide = ['--init', path.join(dir, 'average.pt'), '--arch', 'averaged', '--freeze-batchnorm', '--phase', 'wide_context', '--crop', '96', '--lr', '0.01'];
    expect((await train('wide.pt', ...wide)).stdout).toMatch(/fine-tuned 2 steps/);
    const compared = await run(PYTHON, ['-c', `
import json, torch
before = torch.load(${JSON.stringify(path.join(dir, 'average.pt'))})
after = torch.load(${JSON.stringify(path.join(dir, 'wide.pt'))})
moved = lambda key: float((before["state"][key] - after["state"][key]).abs().max())
stats = [k for k in before["state"] if k.endswith("running_mean") or k.endswith("running_var")]
weights = [k for k in before["state"] if k.endswith(".weight") and before["state"][k].dim() == 4]
print(json.dumps({"members": after["members"], "arch": after["arch"], "record": after["training"], "stats_moved": max(moved(k) for k in stats), "weights_moved": max(moved(k) for k in weights)}))`]);
    const result = JSON.parse(compared.stdout) as { members: number; arch: string; record: Record<string, unknown>; stats_moved: number; weights_moved: number };
    expect([result.members, result.arch]).toEqual([2, 'averaged']);
    // Trained, yet every member's BatchNorm statistics are the average's own.
    expect(result.weights_moved).toBeGreaterThan(0);
    expect(result.stats_moved).toBe(0);
    expect(result.record).toMatchObject({ arch: 'averaged', members: [{ seed: 1 }, { seed: 2 }], wide_context: { steps: 2, crop_px: 96, batch: 2, batchnorm_frozen: true, lr: 0.01 } });
  }, 240_000);
});
