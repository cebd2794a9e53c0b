/**
 * `npm run model` against the real parts: real PyTorch fine-tuning (a few steps on tiny folders),
 * real ONNX export, the real evaluation, a real model store in a temporary folder. The held-back
 * choice and the refusals that need no training run everywhere; the rest is skipped, saying so,
 * where Debian's python3-torch is missing (training is not part of `npm test`'s set-up).
 *
 * A version that is worse for sure: the adapting pairs show roofs appearing but are labelled "no
 * change" (an office whose reviewers marked them permitted), the held-back pair is labelled with
 * its roofs. The adapted network learns to stay silent and scores below the shipped one there.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDetector, type Network } from '#pipeline/model/change-detector.js';
import { loadModelSpec } from '#pipeline/model/model-spec.js';
import { storeCopiedVersion } from '#pipeline/model/testing/store-version.js';
import { modelStoreDir, servedSpecPath, SHIPPED } from '#pipeline/model-store.js';
import { writePairsFolder, writePng, writeSurfaceFolder, writeSurfaceRgb } from '../eval/testing/write-folders.js';
import { loadTile, prepareTile } from '../eval/surface.js';
import { adaptItems, chooseHeldBack, hasTorch, networkToAdapt, versionName } from './adapt.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);
const torch = hasTorch();
if (!torch) console.warn('scripts/model/model.test.ts: /usr/bin/python3 cannot import torch (Debian: apt-get install python3-torch); the adapting tests are skipped');

let tmp: string;
let store: string;

async function cli(script: 'model' | 'eval', args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await exec('npx', ['tsx', `scripts/${script}.ts`, ...args], {
      cwd: ROOT,
      env: { ...process.env, MODEL_STORE: store, MODEL_VERSION: '', ...env },
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

/** The largest difference between a stored version's ONNX network on its parity chips and what torch computed there at export. */
async function worstParityDifference(dir: string, network: Network): Promise<number> {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'parity', 'parity.json'), 'utf8')) as { input_shape: number[] };
  const read = (f: string) => {
    const buf = fs.readFileSync(path.join(dir, 'parity', f));
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  };
  const detector = await ChangeDetector.load({ specPath: path.join(dir, 'change-detector.json'), threads: 2, executionProvider: 'cpu' });
  try {
    const out = await detector.detectChips(read('input.f32'), meta.input_shape[0]!, meta.input_shape[2]!, network);
    const expected = read('output.f32');
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - expected[i]!));
    return worst;
  } finally {
    await detector.close();
  }
}

const SIZE = 128;
const NAMES = ['north', 'east', 'south'];

/**
 * Three 128 x 128 pairs (read at the model's 0.5 m): textured fields before, the same with large
 * grey and red roofs after. Only the held-back pair (by `seed`) is labelled with its roofs.
 */
function writeOfficeFolder(dir: string, seed: number): string[] {
  for (const sub of ['A', 'B', 'label']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const held = chooseHeldBack(NAMES.map((name) => ({ folder: dir, name })), seed).held.map((h) => h.name);
  NAMES.forEach((name, k) => {
    const field = (base: number) => Uint8Array.from({ length: SIZE * SIZE }, (_, i) => base + ((i * 7 + ((i / SIZE) | 0) * 3 + k * 5) % 23));
    const a = [field(70), field(100), field(50)];
    const b = a.map((band) => band.slice());
    const label = new Uint8Array(SIZE * SIZE);
    const roofs = [[10, 10, 50, 60, [200, 200, 205]], [70, 20, 110, 70, [190, 60, 50]], [20, 80, 60, 118, [210, 210, 210]]] as const;
    for (const [r0, c0, r1, c1, colour] of roofs) {
      for (let r = r0 + k * 2; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          b.forEach((band, j) => (band[r * SIZE + c] = colour[j]!));
          if (held.includes(name)) label[r * SIZE + c] = 255;
        }
      }
    }
    writePng(path.join(dir, 'A', `${name}.png`), a, SIZE);
    writePng(path.join(dir, 'B', `${name}.png`), b, SIZE);
    writePng(path.join(dir, 'label', `${name}.png`), [label], SIZE);
  });
  return held;
}

/**
 * A surface-model folder of three tiles (north, east, south: writeSurfaceFolder's 0.25 m tile of
 * six box houses, each withholding its own houses when scored), with the flight's orthophoto
 * (rgb/) when `rgb`.
 */
