/**
 * Layout 3 (an addition to the two in the issue): scenes written by the fixture generator
 * (`npx tsx fixtures/generator/cli.ts --out DIR`), one per folder with its scene.json, or a folder
 * of such folders. Every input kind is there (both orthophotos, the patrol flight's surface model,
 * the baseline) and the truth is exact, so the model is scored per flight kind.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BaselineBuilding } from '#pipeline/model/baseline-raster.js';
import type { Band } from '#pipeline/model/grid.js';
import { polygonArea, type PolygonRings } from '#pipeline/model/polygon-fill.js';
import type { DsmInput, RgbInput } from '#pipeline/model/prepare.js';
import { lonLatTransformer } from '#pipeline/raster/index.js';
import { polygonsOf, type Transform } from './geojson.js';
import { readRaster, toHeights } from './read-raster.js';

export type ChangeClass = 'new' | 'demolished';

export interface TruthChange {
  rings: PolygonRings;
  changeClass: ChangeClass;
  changeType: string;
  /** Registered structures stand on both dates but are absent from the baseline: not scored. */
  registered: boolean;
  areaM2: number;
}

export interface SceneData {
  name: string;
  seed: number | null;
  beforeRgb: RgbInput;
  afterRgb: RgbInput;
  afterDsm: DsmInput;
  /** The earlier flight's surface model, when the scene has one (before_dsm.tif). */
  beforeDsm?: DsmInput;
  /** 0 unchanged, 1 new/grown, 2 demolished, 255 ignore; on the orthophoto grid. */
  changeMask: Band<Uint8Array>;
  baseline: BaselineBuilding[];
  truth: TruthChange[];
}

/** Scene folders under `dir` (itself when it holds a scene.json). */
export function listScenes(dir: string): string[] {
  if (fs.existsSync(path.join(dir, 'scene.json'))) return [dir];
  const found = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'scene.json')))
    .map((e) => path.join(dir, e.name))
    .sort();
  if (!found.length) throw new Error(`${dir}: no scene.json here or in its sub-folders`);
  return found;
}

/** Baseline buildings from the generator's baseline_buildings GeoJSON (height_m above ground). */
export function baselineOf(collection: unknown, toGrid: Transform): BaselineBuilding[] {
  return polygonsOf(collection, toGrid, 'baseline_buildings').flatMap((f) =>
    f.parts.map((rings) => ({ rings, heightM: Number(f.properties.height_m ?? f.properties.height ?? 0) })),
  );
}

export function truthOf(collection: unknown, toGrid: Transform): TruthChange[] {
  return polygonsOf(collection, toGrid, 'ground_truth').flatMap((f) =>
    f.parts.map((rings) => {
      const changeType = String(f.properties.change_type);
      return {
        rings,
        changeType,
        changeClass: changeType === 'demolished' ? ('demolished' as const) : ('new' as const),
        registered: f.properties.expected_triage === 'in_register',
        areaM2: Math.abs(polygonArea(rings)),
      };
    }),
  );
}

export function loadScene(dir: string): SceneData {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'scene.json'), 'utf8')) as { epsg?: number; seed?: number; files?: Record<string, string> };
  const files = manifest.files ?? {};
  const file = (key: string, fallback: string) => path.join(dir, files[key] ?? fallback);
  const need = (f: string) => {
    if (!fs.existsSync(f)) throw new Error(`${dir}: ${path.basename(f)} is missing`);
    return f;
  };
  if (!manifest.epsg) throw new Error(`${dir}/scene.json: no epsg`);
  const { fromLonLat } = lonLatTransformer(manifest.epsg);
  const ortho = (key: string): RgbInput => {
    const r = readRaster(need(file(key, `${key}.tif`)));
    return { grid: r.grid, bands: [r.bands[0]!, r.bands[1]!, r.bands[2]!], nodata: r.nodata };
  };
  const beforeDsmFile = file('before_dsm', 'before_dsm.tif');
  const mask = readRaster(need(file('change_mask', 'change_mask.tif')));
  const json = (key: string) => JSON.parse(fs.readFileSync(need(file(key, `${key}.geojson`)), 'utf8')) as unknown;
  return {
    name: path.basename(dir),
    seed: manifest.seed ?? null,
    beforeRgb: ortho('before_ortho'),
    afterRgb: ortho('after_ortho'),
    afterDsm: toHeights(readRaster(need(file('after_dsm', 'after_dsm.tif')))),
    ...(fs.existsSync(beforeDsmFile) ? { beforeDsm: toHeights(readRaster(beforeDsmFile)) } : {}),
    changeMask: { grid: mask.grid, data: mask.bands[0] as Uint8Array },
    baseline: baselineOf(json('baseline_buildings'), fromLonLat),
    truth: truthOf(json('ground_truth'), fromLonLat),
  };
}
