/**
 * The pretrained encoder's conversion, proved: nsfwjs's quantised Keras MobileNetV2 is read from
 * node_modules, exported for PyTorch, and the PyTorch encoder's taps match TensorFlow.js's forward
 * pass of the package's own model on a fixed image. A damaged weight makes the proof fail (so the
 * comparison can fail). The PyTorch half is skipped where Debian's python3-torch is missing.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dequantise, kerasLayers, layersUpTo, readNsfwjsMobileNet } from './nsfwjs-mobilenet.js';
import { DEEP_TAP, ENCODER_TAPS } from './taps.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-encoder-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the nsfwjs MobileNetV2 files', () => {
  it('dequantise as min + scale * q, weight by weight', () => {
    const files = readNsfwjsMobileNet();
    const first = files.weightSpecs[0]!;
    const q0 = files.weightData[0]!;
    const w = dequantise(files).get(first.name)!;
    expect(w.shape).toEqual(first.shape);
    expect(w.data[0]).toBeCloseTo(first.quantization.min + first.quantization.scale * q0, 6);
  });

  it('keep only the layers the taps need, in file order, inputs first', () => {
    const layers = layersUpTo(kerasLayers(readNsfwjsMobileNet()), [...ENCODER_TAPS]);
    const names = layers.map((l) => l.name);
    expect(names[0]).toBe('input_1');
    expect(names.at(-1)).toBe('block_12_add');
    expect(names).not.toContain('block_13_expand');
    for (const [i, l] of layers.entries()) for (const input of l.inputs) expect(names.indexOf(input)).toBeLessThan(i);
  });
});

describe.skipIf(!hasTorch)('the PyTorch encoder', () => {
  it('matches TensorFlow.js on the package model, and a damaged weight breaks the match', async () => {
    const encoder = path.join(dir, 'encoder');
    const reference = path.join(dir, 'reference');
    const exported = await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', encoder], { timeout: 120_000 });
    expect(exported.stdout).toMatch(/encoder: \d+ Keras layers up to .*block_12_add, \d+ parameters/);
    await run('npx', ['tsx', 'models/encoder/tfjs-reference.ts', '--out', reference], { timeout: 120_000 });
    const check = () => run(PYTHON, ['models/encoder/check_parity.py', '--encoder', encoder, '--reference', reference], { timeout: 120_000 });
    const good = JSON.parse((await check()).stdout) as { ok: boolean; taps: Record<string, { max_diff: number; max_abs: number }> };
    expect(good.ok).toBe(true);
    expect(Object.keys(good.taps)).toEqual([...ENCODER_TAPS]);

    // Damage one weight of the first convolution: every tap must move outside the tolerance.
    const bin = path.join(encoder, 'mobilenet_v2.bin');
    const weights = new Float32Array(fs.readFileSync(bin).buffer.slice(0));
    weights[5] = weights[5]! + 0.5;
    fs.writeFileSync(bin, Buffer.from(weights.buffer));
    const bad = await check().then(
      () => null,
      (e: { code: number; stdout: string }) => e,
    );
    expect(bad?.code).toBe(1);
    expect((JSON.parse(bad!.stdout) as { ok: boolean }).ok).toBe(false);
  }, 300_000);

  it('with --deep carries a deeper block without changing the encoder the other networks build', async () => {
    const plain = path.join(dir, 'plain');
    const deep = path.join(dir, 'deep');
    await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', plain], { timeout: 120_000 });
    const exported = await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', deep, '--deep'], { timeout: 120_000 });
    expect(exported.stdout).toContain(`block_12_add, ${DEEP_TAP}`);
    const { stdout } = await run(
      PYTHON,
      [
        '-c',
        `
import json, sys, torch
sys.path.insert(0, "models/encoder")
from mobilenet import load_encoder
plain, _ = load_encoder(${JSON.stringify(plain)})
same, description = load_encoder(${JSON.stringify(deep)})
a, b = plain.state_dict(), same.state_dict()
deeper, _ = load_encoder(${JSON.stringify(deep)}, [*description["taps"], ${JSON.stringify(DEEP_TAP)}])
try:
    load_encoder(${JSON.stringify(plain)}, [*description["taps"], ${JSON.stringify(DEEP_TAP)}])
    refusal = None
except ValueError as e:
    refusal = str(e)
with torch.no_grad():
    taps = deeper(torch.rand(1, 3, 128, 128))
print(json.dumps({"taps": description["taps"], "same": list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a),
    "deep_shapes": [list(t.shape[1:]) for t in taps], "refusal": refusal}))`,
      ],
      { timeout: 120_000 },
    );
    const result = JSON.parse(stdout) as { taps: string[]; same: boolean; deep_shapes: number[][]; refusal: string | null };
    // The description's own taps are unchanged, and build the very same layers and weights.
    expect(result.taps).toEqual([...ENCODER_TAPS]);
    expect(result.same).toBe(true);
    // Asked for, the deeper block is a fifth tap at 1/32: 160 channels.
    expect(result.deep_shapes).toEqual([[16, 64, 64], [24, 32, 32], [32, 16, 16], [96, 8, 8], [160, 4, 4]]);
    expect(result.refusal).toMatch(/holds no layer block_15_add \(export-encoder.ts --deep/);
  }, 240_000);
});