function writeSurfaceOffice(dir: string, rgb = false): string {
  for (const name of NAMES) {
    const one = path.join(dir, '..', `${path.basename(dir)}-${name}`);
    writeSurfaceFolder(one, 6, 200);
    if (rgb) writeSurfaceRgb(one, 'rgb');
    for (const [sub, ext] of [['dsm', '.tif'], ['mask', '.tif'], ['mask_vec', '.geojson'], ...(rgb ? [['rgb', '.tif']] : [])] as const) {
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
      fs.copyFileSync(path.join(one, sub, `t1${ext}`), path.join(dir, sub, `${name}${ext}`));
    }
  }
  return dir;
}

const TRAIN = ['--steps', '40', '--batch', '4', '--crop', '64', '--cache', '8', '--lr', '0.01'];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-model-'));
  store = path.join(tmp, 'store');
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the held-back share', () => {
  it('is at least a third of each folder, whole files, the same for the same seed', () => {
    const items = [...Array.from({ length: 10 }, (_, i) => ({ folder: 'a', name: `t${i}` })), ...Array.from({ length: 4 }, (_, i) => ({ folder: 'b', name: `u${i}` }))];
    const one = chooseHeldBack(items, 7);
    expect(one.held.filter((i) => i.folder === 'a')).toHaveLength(4);
    expect(one.held.filter((i) => i.folder === 'b')).toHaveLength(2);
    expect(one.held.length + one.rest.length).toBe(items.length);
    expect(one.rest.some((r) => one.held.includes(r))).toBe(false);
    expect(chooseHeldBack([...items].reverse(), 7).held.map((i) => i.name).sort()).toEqual(one.held.map((i) => i.name).sort());
    const seeds = new Set(Array.from({ length: 8 }, (_, s) => chooseHeldBack(items, s).held.map((i) => i.name).sort().join()));
    expect(seeds.size).toBeGreaterThan(1);
  });
});

