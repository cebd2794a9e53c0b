/**
 * An office made of real surface models (issue 19 item 5, the drone part): the 88 uav_dsm_vietnam
 * development tiles (real photogrammetric surface models with their building outlines; never
 * copied into the project) taken as an office's folder. `npm run model -- adapt --folders` holds
 * back a third of the tiles by the seed, fine-tunes the surface-model-only network (rebuilt from
 * its ONNX file) on the rest and scores the shipped and the adapted version on the held-back third
 * with `npm run eval`'s code; `npm run eval -- <held-back> --model <version>` gives the same figures.
 *
 * The shipped surface network trained on 65 of these tiles (models/data/splits.ts uavHeldOut leaves
 * out the other 23): the test says how many held-back tiles it saw. The steps here are few, to run
 * in a few minutes on two shared cores; the figures of a longer run are in models/MODEL_CARD.md
 * ("Adapting to an office's data").
 *
 * Skipped, saying so, without ../shared/data/real/uav_dsm_vietnam or Debian's python3-torch.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uavHeldOut } from '#models/data/splits.js';
import { chooseHeldBack, hasTorch } from './adapt.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UAV = path.resolve(ROOT, '..', 'shared', 'data', 'real', 'uav_dsm_vietnam');
const exec = promisify(execFile);
const torch = hasTorch();
const present = fs.existsSync(path.join(UAV, 'mask_vec'));
if (!present) console.warn(`scripts/model/adapt-office-surface.test.ts: no ${UAV} (the shared real data beside the repository): the surface-model office is not built`);
else if (!torch) console.warn('scripts/model/adapt-office-surface.test.ts: /usr/bin/python3 cannot import torch (Debian: apt-get install python3-torch): the surface-model office is not built');

const SEED = 1;
const TRAIN = ['--steps', '60', '--batch', '8', '--crop', '128', '--lr', '0.0001'];

interface Scores {
  networks: string[];
  pixel: { f1: number };
  object: { f1: number; tp: number; fp: number; fn: number };
  items: { name: string; object: { tp: number; fp: number; fn: number } }[];
}
interface Answer {
  version: string;
  held_back: string[];
  before: Scores;
  after: Scores;
  patrol_check: { seeds: number[]; mode: string; margin: number; before: Omit<Scores, 'items'>; after: Omit<Scores, 'items'> };
}

let tmp: string;
let office: string;
let store: string;
let answer: Answer;

async function cli(script: 'model' | 'eval', args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const env = { ...process.env, MODEL_STORE: store, MODEL_VERSION: '', OMP_WAIT_POLICY: 'PASSIVE' };
    const { stdout, stderr } = await exec('npx', ['tsx', `scripts/${script}.ts`, ...args], { cwd: ROOT, env, timeout: 560_000, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

/** The office's folder: links to every tile's surface model, mask and outlines. */
function linkOffice(dir: string): string[] {
  const names = fs.readdirSync(path.join(UAV, 'dsm')).filter((f) => f.endsWith('.tif')).map((f) => f.slice(0, -4)).sort();
  for (const [sub, ext] of [['dsm', '.tif'], ['mask', '.tif'], ['mask_vec', '.geojson']] as const) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
    for (const name of names) fs.symlinkSync(path.join(UAV, sub, `${name}${ext}`), path.join(dir, sub, `${name}${ext}`));
  }
  return names;
}

const f3 = (v: number) => v.toFixed(3);

/** Object counts and F1 over some items of a scoring. */
function objectsOf(s: Scores, names: Set<string>): string {
  const c = s.items.filter((i) => names.has(i.name)).reduce((a, i) => ({ tp: a.tp + i.object.tp, fp: a.fp + i.object.fp, fn: a.fn + i.object.fn }), { tp: 0, fp: 0, fn: 0 });
  return `object F1 ${f3((2 * c.tp) / Math.max(1, 2 * c.tp + c.fp + c.fn))} (${c.tp} tp, ${c.fp} fp, ${c.fn} fn)`;
}

