/**
 * The checkpoints `npm run model -- adapt` rebuilds from the shipped ONNX networks
 * (models/onnx_to_checkpoint.py) compute the ONNX function: the rebuilt checkpoint run by torch
 * against the shipped ONNX file run by onnxruntime-node, on the committed parity chips (real
 * training content) and on a seeded 256 px chip, within 2e-5 (largest difference measured 2.6e-6;
 * the parity fixtures allow 1e-4, which one damaged weight of a middle layer can stay under, so the
 * proof is tighter). One damaged weight breaks it; an ONNX file of another architecture is refused; adaptation keeps
 * the rebuilt BatchNorm layers in eval mode, so that it starts from the shipped function.
 *
 * Skipped, saying so, where /usr/bin/python3 lacks torch or onnx (Debian python3-torch,
 * python3-onnx).
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDetector, type Network } from '#pipeline/model/change-detector.js';
import { DEFAULT_SPEC_PATH, loadModelSpec } from '#pipeline/model/model-spec.js';
import { seededUnit } from '../eval/seeded.js';
import { checkpointFor, PYTHON } from './adapt.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);
const ready = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
if (!ready) console.warn('scripts/model/adapt-checkpoint.test.ts: /usr/bin/python3 cannot import torch and onnx (Debian: apt-get install python3-torch python3-onnx); the rebuild is not checked');

const spec = loadModelSpec();
const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
/** Each network that ships as ONNX alone (no PyTorch checkpoint beside it), with its parity fixture folder. */
const onnxAlone = (onnx: string | undefined) => Boolean(onnx) && !fs.existsSync(path.join(spec.dir, onnx!.replace(/\.onnx$/i, '.pt')));
const REBUILT: [Network, string][] = [
  ['main', 'parity'],
  ...(onnxAlone(spec.surface_only_onnx) ? [['surface_only', 'parity-surface'] as [Network, string]] : []),
  ...(onnxAlone(spec.aerial_onnx) ? [['aerial', 'parity-aerial'] as [Network, string]] : []),
];
const TOLERANCE = 2e-5;
const SIZE = 256;

let tmp: string;

function readF32(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/**
 * One 256 px chip in the channel order of the sidecar: both orthophotos and heights as smooth
 * seeded fields with noise, every validity mask on, a baseline footprint block: every path of the
 * network (colour and height differences) carries signal.
 */
function seededChip(): Float32Array {
  const c = spec.channels.length;
  const chip = new Float32Array(c * SIZE * SIZE);
  spec.channels.forEach((name, k) => {
    for (let r = 0; r < SIZE; r++) {
      for (let col = 0; col < SIZE; col++) {
        const i = k * SIZE * SIZE + r * SIZE + col;
        const wave = Math.sin((r + 13 * k) / 17) * Math.cos((col - 7 * k) / 23);
        const noise = seededUnit(`chip:${k}:${r}:${col}`) - 0.5;
        const block = r > 80 && r < 150 && col > 60 && col < 140;
        if (name.endsWith('_valid')) chip[i] = 1;
        else if (name === 'baseline_footprint') chip[i] = block ? 1 : 0;
        else if (name.endsWith('height')) chip[i] = block ? 0.6 + 0.05 * noise : 0.1 * wave + 0.02 * noise;
        else chip[i] = wave + 0.5 * noise;
      }
    }
  });
  return chip;
}

/** Torch's probabilities of a checkpoint on chips (models/onnx_to_checkpoint.py --forward). */
async function torchForward(checkpoint: string, input: string, shape: number[]): Promise<Float32Array> {
  const out = path.join(tmp, `out-${path.basename(checkpoint)}-${path.basename(input)}.f32`);
  await exec(PYTHON, ['models/onnx_to_checkpoint.py', '--forward', checkpoint, '--input', input, '--shape', shape.join(','), '--output', out], { cwd: ROOT, env });
  return readF32(out);
}

function worstDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

let detector: ChangeDetector;
const checkpoints = new Map<Network, string>();
const inputs: { file: string; shape: number[]; data: Float32Array }[] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-rebuild-'));
  if (!ready) return;
  detector = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu' });
  const chip = path.join(tmp, 'chip.f32');
  const data = seededChip();
  fs.writeFileSync(chip, Buffer.from(data.buffer));
  inputs.push({ file: chip, shape: [1, spec.channels.length, SIZE, SIZE], data });
  for (const [network] of REBUILT) checkpoints.set(network, await checkpointFor(DEFAULT_SPEC_PATH, network, () => {}, path.join(tmp, 'checkpoints')));
}, 120_000);