describe('the model store', () => {
  it('lies beside the raster store unless MODEL_STORE says otherwise', () => {
    expect(modelStoreDir({ RASTER_STORE: '/data/lingwei/rasters' })).toBe('/data/lingwei/models');
    expect(modelStoreDir({ RASTER_STORE: '/data/lingwei/rasters', MODEL_STORE: '/srv/models' })).toBe('/srv/models');
    expect(modelStoreDir({ RASTER_STORE: '/vsis3/bucket/rasters' })).toBe(path.join(ROOT, '.lingwei/models'));
    expect(servedSpecPath({ MODEL_STORE: path.join(tmp, 'empty-store') })).toBe(loadModelSpec().dir + '/change-detector.json');
  });

  it('refuses generated scenes and folders of two layouts, saying why', async () => {
    const scenes = path.join(tmp, 'scenes');
    fs.mkdirSync(scenes, { recursive: true });
    fs.writeFileSync(path.join(scenes, 'scene.json'), '{}');
    const r = await cli('model', ['adapt', '--folders', scenes, '--json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/generated scenes are not an office's data/);
    expect(r.out).toBe('');
    const surface = path.join(tmp, 'one-tile');
    writeSurfaceFolder(surface, 2, 64);
    const pairs = path.join(tmp, 'two-pairs');
    writePairsFolder(pairs, 2, 64);
    expect(() => adaptItems([surface, pairs])).toThrow(/different layouts \(surface, pairs\) are served by different networks/);
  });

  it('adapts the network that serves the data: surface models alone the surface-model-only network, image pairs the image-pair one; a drone flight\'s tiles the main one, though served as first patrols by the surface network', async () => {
    const surface = writeSurfaceOffice(path.join(tmp, 'mode-surface'));
    const drone = writeSurfaceOffice(path.join(tmp, 'mode-drone'), true);
    const pairs = path.join(tmp, 'mode-pairs');
    writePairsFolder(pairs, 2, 64);
    const shipped = loadModelSpec().dir + '/change-detector.json';
    const first = (dir: string) => adaptItems([dir])[0]!;
    expect(await networkToAdapt(first(surface), shipped)).toBe('surface_only');
    expect(await networkToAdapt(first(drone), shipped)).toBe('main');
    expect(await networkToAdapt(first(pairs), shipped)).toBe('pair');
    // The routing itself: the drone tiles have no earlier flight, so they are a first patrol.
    const detector = await ChangeDetector.load({ specPath: shipped, threads: 1 });
    try {
      const item = first(drone);
      if (item.layout !== 'surface') throw new Error('a surface-model tile');
      expect(detector.networkFor(prepareTile(loadTile(item), detector.spec))).toBe('surface_only');
    } finally {
      await detector.close();
    }
  });

  it('claims a new version\'s folder as it names it: two adaptations in the same second get two folders', () => {
    const claims = path.join(tmp, 'claims');
    const first = versionName(claims, 'pair');
    const second = versionName(claims, 'pair');
    expect(second).not.toBe(first);
    for (const name of [first, second]) expect(fs.statSync(path.join(claims, 'versions', name)).isDirectory()).toBe(true);
    expect(versionName(claims, 'pair', 'mine')).toBe('mine');
    expect(() => versionName(claims, 'pair', 'mine')).toThrow(/that version exists already/);
  });

  it('says there is nothing to promote or roll back in an empty store', async () => {
    expect(await cli('model', ['promote', 'nope'])).toMatchObject({ code: 1, err: expect.stringMatching(/no version nope in the model store/) });
    expect(await cli('model', ['rollback'])).toMatchObject({ code: 1, err: expect.stringMatching(/nothing to roll back/) });
    expect((await cli('model', ['list'])).out).toMatch(/no version promoted; the shipped networks \(models\/\) serve/);
  });

  it('lists each version\'s patrol check, object F1 of its base -> of it, and a dash for a version made before patrol checks', async () => {
    const listed = path.join(tmp, 'listed');
    storeCopiedVersion(listed, 'patrolled', { patrol: { before: 0.766, after: 0.444 } });
    storeCopiedVersion(listed, 'older');
    const lines = (await cli('model', ['list'], { MODEL_STORE: listed })).out.split('\n');
    expect(lines.find((l) => l.startsWith('  version'))).toMatch(/gain +patrol object F1$/);
    expect(lines.find((l) => l.includes('patrolled'))).toMatch(/\+0\.100 {2}0\.766 -> 0\.444$/);
    expect(lines.find((l) => l.includes('older'))).toMatch(/\+0\.100 {2}-$/);
  });
});

describe.skipIf(!torch)('adapting, promoting, rolling back', () => {
  const seed = 3;
  let office: string;
  let held: string[];
  let result: {
    version: string; held_back: string[]; before: Record<string, unknown> & { pixel: { f1: number } }; after: Record<string, unknown> & { pixel: { f1: number } };
    patrol_check: { seeds: number[]; mode: string; margin: number; before: Record<string, unknown> & { object: { f1: number } }; after: Record<string, unknown> & { object: { f1: number } } };
  };

  beforeAll(async () => {
    office = path.join(tmp, 'office');
    held = writeOfficeFolder(office, seed);
    const r = await cli('model', ['adapt', '--folders', office, '--seed', String(seed), '--json', ...TRAIN]);
    if (r.code !== 0) throw new Error(`adapt failed: ${r.err}`);
    result = JSON.parse(r.out) as typeof result;
  }, 300_000);

  it('prints the contract: version, the held-back names chosen by the seed, before and after with the keys of npm run eval --json', async () => {
    // the contract's keys, and the patrol check beside them
    expect(Object.keys(result).sort()).toEqual(['after', 'before', 'held_back', 'patrol_check', 'version']);
    // the image-pair network is checked on whole generated validation scenes as bare pairs
    expect(result.patrol_check).toMatchObject({ seeds: [901, 902, 903], mode: 'rgb_pair', margin: 0.05, before: { layout: 'scenes', mode: 'rgb_pair', pairs: 3, networks: ['pair'] } });
    expect(result.patrol_check.before.object.f1).toBeGreaterThan(0);
    expect(result.held_back).toEqual(held);
    expect(result.held_back.length / NAMES.length).toBeGreaterThanOrEqual(1 / 3);
    const evaluated = await cli('eval', [path.join(store, 'versions', result.version, 'held-back'), '--json', '--model', result.version]);
    expect(evaluated.code).toBe(0);
    const scores = JSON.parse(evaluated.out) as Record<string, unknown>;
    expect(Object.keys(result.before).sort()).toEqual(Object.keys(scores).sort());
    expect(Object.keys(result.after).sort()).toEqual(Object.keys(scores).sort());
    // eval --model <version> scores the stored version as adapt did
    expect(scores.pixel).toEqual(result.after.pixel);
    expect(scores.networks).toEqual(['pair']);
    // the labelled roofs were learnt as "no change": the adapted version scores worse
    expect(result.before.pixel.f1).toBeGreaterThan(0);
    expect(result.after.pixel.f1).toBeLessThan(result.before.pixel.f1);
  });

  it('stores the version: its ONNX (matching torch), sidecar, checkpoint and card', async () => {
    const dir = path.join(store, 'versions', result.version);
    for (const f of ['change-detector.json', 'change-detector-pair.onnx', 'change-detector-pair.pt', 'change-detector.onnx', 'CARD.md', 'version.json']) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    const spec = loadModelSpec(path.join(dir, 'change-detector.json'));
    expect(spec.pair_onnx).toBe('change-detector-pair.onnx');
    expect((spec.training?.adapt as { steps: number; base: string }).steps).toBe(40);
    // The shipped map of the image-pair network was fitted for the shipped file: the version holds
    // one refitted for its own file on the adapted-on pairs, or none (too few objects), never the
    // shipped one; the other networks keep theirs.
    const shipped = loadModelSpec();
    const pairMap = spec.calibration?.pair;
    const own = createHash('sha256').update(fs.readFileSync(path.join(dir, 'change-detector-pair.onnx'))).digest('hex');
    expect(pairMap === undefined || (pairMap.onnx_sha256 === own && pairMap.data?.[0] === 'adapted-on files')).toBe(true);
    expect(shipped.calibration?.pair?.onnx_sha256).not.toBe(own);
    expect(spec.calibration?.main).toEqual(shipped.calibration?.main);
    expect(fs.readFileSync(path.join(dir, 'CARD.md'), 'utf8')).toMatch(/- Calibration: (refitted on the adapted-on files|none \(too few objects)/);
    expect(fs.readFileSync(path.join(dir, 'CARD.md'), 'utf8')).toMatch(new RegExp(`## Version ${result.version}[\\s\\S]*Held back \\(chosen by seed ${seed}, whole files\\): ${held.join(', ')}`));
    expect(await worstParityDifference(dir, 'pair')).toBeLessThanOrEqual(1e-4);
    // The base's other networks keep the checkpoints shipped beside them, byte for byte: an
    // adaptation from this version takes them (neither an average nor a fused network is rebuilt from its ONNX file).
    const besides = [shipped.onnx, shipped.surface_only_onnx, shipped.aerial_onnx].map((f) => f?.replace(/\.onnx$/i, '.pt')).filter((f): f is string => Boolean(f) && fs.existsSync(path.join(shipped.dir, f!)));
    expect(besides).toContain('change-detector.pt');
    for (const f of besides) expect(fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(shipped.dir, f))), f).toBe(true);
  });

  it('refuses to promote the worse version, saying by how much; --force promotes it, ChangeDetector.load serves it, rollback undoes it', async () => {
    const refused = await cli('model', ['promote', result.version]);
    expect(refused.code).toBe(1);
    const margin = (result.before.pixel.f1 - result.after.pixel.f1).toFixed(3);
    expect(refused.err).toContain(`refused: ${result.version} scores pixel F1 ${result.after.pixel.f1.toFixed(3)} on its held-back share (1 pairs), ${margin} below shipped`);
    expect(refused.err).toMatch(/--force/);
    expect(JSON.parse((await cli('model', ['list', '--json'])).out)).toMatchObject({ served: SHIPPED });

    const forced = await cli('model', ['promote', result.version, '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.out)).toMatchObject({ promoted: true, forced: true, replaced: SHIPPED, version: result.version });
    const listed = JSON.parse((await cli('model', ['list', '--json'])).out) as { served: string; versions: { version: string; promoted: boolean }[] };
    expect(listed.served).toBe(result.version);
    expect(listed.versions).toEqual([expect.objectContaining({ version: result.version, promoted: true })]);

    // The promoted version is what ChangeDetector.load serves by default; MODEL_VERSION pins another.
    const saved = { store: process.env.MODEL_STORE, version: process.env.MODEL_VERSION };
    process.env.MODEL_STORE = store;
    delete process.env.MODEL_VERSION;
    try {
      const detector = await ChangeDetector.load({ threads: 1, executionProvider: 'cpu' });
      expect((detector.spec as { dir?: string }).dir).toBe(path.join(store, 'versions', result.version));
      await detector.close();
      process.env.MODEL_VERSION = SHIPPED;
      const shipped = await ChangeDetector.load({ threads: 1, executionProvider: 'cpu' });
      expect((shipped.spec as { dir?: string }).dir).toBe(loadModelSpec().dir);
      await shipped.close();
    } finally {
      for (const [k, v] of [['MODEL_STORE', saved.store], ['MODEL_VERSION', saved.version]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }

    // A version adapted from the promoted one and no worse there is promoted without --force.
    const next = await cli('model', ['adapt', '--folders', office, '--seed', String(seed), '--json', '--name', 'office-2', ...TRAIN]);
    expect(next.code).toBe(0);
    const second = JSON.parse(next.out) as typeof result;
    expect(second.before.pixel).toEqual(result.after.pixel);
    if (second.after.pixel.f1 >= second.before.pixel.f1) {
      const promoted = await cli('model', ['promote', 'office-2']);
      expect(promoted.code).toBe(0);
      expect(promoted.out).toMatch(new RegExp(`promoted office-2 in place of ${result.version}`));
      expect((await cli('model', ['rollback'])).out).toMatch(new RegExp(`rolled back: office-2 no longer serves; ${result.version} serves`));
    }

    const rolled = await cli('model', ['rollback']);
    expect(rolled).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`rolled back: ${result.version} no longer serves; the shipped networks \\(models/\\) serve`)) });
    expect(JSON.parse((await cli('model', ['list', '--json'])).out)).toMatchObject({ served: SHIPPED });
  }, 300_000);
});

