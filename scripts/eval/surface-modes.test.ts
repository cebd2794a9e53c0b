/**
 * The surface-model layout's optional folders (rgb/, before_rgb/, before_dsm/): which mode each
 * combination gives, what is refused, and that each raster reaches the detector as the pipeline
 * would feed it. Real GeoTIFFs written by GDAL, the shipped networks.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDetector, MAIN_ALONE } from '#pipeline/model/change-detector.js';
import { polygonMask } from '#pipeline/model/polygon-fill.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { evaluateSurfaces } from './evaluate.js';
import { readRaster } from './read-raster.js';
import { listTiles, loadTile, prepareTile, surfaceMode } from './surface.js';
import { writeBeforeDsm, writeSurfaceFolder, writeSurfaceRgb } from './testing/write-folders.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-surface-modes-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh surface folder with six houses (some withheld by the seeded draw). */
function folder(name: string): string {
  const dir = path.join(tmp, name);
  writeSurfaceFolder(dir, 6);
  return dir;
}

describe('surface-model folders with optional rasters', () => {
  it('names the mode after the folders present', () => {
    expect(surfaceMode({})).toBe('dsm');
    expect(surfaceMode({ beforeDsm: 'x' })).toBe('dsm_pair');
    expect(surfaceMode({ rgb: 'x' })).toBe('drone_no_before');
    expect(surfaceMode({ rgb: 'x', beforeDsm: 'x' })).toBe('drone_no_before_rgb');
    expect(surfaceMode({ rgb: 'x', beforeRgb: 'x' })).toBe('drone_no_before_dsm');
    expect(surfaceMode({ rgb: 'x', beforeRgb: 'x', beforeDsm: 'x' })).toBe('drone');
  });

  it('finds the optional files by name and reads them on the surface model ground', () => {
    const dir = folder('found');
    writeSurfaceRgb(dir, 'rgb');
    writeBeforeDsm(dir, () => false);
    const [files] = listTiles(dir);
    expect(files).toMatchObject({ rgb: path.join(dir, 'rgb', 't1.tif'), beforeDsm: path.join(dir, 'before_dsm', 't1.tif') });
    expect(files!.beforeRgb).toBeUndefined();
    const tile = loadTile(files!);
    // The orthophoto is twice as fine as the surface model and covers the same ground.
    expect(tile.rgb!.grid.width).toBe(2 * tile.dsm.grid.width);
    expect(tile.beforeDsm!.grid).toEqual(tile.dsm.grid);
  });

  it('refuses a present folder without the tile, an earlier orthophoto alone, and rasters off the grid', () => {
    const dir = folder('refused');
    fs.mkdirSync(path.join(dir, 'rgb'));
    expect(() => listTiles(dir)).toThrow(/rgb\/t1.tif is missing \(dsm\/t1.tif has none; a present rgb\/ needs every tile's\)/);
    fs.rmSync(path.join(dir, 'rgb'), { recursive: true });
    writeSurfaceRgb(dir, 'before_rgb');
    expect(() => listTiles(dir)).toThrow(/before_rgb\/ needs rgb\//);
    writeSurfaceRgb(dir, 'rgb', { shiftM: 5 });
    expect(() => loadTile(listTiles(dir)[0]!)).toThrow(/rgb\/t1.tif: covers .* but t1.tif covers .*; the optional rasters must be on the surface model's grid/);
    // Within a pixel is the same grid (rounding in a writer's geotransform).
    writeSurfaceRgb(dir, 'rgb', { shiftM: 0.1 });
    expect(() => loadTile(listTiles(dir)[0]!)).not.toThrow();
    const before = path.join(dir, 'before_dsm', 't1.tif');
    fs.mkdirSync(path.dirname(before));
    writeGeoTiff(before, { width: 200, height: 200, bands: [new Float32Array(40000).fill(12)], geoTransform: [105, 0.000002, 0, 21, 0, -0.000002], srs: 4326, nodata: -32767 });
    expect(() => loadTile(listTiles(dir)[0]!)).toThrow(/before_dsm\/t1.tif: on a grid in degrees/);
  });
});

describe('scoring with what the folder holds (shipped model)', () => {
  let detector: ChangeDetector;
  beforeAll(async () => {
    detector = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu' });
  });
  afterAll(async () => {
    await detector?.close();
  });
  const mapOf = async (dir: string) => (await detector.detectPrepared(prepareTile(loadTile(listTiles(dir)[0]!), detector.spec))).newProb;

  it('scores the orthophoto without an earlier flight as a first patrol: the surface network serves it and sets the orthophoto aside; the same buildings are scored', async () => {
    const plain = folder('plain');
    const withRgb = folder('with-rgb');
    writeSurfaceRgb(withRgb, 'rgb');
    const a = await evaluateSurfaces(plain, detector);
    const b = await evaluateSurfaces(withRgb, detector);
    expect([a.mode, a.networks]).toEqual(['dsm', ['surface_only']]);
    expect([b.mode, b.networks]).toEqual(['drone_no_before', ['surface_only']]);
    expect(await mapOf(withRgb)).toEqual(await mapOf(plain));
    expect(b.object.tp + b.object.fn).toBe(a.object.tp + a.object.fn);
    expect(a.object.tp + a.object.fn).toBeGreaterThan(0);
    // The main network alone (an adapted drone office's is scored so) reads the orthophoto.
    const mainAlone = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu', ...MAIN_ALONE });
    try {
      expect((await evaluateSurfaces(withRgb, mainAlone)).networks).toEqual(['main']);
      const mainMap = async (dir: string) => (await mainAlone.detectPrepared(prepareTile(loadTile(listTiles(dir)[0]!), mainAlone.spec))).newProb;
      const [a, b] = [await mainMap(plain), await mainMap(withRgb)];
      expect(a.some((v, i) => Math.abs(v - b[i]!) > 1e-3)).toBe(true);
    } finally {
      await mainAlone.close();
    }
  });

  it('feeds the earlier orthophoto as the before image', async () => {
    const dir = folder('with-before-rgb');
    writeSurfaceRgb(dir, 'rgb');
    writeSurfaceRgb(dir, 'before_rgb', { roof: [200, 40, 40] });
    const tile = loadTile(listTiles(dir)[0]!);
    const prepared = prepareTile(tile, detector.spec);
    const roofs = polygonMask(prepared.grid, tile.buildings.map((b) => b.rings));
    const reds = prepared.beforeRgb!.r.filter((_, i) => roofs[i] === 1);
    // Roof interiors on the 0.5 m grid hold the earlier roof colour, not the new flight's grey.
    expect(Math.max(...reds)).toBe(200);
    expect(prepared.afterRgb!.r.filter((_, i) => roofs[i] === 1).every((v) => v === 180)).toBe(true);
    expect((await evaluateSurfaces(dir, detector)).mode).toBe('drone_no_before_dsm');
  });

  it('feeds the earlier surface model to the surface-rise rule: houses absent before are raised to 1', async () => {
    const plain = folder('rise-plain');
    const same = folder('rise-same');
    writeBeforeDsm(same, () => false);
    const grown = folder('rise-grown');
    const tile = loadTile(listTiles(grown)[0]!);
    const withheld = new Set(tile.buildings.flatMap((b, i) => (b.withheld ? [i] : [])));
    expect(withheld.size).toBeGreaterThan(0);
    writeBeforeDsm(grown, (i) => withheld.has(i));

    const base = await mapOf(plain);
    // Nothing rose since the earlier flight: the rule adds nothing, the map is the network's.
    expect(await mapOf(same)).toEqual(base);
    const risen = await mapOf(grown);
    const prepared = prepareTile(tile, detector.spec);
    const inside = polygonMask(prepared.grid, tile.buildings.filter((b) => b.withheld).map((b) => b.rings));
    let changed = 0;
    risen.forEach((p, i) => {
      if (p === base[i]) return;
      changed++;
      expect(p).toBe(1);
    });
    expect(changed).toBeGreaterThan(0);
    // Every house's flat inside is raised, and nothing far from a withheld house changes.
    inside.forEach((v, i) => {
      if (v && prepared.afterHeight!.data[i]! > 3) expect(risen[i]).toBe(1);
    });
    const r = await evaluateSurfaces(grown, detector);
    expect(r.mode).toBe('dsm_pair');
    expect(r.object.fn).toBe(0);
  });

  it('prints the mode in the JSON and keeps every key it had', async () => {
    const plain = folder('cli-plain');
    const drone = folder('cli-drone');
    writeSurfaceRgb(drone, 'rgb');
    writeSurfaceRgb(drone, 'before_rgb');
    writeBeforeDsm(drone, () => false);
    const cli = async (dir: string) => JSON.parse((await run('npx', ['tsx', 'scripts/eval.ts', dir, '--json'], { cwd: ROOT })).stdout) as Record<string, unknown>;
    const [a, b] = [await cli(plain), await cli(drone)];
    expect(a.mode).toBe('dsm');
    expect(b.mode).toBe('drone');
    for (const key of ['layout', 'pixel', 'object', 'pairs', 'chips_per_second', 'networks', 'items', 'threshold', 'min_object_m2', 'opening_m', 'min_truth_m2', 'provider', 'dir']) {
      expect(Object.keys(b)).toContain(key);
    }
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    expect(readRaster(path.join(drone, 'rgb', 't1.tif')).bands).toHaveLength(3);
  });
});