afterAll(async () => {
  await detector?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!ready)('checkpoints rebuilt from the shipped ONNX networks', () => {
  it.each(REBUILT)('the %s network: torch on the rebuilt checkpoint matches onnxruntime on the ONNX file within 2e-5 (%s/ chips and a 256 px chip)', async (network, folder) => {
    const checkpoint = checkpoints.get(network)!;
    expect(path.basename(checkpoint)).toMatch(/^change-detector(-\w+)?-[0-9a-f]{16}\.pt$/);
    const meta = JSON.parse(fs.readFileSync(path.join(spec.dir, folder, 'parity.json'), 'utf8')) as { input_shape: number[] };
    const fixture = path.join(spec.dir, folder, 'input.f32');
    for (const { file, shape, data } of [{ file: fixture, shape: meta.input_shape, data: readF32(fixture) }, ...inputs]) {
      const onnx = await detector.detectChips(data, shape[0]!, shape[2]!, network);
      const worst = worstDifference(await torchForward(checkpoint, file, shape), onnx);
      console.log(`${network}: rebuilt checkpoint against ONNX, ${shape.join('x')}: largest difference ${worst.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
    }
  }, 120_000);

  it.skipIf(onnxAlone(spec.surface_only_onnx))('the surface-model-only network: the checkpoint shipped beside its ONNX file (an average) computes it, and adapt takes that one', async () => {
    const beside = path.join(spec.dir, spec.surface_only_onnx!.replace(/\.onnx$/i, '.pt'));
    expect(await checkpointFor(DEFAULT_SPEC_PATH, 'surface_only', () => {
      throw new Error('rebuilt although a checkpoint ships beside');
    }, path.join(tmp, 'checkpoints'))).toBe(beside);
    const meta = JSON.parse(fs.readFileSync(path.join(spec.dir, 'parity-surface', 'parity.json'), 'utf8')) as { input_shape: number[] };
    const fixture = path.join(spec.dir, 'parity-surface', 'input.f32');
    for (const { file, shape, data } of [{ file: fixture, shape: meta.input_shape, data: readF32(fixture) }, ...inputs]) {
      const onnx = await detector.detectChips(data, shape[0]!, shape[2]!, 'surface_only');
      const worst = worstDifference(await torchForward(beside, file, shape), onnx);
      console.log(`surface_only: shipped checkpoint against ONNX, ${shape.join('x')}: largest difference ${worst.toExponential(2)}`);
      expect(worst).toBeLessThanOrEqual(TOLERANCE);
    }
  }, 120_000);

  it('records where it came from, in train.py\'s checkpoint format, and is reused while the ONNX file is the same', async () => {
    // The main network always ships as ONNX alone; the others may ship a checkpoint beside theirs.
    const checkpoint = checkpoints.get('main')!;
    const { stdout } = await exec(PYTHON, ['-c', `import json, torch; c = torch.load(${JSON.stringify(checkpoint)}); print(json.dumps({"keys": sorted(c), "arch": c["arch"], "channels": c["channels"], "rebuilt": c["training"]["rebuilt_from_onnx"]}))`], { env });
    const record = JSON.parse(stdout) as { keys: string[]; arch: string; channels: string[]; rebuilt: { sha256: string; onnx: string } };
    expect(record.rebuilt.onnx).toBe(path.basename(spec.onnx));
    expect(record.keys).toEqual(['arch', 'channels', 'state', 'training']);
    expect(record.arch).toBe('change');
    expect(record.channels).toEqual(spec.channels);
    const again = await checkpointFor(DEFAULT_SPEC_PATH, 'main', () => {
      throw new Error('rebuilt a second time');
    }, path.join(tmp, 'checkpoints'));
    expect(again).toBe(checkpoint);
  });

  it('fails when one weight of the rebuilt checkpoint is damaged', async () => {
    const [network, folder] = REBUILT.at(-1)!;
    const damaged = path.join(tmp, 'damaged.pt');
    await exec(PYTHON, ['-c', `import torch; c = torch.load(${JSON.stringify(checkpoints.get(network)!)}); c["state"]["e3.1.conv.0.weight"][5, 7, 1, 1] += 0.1; torch.save(c, ${JSON.stringify(damaged)})`], { env });
    const fixture = path.join(spec.dir, folder, 'input.f32');
    const shape = [2, spec.channels.length, 64, 64];
    const onnx = await detector.detectChips(readF32(fixture), 2, 64, network);
    const worst = worstDifference(await torchForward(damaged, fixture, shape), onnx);
    expect(worst).toBeGreaterThan(TOLERANCE);
  }, 60_000);

  it('refuses an ONNX file of another architecture (the image-pair network read as the main one)', async () => {
    if (!spec.pair_onnx) return;
    const run = exec(PYTHON, ['models/onnx_to_checkpoint.py', '--network', 'main', '--onnx', path.join(spec.dir, spec.pair_onnx), '--out', path.join(tmp, 'wrong.pt')], { cwd: ROOT, env });
    await expect(run).rejects.toThrow(/not a convolution of models\/net\.py|no tensor|initializers the rebuild did not place/);
    expect(fs.existsSync(path.join(tmp, 'wrong.pt'))).toBe(false);
  }, 60_000);

  it('adaptation keeps the rebuilt BatchNorm in eval mode: in train mode the network still computes the shipped function, where plain train mode does not', async () => {
    const checkpoint = checkpoints.get(REBUILT.at(-1)![0])!;
    const fixture = path.join(spec.dir, REBUILT.at(-1)![1], 'input.f32');
    const code = [
      'import sys, numpy as np, torch',
      "sys.path.insert(0, 'models')",
      'from adapt import keep_batchnorm_frozen',
      'from net import ChangeNet',
      `c = torch.load(${JSON.stringify(checkpoint)})`,
      `x = torch.from_numpy(np.fromfile(${JSON.stringify(fixture)}, dtype="<f4").reshape(2, ${spec.channels.length}, 64, 64))`,
      'def run(freeze):',
      '    m = ChangeNet(c["channels"]); m.load_state_dict(c["state"]); m.eval()',
      '    with torch.no_grad(): shipped = m(x)',
      '    if freeze: keep_batchnorm_frozen(m)',
      '    m.train()',
      '    with torch.no_grad(): trained_mode = m(x)',
      '    return float((shipped - trained_mode).abs().max())',
      'print(run(True), run(False))',
    ].join('\n');
    const { stdout } = await exec(PYTHON, ['-c', code], { cwd: ROOT, env });
    const [frozen, plain] = stdout.trim().split(' ').map(Number) as [number, number];
    expect(frozen).toBe(0);
    expect(plain).toBeGreaterThan(0.01);
  }, 60_000);
});
