/**
 * A one-pair LEVIR-layout folder for the trainer's tests (a roof appears between the dates on
 * textured ground), small enough to export and train on in seconds; whether Debian's torch is
 * here to train with; and a way to run Python in models/ and read its answer.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

/** Debian's python3 with python3-torch (the pyenv python3 on PATH has no torch). */
export const PYTHON = '/usr/bin/python3';
export const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
/** Passive OpenMP waits: the same results, far less CPU spun away on a shared machine. */
export const TORCH_ENV = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
const MODELS_DIR = path.resolve(import.meta.dirname, '..');

/** Python code run in models/ (the trainer's modules importable); its last stdout line as JSON. */
export async function pythonJson(code: string, timeoutMs = 180_000): Promise<unknown> {
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', code], { cwd: MODELS_DIR, env: TORCH_ENV, timeout: timeoutMs });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

const SIZE = 96;
const roof = (x: number, y: number) => x >= 30 && x < 60 && y >= 24 && y < 50;
const ground = (x: number, y: number, c: number) => 90 + c * 10 + ((x * 7 + y * 13) % 23);

async function png(file: string, channels: 1 | 3, value: (x: number, y: number, c: number) => number): Promise<void> {
  const data = Buffer.alloc(SIZE * SIZE * channels);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) for (let c = 0; c < channels; c++) data[(y * SIZE + x) * channels + c] = value(x, y, c);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(data, { raw: { width: SIZE, height: SIZE, channels } }).png().toFile(file);
}

/** Writes `<realRoot>/levir_cd/{A,B,label}/<name>.png` (default train_1): a 30 x 26 px roof new on B. */
export async function writeOnePairLevir(realRoot: string, name = 'train_1'): Promise<void> {
  const pairs = path.join(realRoot, 'levir_cd');
  await png(path.join(pairs, 'A', `${name}.png`), 3, ground);
  await png(path.join(pairs, 'B', `${name}.png`), 3, (x, y, c) => (roof(x, y) ? 200 + c * 15 : ground(x, y, c)));
  await png(path.join(pairs, 'label', `${name}.png`), 1, (x, y) => (roof(x, y) ? 255 : 0));
}