describe.skipIf(!torch)('adapting a surface-model folder', () => {
  it('fine-tunes the surface-model-only network from its checkpoint (shipped beside its ONNX file, or rebuilt from it), stores it beside the base\'s other networks, decides by object F1', async () => {
    const office = writeSurfaceOffice(path.join(tmp, 'surface-office'));
    const r = await cli('model', ['adapt', '--folders', office, '--seed', '2', '--json', '--name', 'surface-1', '--steps', '10', '--batch', '2', '--crop', '64', '--lr', '0.0003']);
    if (r.code !== 0) throw new Error(`adapt failed: ${r.err}`);
    const result = JSON.parse(r.out) as { version: string; held_back: string[]; before: { networks: string[]; object: { f1: number } }; after: { networks: string[]; object: { f1: number } } };
    expect(result.version).toBe('surface-1');
    expect(result.held_back).toEqual(chooseHeldBack(NAMES.map((name) => ({ folder: office, name })), 2).held.map((h) => h.name));
    expect(result.before.networks).toEqual(['surface_only']);
    expect(result.after.networks).toEqual(['surface_only']);
    expect(r.err).toMatch(/BatchNorm statistics frozen/);

    const dir = path.join(store, 'versions', 'surface-1');
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'version.json'), 'utf8')) as { network: string; layout: string; metric: string; held_back_files: Record<string, string>[] };
    expect(record).toMatchObject({ network: 'surface_only', layout: 'surface', metric: 'object_f1' });
    expect(Object.keys(record.held_back_files[0]!).sort()).toEqual(['dsm', 'name', 'outlines']);
    const shipped = loadModelSpec();
    const spec = loadModelSpec(path.join(dir, 'change-detector.json'));
    expect(spec.surface_only_onnx).toBe('change-detector-surface.onnx');
    const bytes = (d: string, f: string) => fs.readFileSync(path.join(d, f));
    // the adapted network is new; the others are the base's, byte for byte
    expect(bytes(dir, spec.surface_only_onnx!).equals(bytes(shipped.dir, shipped.surface_only_onnx!))).toBe(false);
    for (const f of [shipped.onnx, shipped.aerial_onnx, shipped.pair_onnx].filter((x): x is string => Boolean(x))) expect(bytes(dir, f).equals(bytes(shipped.dir, f)), f).toBe(true);
    expect(fs.existsSync(path.join(dir, 'change-detector-surface.pt'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'CARD.md'), 'utf8')).toMatch(/surface-model-only network of shipped, fine-tuned on 2 of the 3 tiles[\s\S]*BatchNorm statistics frozen[\s\S]*object F1 decides promotion/);

    // npm run eval on the stored held-back folder with the version gives the recorded figures
    const evaluated = await cli('eval', [path.join(dir, 'held-back'), '--json', '--model', 'surface-1']);
    expect(evaluated.code).toBe(0);
    expect((JSON.parse(evaluated.out) as { object: unknown }).object).toEqual((result.after as { object: unknown }).object);

    // the version's ONNX computes what torch computed at export
    expect(await worstParityDifference(dir, 'surface_only')).toBeLessThanOrEqual(1e-4);

    // promotion compares by object F1 on the tiles
    const promoted = await cli('model', ['promote', 'surface-1', '--force', '--json']);
    expect(promoted.code).toBe(0);
    expect(JSON.parse(promoted.out)).toMatchObject({ metric: 'object_f1', promoted: true });
    expect((await cli('model', ['rollback'])).code).toBe(0);
  }, 300_000);
});
