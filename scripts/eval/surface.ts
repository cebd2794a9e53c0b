/**
 * Layout 2, surface models with building outlines: dsm/*.tif (Float32 heights, georeferenced,
 * nodata set), mask/*.tif (building mask 0/1), mask_vec/*.geojson (building polygons, same CRS).
 * A baseline is built from the polygons with a seeded 30% of buildings withheld, heights sampled
 * from the surface model; the withheld ones are the true new structures.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BaselineBuilding } from '../../pipeline/src/model/baseline-raster.js';
import type { Grid } from '../../pipeline/src/model/grid.js';
import { fillPolygon, polygonArea, type PolygonRings } from '../../pipeline/src/model/polygon-fill.js';
import type { DsmInput } from '../../pipeline/src/model/prepare.js';
import { readPolygons } from './geojson.js';
import { readRaster, toHeights } from './read-raster.js';
import { seededUnit } from './seeded.js';

/** Share of buildings withheld from the baseline, and the seed that picks them. */
export const WITHHELD_SHARE = 0.3;
export const WITHHOLD_SEED = 'lingwei-eval-1';

export function listTiles(dir: string): string[] {
  for (const sub of ['dsm', 'mask', 'mask_vec']) {
    if (!fs.existsSync(path.join(dir, sub))) throw new Error(`${dir}: surface-model layout needs dsm/, mask/ and mask_vec/ folders; ${sub}/ is missing`);
  }
  const names = fs
    .readdirSync(path.join(dir, 'dsm'))
    .filter((f) => /\.tiff?$/i.test(f))
    .map((f) => f.replace(/\.tiff?$/i, ''))
    .sort();
  if (!names.length) throw new Error(`${dir}/dsm: no .tif surface models`);
  for (const name of names) {
    if (!fs.existsSync(path.join(dir, 'mask_vec', `${name}.geojson`))) throw new Error(`${dir}: mask_vec/${name}.geojson is missing (dsm/${name}.tif has no outlines)`);
    if (!['tif', 'tiff'].some((e) => fs.existsSync(path.join(dir, 'mask', `${name}.${e}`)))) throw new Error(`${dir}: mask/${name}.tif is missing`);
  }
  return names;
}

export interface SurfaceBuilding {
  rings: PolygonRings;
  areaM2: number;
  /** Left out of the baseline: a true new structure. */
  withheld: boolean;
}

export interface SurfaceTile {
  name: string;
  dsm: DsmInput;
  buildings: SurfaceBuilding[];
}

export function loadTile(dir: string, name: string, seed = WITHHOLD_SEED, share = WITHHELD_SHARE): SurfaceTile {
  const dsmFile = fs.existsSync(path.join(dir, 'dsm', `${name}.tif`)) ? `${name}.tif` : `${name}.tiff`;
  const r = readRaster(path.join(dir, 'dsm', dsmFile));
  if (!r.georeferenced) throw new Error(`${r.path}: a surface model must be georeferenced`);
  if (r.bands[0] instanceof Uint8Array) throw new Error(`${r.path}: a surface model holds heights (Float32), not bytes`);
  const features = readPolygons(path.join(dir, 'mask_vec', `${name}.geojson`));
  const buildings = features
    .flatMap((f) => f.parts)
    .map((rings, i) => ({ rings, areaM2: Math.abs(polygonArea(rings)), withheld: seededUnit(`${seed}:${name}:${i}`) < share }));
  return { name, dsm: toHeights(r), buildings };
}

/**
 * Baseline buildings with heights sampled from a height-above-ground raster: the median over the
 * footprint's valid pixels (a roof, not its edge). A footprint with no valid pixel gets height 0.
 */
export function baselineFromSurface(rings: readonly PolygonRings[], height: Float32Array, valid: Uint8Array, grid: Grid): BaselineBuilding[] {
  return rings.map((r) => {
    const values: number[] = [];
    fillPolygon(grid, r, (row, c0, c1) => {
      for (let k = row * grid.width + c0; k < row * grid.width + c1; k++) if (valid[k]) values.push(height[k]!);
    });
    values.sort((a, b) => a - b);
    return { rings: r, heightM: values.length ? Math.max(0, values[Math.floor(values.length / 2)]!) : 0 };
  });
}
