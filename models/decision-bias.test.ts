/**
 * The pair network's decision point (models/decision_bias.py) and the trainer's options beside it,
 * on a real chain shrunk to seconds: a one-pair LEVIR-layout folder (testing/one-pair-folder.ts: a roof appears
 * between the dates) is exported with `models/data/export.ts`, the encoder is exported from
 * nsfwjs, the pair network trains three steps with the degrade augmentation and a slowed encoder,
 * and decision_bias.py moves its head. Skipped where Debian's python3-torch is missing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, hasTorch, writeOnePairLevir } from './testing/one-pair-folder.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-decision-'));
  // Two pairs: the network leaves the second out, as a cross-validation fold does.
  await writeOnePairLevir(path.join(dir, 'real'));
  await writeOnePairLevir(path.join(dir, 'real'), 'train_2');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const headBias = async (checkpoint: string) =>
  JSON.parse((await run(PYTHON, ['-c', `import torch, json; print(json.dumps(torch.load(${JSON.stringify(checkpoint)})["state"]["head.bias"].tolist()))`])).stdout) as number[];

describe.skipIf(!hasTorch)("the pair network's decision point", () => {
  it('trains with --degrade and --encoder-lr-scale, moves the head by -logit(t) chosen on the trained pairs, leaving out the pairs the network left out, and refuses a second move', async () => {
    await run('npx', ['tsx', 'models/data/export.ts', '--out', path.join(dir, 'data'), '--scenes', '1', '--real', path.join(dir, 'real')], { timeout: 180_000 });
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'index-0.json'), 'utf8')) as { real: Record<string, number> };
    expect(index.real).toMatchObject({ levir_cd: 2 });
    await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', path.join(dir, 'encoder')], { timeout: 120_000 });
    const checkpoint = path.join(dir, 'pair.pt');
    await run(
      PYTHON,
      ['models/train.py', '--data', path.join(dir, 'data'), '--out', checkpoint, '--arch', 'pair', '--mix', 'pair', '--encoder', path.join(dir, 'encoder'),
        '--steps', '3', '--batch', '2', '--crop', '64', '--degrade', '1', '--tune-encoder-from', 'block_12', '--encoder-lr-scale', '0.1', '--leave-out', 'levir_cd/train_2'],
      { timeout: 180_000, env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } },
    );
    const before = await headBias(checkpoint);
    const bias = ['models/decision_bias.py', '--checkpoint', checkpoint, '--data', path.join(dir, 'data'), '--encoder', path.join(dir, 'encoder')];
    const { stdout } = await run(PYTHON, bias, { timeout: 180_000 });
    const record = JSON.parse(stdout.trim().split('\n').pop()!) as { threshold: number; bias_shift: number; pairs: number; 'f1_at_0.5': number; f1_at_threshold: number; left_out: string[] };
    expect(record.pairs).toBe(1);
    expect(record.left_out).toEqual(['levir_cd/train_2']);
    expect(record.threshold).toBeGreaterThanOrEqual(0.3);
    expect(record.threshold).toBeLessThanOrEqual(0.8);
    expect(record.f1_at_threshold).toBeGreaterThanOrEqual(record['f1_at_0.5']);
    expect(record.bias_shift).toBeCloseTo(-Math.log(record.threshold / (1 - record.threshold)), 3);
    const after = await headBias(checkpoint);
    after.forEach((b, k) => expect(b - before[k]!).toBeCloseTo(record.bias_shift, 4));
    const training = JSON.parse((await run(PYTHON, ['-c', `import torch, json; print(json.dumps(torch.load(${JSON.stringify(checkpoint)})["training"]))`])).stdout) as Record<string, unknown>;
    expect(training).toMatchObject({ degrade: 1, encoder_lr_scale: 0.1, tune_encoder_from: 'block_12', decision_bias: { threshold: record.threshold } });
    await expect(run(PYTHON, bias, { timeout: 180_000 })).rejects.toMatchObject({ stderr: expect.stringMatching(/decision point was moved already/) });
  }, 600_000);
});
