/**
 * The PyTorch checkpoints `npm run model -- adapt` starts from compute the ONNX functions they stand
 * for: torch on the checkpoint against onnxruntime-node on the ONNX file, on the committed parity
 * chips (real training content) and on a seeded 256 px chip, within 2e-5 (largest differences
 * measured: 1.0e-5 the aerial network's checkpoint, 3.5e-6 a rebuilt one; the parity fixtures allow 1e-4, which one damaged weight of a middle layer can
 * stay under, so the proof is tighter).
 *
 * Two kinds: each shipped network's checkpoint beside its ONNX file, which adapt takes as it is;
 * and one rebuilt from an ONNX file that ships alone (models/onnx_to_checkpoint.py), as a model
 * store of an earlier release holds them. Every shipped network now brings its checkpoint, so the
 * rebuild is proved on a network of the from-scratch architecture (models/net.py) that the test
 * makes from trained weights, in a sidecar folder of its own. One damaged weight breaks it; an ONNX file of another architecture is refused;
 * adaptation keeps the rebuilt BatchNorm layers in eval mode, so that it starts from the shipped function.
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
import { DEFAULT_SPEC_PATH, loadModelSpec, ONNX_FIELD } from '#pipeline/model/model-spec.js';
import { seededUnit } from '../eval/seeded.js';
import { checkpointFor, ensureEncoder, PYTHON } from './adapt.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);
const ready = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
if (!ready) console.warn('scripts/model/adapt-checkpoint.test.ts: /usr/bin/python3 cannot import torch and onnx (Debian: apt-get install python3-torch python3-onnx); the rebuild is not checked');

const spec = loadModelSpec();
const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
/** The shipped networks with their parity fixture folders. */
const PARITY: Record<Network, string> = { main: 'parity', surface_only: 'parity-surface', aerial: 'parity-aerial', pair: 'parity-pair' };
const besideOf = (onnx: string) => path.join(spec.dir, onnx.replace(/\.onnx$/i, '.pt'));
/** The shipped networks that bring a PyTorch checkpoint beside their ONNX file. */
const SHIPPED_BESIDE = (Object.keys(PARITY) as Network[]).filter((n) => spec[ONNX_FIELD[n]] && fs.existsSync(besideOf(spec[ONNX_FIELD[n]]!)));
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
 * network (colour and height differences) carries signal. With `heightsOnly`, as the surface
 * network is served (its ONNX file reads no other channel): the images and their masks at 0.
 */