let names: string[] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-uav-office-'));
  store = path.join(tmp, 'models');
  office = path.join(tmp, 'office');
  if (!present || !torch) return;
  names = linkOffice(office);
  const r = await cli('model', ['adapt', '--folders', office, '--seed', String(SEED), '--json', ...TRAIN]);
  if (r.code !== 0) throw new Error(`adapt failed: ${r.err}`);
  answer = JSON.parse(r.out) as Answer;
}, 600_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!present || !torch)('an office made of real surface models (uav_dsm_vietnam)', () => {
  it('adapts the surface-model-only network on two thirds of the tiles and scores both versions on the held-back third', async () => {
    expect(Object.keys(answer).sort()).toEqual(['after', 'before', 'held_back', 'patrol_check', 'version']);
    // the surface-model-only network's patrol check: whole generated validation scenes, heights alone
    expect(answer.patrol_check).toMatchObject({ seeds: [901, 902, 903], mode: 'dsm', before: { networks: ['surface_only'] }, after: { networks: ['surface_only'] } });
    expect(names).toHaveLength(88);
    expect(answer.held_back).toEqual(chooseHeldBack(names.map((name) => ({ folder: office, name })), SEED).held.map((h) => h.name));
    expect(answer.held_back).toHaveLength(Math.ceil(names.length / 3));
    expect(answer.before.networks).toEqual(['surface_only']);
    expect(answer.after.networks).toEqual(['surface_only']);
    // Withheld houses are there to find on the held-back tiles, and the shipped network finds some.
    expect(answer.before.object.tp + answer.before.object.fn).toBeGreaterThan(10);
    expect(answer.before.object.tp).toBeGreaterThan(0);

    const record = JSON.parse(fs.readFileSync(path.join(store, 'versions', answer.version, 'version.json'), 'utf8')) as { trained_on: string[]; network: string; metric: string };
    expect(record).toMatchObject({ network: 'surface_only', metric: 'object_f1' });
    expect(record.trained_on.filter((n) => answer.held_back.includes(n))).toEqual([]);
    expect(record.trained_on.length + answer.held_back.length).toBe(88);

    const p = answer.patrol_check;
    const seen = new Set(answer.held_back.filter((n) => !uavHeldOut(n)));
    const unseen = new Set(answer.held_back.filter((n) => uavHeldOut(n)));
    console.log(
      [
        `uav office, ${TRAIN.join(' ')}, seed ${SEED}: ${record.trained_on.length} tiles adapted on, ${answer.held_back.length} held back (${seen.size} of them seen in the shipped network's training, ${unseen.size} never)`,
        `  shipped: object F1 ${f3(answer.before.object.f1)} (${answer.before.object.tp} tp, ${answer.before.object.fp} fp, ${answer.before.object.fn} fn), pixel F1 ${f3(answer.before.pixel.f1)}`,
        `  adapted: object F1 ${f3(answer.after.object.f1)} (${answer.after.object.tp} tp, ${answer.after.object.fp} fp, ${answer.after.object.fn} fn), pixel F1 ${f3(answer.after.pixel.f1)}`,
        `  on the ${unseen.size} held-back tiles never trained on: shipped ${objectsOf(answer.before, unseen)}, adapted ${objectsOf(answer.after, unseen)}`,
        `  patrol check (scenes ${answer.patrol_check.seeds.join(', ')}, mode ${answer.patrol_check.mode}): shipped object F1 ${f3(p.before.object.f1)} (${p.before.object.tp} tp, ${p.before.object.fp} fp, ${p.before.object.fn} fn), ` +
          `adapted ${f3(p.after.object.f1)} (${p.after.object.tp} tp, ${p.after.object.fp} fp, ${p.after.object.fn} fn)`,
      ].join('\n'),
    );
  });

  it('promotion decides by object F1 on the held-back tiles and on the patrol check: a worse version is refused, saying by how much', async () => {
    const r = await cli('model', ['promote', answer.version, '--json']);
    const promoted = JSON.parse(r.out || '{}') as { promoted?: boolean; metric?: string; margin?: number };
    const margin = answer.after.object.f1 - answer.before.object.f1;
    const fall = answer.patrol_check.before.object.f1 - answer.patrol_check.after.object.f1;
    expect(promoted).toMatchObject({ promoted: margin >= 0 && fall <= answer.patrol_check.margin, metric: 'object_f1' });
    expect(promoted.margin).toBeCloseTo(margin, 9);
    if (margin < 0) expect(r.err + r.out).toContain(`${f3(-margin)} below shipped`);
    if (fall > answer.patrol_check.margin) expect(r.err + r.out).toContain(`on its patrol check (3 generated validation scenes, mode dsm), ${f3(fall)} below shipped`);
  }, 120_000);

  it('npm run eval -- <held-back> --model <version> scores the adapted version as adapt did', async () => {
    const evaluated = await cli('eval', [path.join(store, 'versions', answer.version, 'held-back'), '--json', '--model', answer.version]);
    expect(evaluated.code).toBe(0);
    const scores = JSON.parse(evaluated.out) as Scores;
    expect(scores.object).toEqual(answer.after.object);
    expect(scores.pixel).toEqual(answer.after.pixel);
    expect(scores.items.map((i) => i.name).sort()).toEqual([...answer.held_back].sort());
  }, 300_000);
});
