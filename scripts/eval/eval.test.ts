import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDetector } from '../../pipeline/src/model/change-detector.js';
import { generateScene } from '../../fixtures/generator/scene.js';
import { writeScene } from '../../fixtures/generator/write-scene.js';
import { evaluatePairs, evaluateScenes, evaluateSurfaces } from './evaluate.js';
import { detectLayout } from './layout.js';
import { listPairs } from './pairs.js';
import { listTiles, loadTile } from './surface.js';
import { writePairsFolder, writeSurfaceFolder } from './testing/write-folders.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-eval-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const sub = (name: string) => {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

describe('layout detection and malformed folders', () => {
  it('names the problem for a missing, empty or unknown folder', () => {
    expect(() => detectLayout(path.join(tmp, 'nope'))).toThrow(/no such folder/);
    expect(() => detectLayout(sub('empty'))).toThrow(/empty[\s\S]*A\/ \(before\)/);
    const odd = sub('odd');
    fs.writeFileSync(path.join(odd, 'readme.txt'), 'x');
    expect(() => detectLayout(odd)).toThrow(/not a layout the evaluation knows/);
  });

  it('tells pairs from surface models from scenes', () => {
    const pairs = sub('pairs-detect');
    writePairsFolder(pairs, 1);
    expect(detectLayout(pairs)).toBe('pairs');
    const surf = sub('surface-detect');
    writeSurfaceFolder(surf, 1);
    expect(detectLayout(surf)).toBe('surface');
    const scenes = sub('scenes-detect');
    fs.mkdirSync(path.join(scenes, 's1'));
    fs.writeFileSync(path.join(scenes, 's1', 'scene.json'), '{}');
    expect(detectLayout(scenes)).toBe('scenes');
  });

  it('refuses pairs with a missing partner or folder', () => {
    const dir = sub('pairs-broken');
    writePairsFolder(dir, 2);
    fs.rmSync(path.join(dir, 'label', 'p1.png'));
    expect(() => listPairs(dir)).toThrow(/label\/p1.png is missing/);
    fs.rmSync(path.join(dir, 'B'), { recursive: true });
    expect(() => listPairs(dir)).toThrow(/B\/ is missing/);
    const none = sub('pairs-none');
    for (const s of ['A', 'B', 'label']) fs.mkdirSync(path.join(none, s));
    expect(() => listPairs(none)).toThrow(/no images/);
  });

  it('refuses surface tiles without outlines', () => {
    const dir = sub('surface-broken');
    writeSurfaceFolder(dir, 1);
    fs.rmSync(path.join(dir, 'mask_vec', 't1.geojson'));
    expect(() => listTiles(dir)).toThrow(/mask_vec\/t1.geojson is missing/);
  });

  it('withholds the same buildings every time', () => {
    const dir = sub('surface-seeded');
    writeSurfaceFolder(dir, 6);
    const a = loadTile(dir, 't1').buildings.map((b) => b.withheld);
    const b = loadTile(dir, 't1').buildings.map((b) => b.withheld);
    expect(a).toEqual(b);
    expect(loadTile(dir, 't1').buildings[0]!.areaM2).toBeCloseTo(80);
  });
});

describe('evaluation on the shipped model', () => {
  let detector: ChangeDetector;
  beforeAll(async () => {
    detector = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu' });
  });
  afterAll(async () => {
    await detector?.close();
  });

  it('scores an image-pair folder, noting an assumed ground resolution', async () => {
    const dir = sub('pairs-eval');
    writePairsFolder(dir, 2);
    const notes: string[] = [];
    const r = await evaluatePairs(dir, detector, { note: (t) => notes.push(t) });
    expect(r.pairs).toBe(2);
    expect(r.pixel.tp + r.pixel.fn).toBe(2 * 20 * 24);
    expect(r.object.tp + r.object.fn).toBe(2);
    expect(notes.join()).toMatch(/assumed/);
    expect(r.chips_per_second).toBeGreaterThan(0);
    expect(r.networks).toEqual(['main']);
  });

  it('scores a surface-model folder with withheld buildings as the truth', async () => {
    const dir = sub('surface-eval');
    writeSurfaceFolder(dir, 6);
    const withheld = loadTile(dir, 't1').buildings.filter((b) => b.withheld).length;
    const r = await evaluateSurfaces(dir, detector);
    expect(r.pairs).toBe(1);
    expect(r.object.tp + r.object.fn).toBe(withheld);
    // Heights without imagery: the surface-model-only network serves them.
    expect(r.networks).toEqual(['surface_only']);
  });

  it('scores a generated scene after taking out its flight drift, as the pipeline does', async () => {
    const dir = sub('scenes-eval');
    const scene = generateScene({ seed: 31, sizeM: 150, gsdM: 0.1 });
    writeScene(scene, path.join(dir, 'seed-31'));
    const r = await evaluateScenes(dir, detector);
    expect(r.pairs).toBe(1);
    const { dx, dy } = scene.manifest.drift_m;
    expect(Math.hypot(dx, dy)).toBeGreaterThan(0.3);
    expect(Math.abs(r.items[0]!.drift_m!.dx - dx)).toBeLessThan(0.15);
    expect(Math.abs(r.items[0]!.drift_m!.dy - dy)).toBeLessThan(0.15);
    expect(r.object.tp + r.object.fn).toBeGreaterThan(0);
  });
});

describe('npm run eval (the command line)', () => {
  const cli = (args: string[]) => run('npx', ['tsx', 'scripts/eval.ts', ...args], { cwd: ROOT });

  it('prints one JSON object with the contracted keys', async () => {
    const dir = sub('cli-pairs');
    writePairsFolder(dir, 1);
    const { stdout } = await cli([dir, '--gsd', '0.5', '--json']);
    const j = JSON.parse(stdout) as Record<string, Record<string, number> | number>;
    for (const k of ['precision', 'recall', 'f1', 'iou']) expect(typeof (j.pixel as Record<string, number>)[k]).toBe('number');
    for (const k of ['precision', 'recall', 'f1']) expect(typeof (j.object as Record<string, number>)[k]).toBe('number');
    expect(j.pairs).toBe(1);
    expect(typeof j.chips_per_second).toBe('number');
  });

  it('fails with a clear message and status 2 on an empty folder', async () => {
    const dir = sub('cli-empty');
    await expect(cli([dir])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/eval: .*the folder is empty/) as unknown });
  });
});