function seededChip(heightsOnly = false): Float32Array {
  const c = spec.channels.length;
  const chip = new Float32Array(c * SIZE * SIZE);
  spec.channels.forEach((name, k) => {
    for (let r = 0; r < SIZE; r++) {
      for (let col = 0; col < SIZE; col++) {
        const i = k * SIZE * SIZE + r * SIZE + col;
        const wave = Math.sin((r + 13 * k) / 17) * Math.cos((col - 7 * k) / 23);
        const noise = seededUnit(`chip:${k}:${r}:${col}`) - 0.5;
        const block = r > 80 && r < 150 && col > 60 && col < 140;
        if (heightsOnly && (/_(r|g|b)$/.test(name) || name.endsWith('_rgb_valid'))) chip[i] = 0;
        else if (name.endsWith('_valid')) chip[i] = 1;
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

/**
 * Torch on `checkpoint` against onnxruntime on `onnx`'s `network`, on the network's committed
 * parity chips and the seeded 256 px chip: the largest difference within TOLERANCE on each.
 */
async function expectComputesOnnx(checkpoint: string, onnx: ChangeDetector, network: Network, label: string): Promise<void> {
  const folder = path.join(spec.dir, PARITY[network]);
  const meta = JSON.parse(fs.readFileSync(path.join(folder, 'parity.json'), 'utf8')) as { input_shape: number[] };
  const fixture = path.join(folder, 'input.f32');
  for (const { file, shape, data } of [{ file: fixture, shape: meta.input_shape, data: readF32(fixture) }, inputs[network === 'surface_only' ? 1 : 0]!]) {
    const probabilities = await onnx.detectChips(data, shape[0]!, shape[2]!, network);
    const worst = worstDifference(await torchForward(checkpoint, file, shape), probabilities);
    console.log(`${label} against ONNX, ${shape.join('x')}: largest difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  }
}

let detector: ChangeDetector;
/** The sidecar folder whose main network ships as ONNX alone (a from-scratch network made here). */
let legacyDir: string;
let legacy: ChangeDetector;
let rebuilt: string;
/** The seeded chip, and the same with heights alone (for the surface network). */
const inputs: { file: string; shape: number[]; data: Float32Array }[] = [];

/**
 * A sidecar folder like the shipped one, but whose main network is of the from-scratch architecture
 * (models/net.py) and ships as ONNX alone, as in an earlier release's model store: the first member
 * of the shipped surface-model average (trained weights, so that one damaged weight shows),
 * exported by export_onnx.py's function.
 */
async function legacyFolder(dir: string): Promise<string> {
  fs.mkdirSync(dir);
  for (const name of fs.readdirSync(spec.dir)) {
    if (/\.(onnx|pt)$/.test(name) && name !== spec.onnx && name !== path.basename(besideOf(spec.onnx))) fs.symlinkSync(path.join(spec.dir, name), path.join(dir, name));
  }
  const sidecar = path.join(dir, 'change-detector.json');
  fs.copyFileSync(path.join(spec.dir, 'change-detector.json'), sidecar);
  const code = [
    'import json, sys, torch',
    "sys.path.insert(0, 'models')",
    'from net import ChangeNet',
    'from export_onnx import export_network',
    `spec = json.load(open(${JSON.stringify(sidecar)}))`,
    `average = torch.load(${JSON.stringify(besideOf(spec.surface_only_onnx!))}, map_location="cpu")`,
    'm = ChangeNet(spec["channels"])',
    'm.load_state_dict({k[len("nets.0."):]: v for k, v in average["state"].items() if k.startswith("nets.0.")})',
    `export_network(m, spec, ${JSON.stringify(path.join(dir, spec.onnx))})`,
    // Its sidecar records that member's training as the main network's, as such a release did.
    'others = {k: v for k, v in spec["training"].items() if k in ("surface_only", "aerial", "pair")}',
    'spec["training"] = {**average["training"]["members"][0], **others}',
    `json.dump(spec, open(${JSON.stringify(sidecar)}, "w"), indent=2)`,
  ].join('\n');
  await exec(PYTHON, ['-c', code], { cwd: ROOT, env });
  return sidecar;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-rebuild-'));
  if (!ready) return;
  // torch builds the shipped networks over the pretrained encoder from models/.cache/encoder.
  await ensureEncoder(() => {});
  detector = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu' });
  for (const heightsOnly of [false, true]) {
    const chip = path.join(tmp, heightsOnly ? 'chip-heights.f32' : 'chip.f32');
    const data = seededChip(heightsOnly);
    fs.writeFileSync(chip, Buffer.from(data.buffer));
    inputs.push({ file: chip, shape: [1, spec.channels.length, SIZE, SIZE], data });
  }
  legacyDir = path.join(tmp, 'legacy');
  const sidecar = await legacyFolder(legacyDir);
  legacy = await ChangeDetector.load({ specPath: sidecar, threads: 2, executionProvider: 'cpu' });
  rebuilt = await checkpointFor(sidecar, 'main', () => {}, path.join(tmp, 'checkpoints'));
}, 180_000);

afterAll(async () => {
  await detector?.close();
  await legacy?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!ready)('checkpoints that adaptation starts from', () => {
  it.each(SHIPPED_BESIDE)('the shipped %s network: the checkpoint beside its ONNX file computes it within 2e-5, and adapt takes that one', async (network) => {
    const beside = besideOf(spec[ONNX_FIELD[network]]!);
    expect(await checkpointFor(DEFAULT_SPEC_PATH, network, () => {
      throw new Error('rebuilt although a checkpoint ships beside');
    }, path.join(tmp, 'checkpoints'))).toBe(beside);
    await expectComputesOnnx(beside, detector, network, `${network}: shipped checkpoint`);
  }, 120_000);

  it('every shipped network brings its checkpoint (the main one included)', () => {
    expect(SHIPPED_BESIDE).toEqual(expect.arrayContaining(['main', 'surface_only', 'aerial', 'pair']));
  });

  it('a main network shipped as ONNX alone: torch on the checkpoint rebuilt from it matches onnxruntime on the ONNX file within 2e-5 (parity/ chips and a 256 px chip)', async () => {
    expect(path.basename(rebuilt)).toMatch(/^change-detector-[0-9a-f]{16}\.pt$/);
    await expectComputesOnnx(rebuilt, legacy, 'main', 'main (ONNX alone): rebuilt checkpoint');
  }, 120_000);

  it('records where it came from, in train.py\'s checkpoint format, and is reused while the ONNX file is the same', async () => {
    const { stdout } = await exec(PYTHON, ['-c', `import json, torch; c = torch.load(${JSON.stringify(rebuilt)}); print(json.dumps({"keys": sorted(c), "arch": c["arch"], "channels": c["channels"], "rebuilt": c["training"]["rebuilt_from_onnx"], "trained_as": c["training"].get("arch", "change"), "parameters": c["training"]["parameters"]}))`], { env });
    const record = JSON.parse(stdout) as { keys: string[]; arch: string; channels: string[]; rebuilt: { sha256: string; onnx: string }; trained_as: string; parameters: number };
    expect([record.trained_as, record.parameters]).toEqual(['change', 700_466]);
    expect(record.rebuilt.onnx).toBe(path.basename(spec.onnx));
    expect(record.keys).toEqual(['arch', 'channels', 'state', 'training']);
    expect(record.arch).toBe('change');
    expect(record.channels).toEqual(spec.channels);
    const again = await checkpointFor(path.join(legacyDir, 'change-detector.json'), 'main', () => {
      throw new Error('rebuilt a second time');
    }, path.join(tmp, 'checkpoints'));
    expect(again).toBe(rebuilt);
  });

  it('refuses to rebuild a fused network shipped without its checkpoint, saying so', async () => {
    const dir = path.join(tmp, 'fused-alone');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(spec.dir, 'change-detector.json'), path.join(dir, 'change-detector.json'));
    fs.symlinkSync(path.join(spec.dir, spec.onnx), path.join(dir, spec.onnx));
    await expect(checkpointFor(path.join(dir, 'change-detector.json'), 'main', () => {}, path.join(tmp, 'checkpoints'))).rejects.toThrow(/no PyTorch checkpoint beside change-detector\.onnx .* the main network is the fused one \(pretrained encoder\), which is not rebuilt from ONNX/);
  });

  it('fails when one weight of the rebuilt checkpoint is damaged', async () => {
    const damaged = path.join(tmp, 'damaged.pt');
    await exec(PYTHON, ['-c', `import torch; c = torch.load(${JSON.stringify(rebuilt)}); c["state"]["e3.1.conv.0.weight"][5, 7, 1, 1] += 0.1; torch.save(c, ${JSON.stringify(damaged)})`], { env });
    const fixture = path.join(spec.dir, 'parity', 'input.f32');
    const shape = [2, spec.channels.length, 64, 64];
    const onnx = await legacy.detectChips(readF32(fixture), 2, 64, 'main');
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
    const checkpoint = rebuilt;
    const fixture = path.join(spec.dir, 'parity', 'input.f32');
    const code = [
      'import sys, numpy as np, torch',
      "sys.path.insert(0, 'models')",
      'from train import keep_batchnorm_frozen',
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
