/**
 * The fused network (models/fused_net.py) and its batch mixture, on a real chain shrunk to
 * seconds: one generated scene and a one-pair LEVIR-layout folder (testing/one-pair-folder.ts) are exported with
 * `models/data/export.ts`, the encoder is exported from nsfwjs, and the fused network trains two
 * steps on `--mix fused_aerial`. Checked: the record, the budget, that real pairs get an empty
 * baseline under that mixture (and none under the pair network's), that the baseline reaches
 * the output, and its export as the main network (models/export_onnx.py). Skipped where Debian's python3-torch is missing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, TORCH_ENV, hasTorch, pythonJson, writeOnePairLevir } from './testing/one-pair-folder.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-fused-'));
  await writeOnePairLevir(path.join(dir, 'real'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});


describe.skipIf(!hasTorch)('the fused network (pretrained encoder, baseline fused after it)', () => {
  it('trains on fused_aerial, gives real pairs an empty baseline there, reads the baseline, and exports as the main network', async () => {
    const data = path.join(dir, 'data');
    const encoder = path.join(dir, 'encoder');
    await run('npx', ['tsx', 'models/data/export.ts', '--out', data, '--scenes', '1', '--real', path.join(dir, 'real')], { timeout: 180_000 });
    await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', encoder], { timeout: 120_000 });
    const checkpoint = path.join(dir, 'fused.pt');
    await run(PYTHON, ['models/train.py', '--data', data, '--out', checkpoint, '--arch', 'fused', '--mix', 'fused_aerial', '--encoder', encoder, '--steps', '2', '--batch', '2', '--crop', '64'], { timeout: 180_000, env: TORCH_ENV });
    const training = (await pythonJson(`import torch, json; print(json.dumps(torch.load(${JSON.stringify(checkpoint)})["training"]))`)) as Record<string, unknown>;
    expect(training).toMatchObject({ arch: 'fused', mix: 'fused_aerial', steps: 2 });
    expect(Number(training.parameters)).toBeLessThanOrEqual(4_000_000);

    // Real-pair crops (weighted on "any change") under each mixture: the baseline's validity and footprint.
    const crops = (mix: string) =>
      pythonJson(
        [
          'import json, numpy as np',
          'from batches import Samples, BatchMaker',
          `spec = json.load(open("change-detector.json")); s = Samples(${JSON.stringify(data)}, spec["channels"])`,
          `x, t, w = BatchMaker(s, 64, 5, mix="${mix}").batch(24)`,
          'pair = w[:, 1].reshape(24, -1).max(1) > 0',
          'print(json.dumps({"pairs": int(pair.sum()), "valid": float(x[pair, s.ch["baseline_valid"]].mean()), "footprint": float(x[pair, s.ch["baseline_footprint"]].max())}))',
        ].join('\n'),
      ) as Promise<{ pairs: number; valid: number; footprint: number }>;
    const fused = await crops('fused_aerial');
    expect(fused.pairs).toBeGreaterThan(0);
    expect(fused).toMatchObject({ valid: 1, footprint: 0 });
    expect(await crops('pair')).toMatchObject({ valid: 0, footprint: 0 });

    // The same chip with and without a baseline building: the output moves.
    const moved = (await pythonJson(
      [
        'import json, torch',
        'from train import build_model',
        `spec = json.load(open("change-detector.json")); ck = torch.load(${JSON.stringify(checkpoint)})`,
        `m = build_model("fused", spec, ${JSON.stringify(encoder)}); m.load_state_dict(ck["state"]); m.eval()`,
        'ix = {n: i for i, n in enumerate(spec["channels"])}',
        'torch.manual_seed(0); x = torch.rand(1, len(ix), 64, 64) - 0.5',
        'for n in ("after_rgb_valid", "before_rgb_valid", "baseline_valid"): x[:, ix[n]] = 1',
        'x[:, ix["after_dsm_valid"]] = 0; x[:, ix["after_height"]] = 0; x[:, ix["baseline_footprint"]] = 0; x[:, ix["baseline_height"]] = 0',
        'y = x.clone(); y[:, ix["baseline_footprint"], 16:48, 16:48] = 1; y[:, ix["baseline_height"], 16:48, 16:48] = 0.6',
        'with torch.no_grad(): print(json.dumps(float((m(x) - m(y)).abs().max())))',
      ].join('\n'),
    )) as number;
    expect(moved).toBeGreaterThan(1e-4);

    // Exported as the main network (as train.sh does), into a copy of the sidecar: the record of
    // the main network it replaces goes (no fine-tuning phase left behind), the other networks'
    // stay, and the ONNX file and parity chips are written beside that copy.
    const sidecarDir = path.join(dir, 'sidecar');
    fs.mkdirSync(sidecarDir);
    const sidecar = path.join(sidecarDir, 'change-detector.json');
    const shipped = JSON.parse(fs.readFileSync('models/change-detector.json', 'utf8')) as { onnx: string; training: Record<string, unknown> };
    fs.writeFileSync(sidecar, JSON.stringify({ ...shipped, training: { ...shipped.training, steps: 6000, finetune: { steps: 1500, seed: 777 } } }));
    await run(PYTHON, ['models/export_onnx.py', '--checkpoint', checkpoint, '--data', data, '--spec', sidecar, '--encoder', encoder], { timeout: 180_000, env: TORCH_ENV });
    const written = (JSON.parse(fs.readFileSync(sidecar, 'utf8')) as { training: Record<string, unknown> }).training;
    expect(written).toMatchObject({ arch: 'fused', mix: 'fused_aerial', steps: 2 });
    expect(written.finetune).toBeUndefined();
    for (const other of ['surface_only', 'aerial', 'pair']) expect(written[other]).toEqual(shipped.training[other]);
    expect(fs.statSync(path.join(sidecarDir, shipped.onnx)).size).toBe(written.onnx_bytes);
    expect(fs.readdirSync(path.join(sidecarDir, 'parity')).sort()).toEqual(['input.f32', 'output.f32', 'parity.json']);
  }, 600_000);
});
