import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDetector } from '#pipeline/model/change-detector.js';
import { generateScene } from '#fixtures/generator/scene.js';
import { writeScene } from '#fixtures/generator/write-scene.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { evaluatePairs, evaluateScenes, evaluateSurfaces } from './evaluate.js';
import { detectLayout } from './layout.js';
import { changeMask, listPairs, loadPair, toRgb } from './pairs.js';
import { degreesToMetres, readRaster } from './read-raster.js';
import { listTiles, loadTile } from './surface.js';
import { writePairsFolder, writePng, writeSurfaceFolder } from './testing/write-folders.js';

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

/** Sets the surface model of writeSurfaceFolder's tile to `value` over its first withheld building's box. */
function overwriteFirstWithheld(dir: string, value: number): void {
  const [files] = listTiles(dir);
  const tile = loadTile(files!);
  const building = tile.buildings.find((b) => b.withheld)!;
  const r0 = readRaster(files!.dsm);
  const heights = r0.bands[0] as Float32Array;
  const [x0, dx, , y0, , dy] = r0.grid.geoTransform;
  const xs = building.rings[0]!.map(([x]) => Math.round((x! - x0) / dx));
  const ys = building.rings[0]!.map(([, y]) => Math.round((y! - y0) / dy));
  for (let row = Math.min(...ys); row < Math.max(...ys); row++) for (let col = Math.min(...xs); col < Math.max(...xs); col++) heights[row * 200 + col] = value;
  writeGeoTiff(files!.dsm, { width: 200, height: 200, bands: [heights], geoTransform: [...r0.grid.geoTransform], srs: 32649, nodata: -32767 });
}

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
    expect(() => listPairs(dir)).toThrow(/label\/p1.png \(or .tif, .jpg, .bmp\) is missing \(A\/p1.png has no partner\)/);
    fs.rmSync(path.join(dir, 'B'), { recursive: true });
    expect(() => listPairs(dir)).toThrow(/B\/ is missing/);
    const none = sub('pairs-none');
    for (const s of ['A', 'B', 'label']) fs.mkdirSync(path.join(none, s));
    expect(() => listPairs(none)).toThrow(/no images/);
  });

  it('pairs files by name whatever their extensions, and skips hidden files', () => {
    const dir = sub('pairs-mixed');
    writePairsFolder(dir, 2);
    fs.renameSync(path.join(dir, 'A', 'p0.png'), path.join(dir, 'A', 'p0.JPG'));
    fs.renameSync(path.join(dir, 'B', 'p0.png'), path.join(dir, 'B', 'p0.tif'));
    // SZTAKI AirChange ships BMP: converted here by GDAL, read back pixel for pixel.
    const png = readRaster(path.join(dir, 'label', 'p0.png'));
    writePng(path.join(dir, 'label', 'p0.bmp'), png.bands as Uint8Array[], png.grid.width);
    expect(changeMask(readRaster(path.join(dir, 'label', 'p0.bmp')))).toEqual(changeMask(png));
    fs.rmSync(path.join(dir, 'label', 'p0.png'));
    fs.writeFileSync(path.join(dir, 'A', '._p1.png'), 'macOS resource fork');
    expect(listPairs(dir)).toEqual([
      { name: 'p0', before: path.join(dir, 'A', 'p0.JPG'), after: path.join(dir, 'B', 'p0.tif'), label: path.join(dir, 'label', 'p0.bmp') },
      { name: 'p1', before: path.join(dir, 'A', 'p1.png'), after: path.join(dir, 'B', 'p1.png'), label: path.join(dir, 'label', 'p1.png') },
    ]);
    fs.copyFileSync(path.join(dir, 'B', 'p1.png'), path.join(dir, 'B', 'p1.tif'));
    expect(() => listPairs(dir)).toThrow(/p1.png and p1.tif have the same name/);
  });

  it('reads change masks stored as 0/255, 0/1, JPEG and palette indices alike', () => {
    const dir = sub('labels');
    const size = 16;
    const square = (on: number, off = 0) => Uint8Array.from({ length: size * size }, (_, i) => (i % size < 8 && i < size * 8 ? on : off));
    const truth = changeMask(withFile(path.join(dir, 'l255.png'), [square(255)]));
    expect(truth.reduce((a, v) => a + v, 0)).toBe(64);
    expect(changeMask(withFile(path.join(dir, 'l1.png'), [square(1)]))).toEqual(truth);
    // JPEG's ringing leaves values a few steps from 0 and 255; they are not change
    expect(changeMask(withFile(path.join(dir, 'noisy.png'), [Uint8Array.from(square(250, 6), (v, i) => v + (i % 3))]))).toEqual(truth);
    // palette index 0 is white (changed), index 1 black: read as the colours, not the indices
    const palette = changeMask(withFile(path.join(dir, 'palette.png'), [square(0, 1)], [[255, 255, 255], [0, 0, 0]]));
    expect(palette).toEqual(truth);

    function withFile(file: string, bands: Uint8Array[], colours?: [number, number, number][]) {
      writePng(file, bands, size, colours);
      return readRaster(file);
    }
  });

  it('puts a plain PNG mask on the grid of georeferenced images, and converts degrees to metres', () => {
    const dir = sub('pairs-geo');
    writePairsFolder(dir, 1);
    const size = 64;
    const utm: [number, number, number, number, number, number] = [350000, 0.5, 0, 3450000, 0, -0.5];
    for (const side of ['A', 'B']) {
      const r = readRaster(path.join(dir, side, 'p0.png'));
      fs.rmSync(path.join(dir, side, 'p0.png'));
      writeGeoTiff(path.join(dir, side, 'p0.tif'), { width: size, height: size, bands: r.bands as Uint8Array[], geoTransform: utm, srs: 32651 });
    }
    const pair = loadPair(listPairs(dir)[0]!, undefined, 0.5);
    expect([pair.gsd, pair.gsdSource]).toEqual([0.5, 'file']);
    expect(pair.labelGrid).toEqual(pair.after.grid);
    // Shanghai, pixels of 0.5 m in degrees
    const lat = 31.2;
    const dLon = 0.5 / (111_320 * Math.cos((lat * Math.PI) / 180));
    const dLat = 0.5 / 110_574;
    const geographic = path.join(dir, 'geo.tif');
    writeGeoTiff(geographic, { width: size, height: size, bands: [new Uint8Array(size * size)], geoTransform: [121.4, dLon, 0, lat + (size / 2) * dLat, 0, -dLat], srs: 4326 });
    expect(degreesToMetres(readRaster(geographic))).toBeCloseTo(0.5, 3);
  });

  it('refuses 16-bit colour, which the model would read as near-white', () => {
    const file = path.join(sub('rgb16'), 'x.tif');
    writeGeoTiff(file, { width: 8, height: 8, bands: [0, 1, 2].map(() => new Uint16Array(64).fill(3000)), geoTransform: [350000, 1, 0, 3450008, 0, -1], srs: 32651 });
    expect(() => toRgb(readRaster(file))).toThrow(/Uint16 pixels; the model reads 8-bit colour/);
  });

  it('refuses surface tiles without outlines', () => {
    const dir = sub('surface-broken');
    writeSurfaceFolder(dir, 1);
    fs.rmSync(path.join(dir, 'mask_vec', 't1.geojson'));
    expect(() => listTiles(dir)).toThrow(/mask_vec\/t1.geojson is missing/);
  });

  it('finds surface tiles whatever the case of their extensions', () => {
    const dir = sub('surface-upper');
    writeSurfaceFolder(dir, 1);
    fs.renameSync(path.join(dir, 'dsm', 't1.tif'), path.join(dir, 'dsm', 't1.TIF'));
    fs.renameSync(path.join(dir, 'mask_vec', 't1.geojson'), path.join(dir, 'mask_vec', 't1.GeoJSON'));
    const [files] = listTiles(dir);
    expect(loadTile(files!).buildings).toHaveLength(1);
  });

  it('refuses surface models and outlines that would score wrongly', () => {
    const dir = sub('surface-wrong');
    writeSurfaceFolder(dir, 2);
    const [files] = listTiles(dir);
    const dsm = readRaster(files!.dsm);
    const outlines = JSON.parse(fs.readFileSync(files!.outlines, 'utf8')) as { crs?: unknown; features: { geometry: { coordinates: number[][][] } }[] };
    const rewrite = (o: Partial<Parameters<typeof writeGeoTiff>[1]>) => writeGeoTiff(files!.dsm, { width: 200, height: 200, bands: dsm.bands as Float32Array[], geoTransform: [...dsm.grid.geoTransform], srs: 32649, nodata: -32767, ...o });
    // no nodata declared, so -32767 would be read as a height
    rewrite({ nodata: undefined });
    expect(() => loadTile(files!)).toThrow(/declares no nodata value; declare it \(gdal_edit.py -a_nodata -32767/);
    // heights on a grid in degrees
    rewrite({ srs: 4326, geoTransform: [105, 0.000002, 0, 21, 0, -0.000002] });
    expect(() => loadTile(files!)).toThrow(/grid in degrees; reproject/);
    rewrite({});
    // outlines in lon/lat beside a projected surface model lie off the tile
    const lonLat = outlines.features.map((f) => ({ ...f, geometry: { ...f.geometry, coordinates: f.geometry.coordinates.map((ring) => ring.map(([x, y]) => [x! / 1e4, y! / 1e5])) } }));
    fs.writeFileSync(files!.outlines, JSON.stringify({ ...outlines, crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } }, features: lonLat }));
    expect(() => loadTile(files!)).toThrow(/no outline lies on the surface model .*\(the outlines declare EPSG:4326\); are both in the same CRS/);
  });

  it('withholds the same buildings every time', () => {
    const dir = sub('surface-seeded');
    writeSurfaceFolder(dir, 6);
    const [files] = listTiles(dir);
    const a = loadTile(files!).buildings.map((b) => b.withheld);
    const b = loadTile(files!).buildings.map((b) => b.withheld);
    expect(a).toEqual(b);
    expect(loadTile(files!).buildings[0]!.areaM2).toBeCloseTo(80);
  });

  it('points at the sub-folders of a dataset root', () => {
    const root = sub('dataset-root');
    writePairsFolder(path.join(root, 'test'), 1);
    expect(() => detectLayout(root)).toThrow(/point the evaluation at one of its sub-folders: .*dataset-root\/test/);
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
    expect(r.gsd).toEqual({ metres: [0.5], sources: ['assumed'] });
    expect(r.pixel.tp + r.pixel.fn).toBe(2 * 20 * 24);
    expect(r.object.tp + r.object.fn).toBe(2);
    expect(notes.join()).toMatch(/no --gsd was given; assuming the model's 0.5 m/);
    expect(r.chips_per_second).toBeGreaterThan(0);
    // Bare pairs (no baseline, no heights) are the image-pair network's.
    expect(r.networks).toEqual(['pair']);
  });

  it('scores a surface-model folder with withheld buildings as the truth', async () => {
    const dir = sub('surface-eval');
    writeSurfaceFolder(dir, 6);
    const [files] = listTiles(dir);
    const withheld = loadTile(files!).buildings.filter((b) => b.withheld).length;
    const r = await evaluateSurfaces(dir, detector);
    expect(r.pairs).toBe(1);
    expect(r.object.tp + r.object.fn).toBe(withheld);
    // Heights without imagery: the surface-model-only network serves them.
    expect(r.networks).toEqual(['surface_only']);

    // A withheld house the surface model did not see (nodata over it) is neither found nor missed.
    overwriteFirstWithheld(dir, -32767);
    const unseen = await evaluateSurfaces(dir, detector);
    expect(unseen.object.tp + unseen.object.fn).toBe(withheld - 1);
  });

  it('hands each detected object, its raw score and its match to the objects callback (calibration), and keeps them out of the result', async () => {
    const dir = sub('surface-objects');
    writeSurfaceFolder(dir, 6);
    const seen: { network: string; states: string[]; raw: number[] }[] = [];
    const r = await evaluateSurfaces(dir, detector, { objects: (_name, network, detected) => seen.push({ network, states: detected.map((d) => d.state), raw: detected.map((d) => d.raw) }) });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.network).toBe('surface_only');
    expect(seen[0]!.states.filter((s) => s === 'tp')).toHaveLength(r.object.tp);
    expect(seen[0]!.states.filter((s) => s === 'fp')).toHaveLength(r.object.fp);
    // Raw scores are mean probabilities of objects cut at the decision threshold.
    for (const raw of seen[0]!.raw) expect(raw).toBeGreaterThanOrEqual(r.threshold);
    for (const raw of seen[0]!.raw) expect(raw).toBeLessThanOrEqual(1);
    expect(Object.keys(r.items[0]!).sort()).toEqual(['name', 'object', 'pixel']);
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
    const { stdout, stderr } = await cli([dir, '--gsd', '0.5', '--json']);
    const j = JSON.parse(stdout) as Record<string, Record<string, number> | number>;
    expect(stderr).toMatch(/p0: object tp \d+ fp \d+ fn \d+/); // progress, on stderr only
    for (const k of ['precision', 'recall', 'f1', 'iou']) expect(typeof (j.pixel as Record<string, number>)[k]).toBe('number');
    for (const k of ['precision', 'recall', 'f1']) expect(typeof (j.object as Record<string, number>)[k]).toBe('number');
    expect(j.pairs).toBe(1);
    expect(typeof j.chips_per_second).toBe('number');
  });

  it('writes why each building was missed and each false alarm raised with --objects (surface models), and refuses it elsewhere', async () => {
    const dir = sub('cli-objects');
    writeSurfaceFolder(dir, 6);
    // One withheld building flattened to the ground (12 m): no height rule can see it.
    overwriteFirstWithheld(dir, 12);
    const out = path.join(tmp, 'notes.json');
    const { stdout, stderr } = await cli([dir, '--json', '--objects', out]);
    const scored = JSON.parse(stdout) as { object: { fp: number; fn: number } };
    const written = JSON.parse(fs.readFileSync(out, 'utf8')) as { counts: Record<string, Record<string, number>>; notes: { tile: string; kind: string; index: number; reason: string; heightM: number; why: string }[] };
    // One note per miss and per false alarm, the same count as the figures.
    expect(written.notes.filter((n) => n.kind === 'missed')).toHaveLength(scored.object.fn);
    expect(written.notes.filter((n) => n.kind === 'false_alarm')).toHaveLength(scored.object.fp);
    const shed = written.notes.find((n) => n.kind === 'missed' && n.index === 0);
    expect(shed).toMatchObject({ tile: 't1', reason: 'too_low', heightM: 0 });
    expect(shed!.why).toMatch(/too low for heights: 0.0 m above the ground/);
    expect(written.counts.missed!.too_low).toBeGreaterThanOrEqual(1);
    expect(stderr).toMatch(/per-object notes: \d+ objects -> .*notes.json\nmissed: .*too_low 1/);

    const pairs = sub('cli-objects-pairs');
    writePairsFolder(pairs, 1);
    await expect(cli([pairs, '--objects', out])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--objects: the per-object notes are for surface models .* holds pairs/) as unknown });
    await expect(cli([dir, '--objects', path.join(tmp, 'no-such-folder', 'notes.json')])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--objects .*: no folder .*no-such-folder to write the notes in/) as unknown });
    await expect(cli(['real', '--objects', out])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/real: --objects do not apply to the scoreboard/) as unknown });
  });

  it('refuses a thread count that is not a number before loading the model', async () => {
    const dir = sub('cli-threads');
    writePairsFolder(dir, 1);
    await expect(cli([dir, '--threads', 'abc'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/eval: --threads abc: a whole number of threads/) as unknown });
  });

  it('fails with a clear message and status 2 on an empty folder', async () => {
    const dir = sub('cli-empty');
    await expect(cli([dir])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/eval: .*the folder is empty/) as unknown });
  });
});
