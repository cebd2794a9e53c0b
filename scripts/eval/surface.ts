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
import { filesByStem } from './files.js';
import { readPolygonsWithCrs } from './geojson.js';
import { readRaster, toHeights, type LoadedRaster } from './read-raster.js';
import { seededUnit } from './seeded.js';

/** Share of buildings withheld from the baseline, and the seed that picks them. */
export const WITHHELD_SHARE = 0.3;
export const WITHHOLD_SEED = 'lingwei-eval-1';

/** One tile's files, each a path. */
export interface SurfaceFiles {
  name: string;
  dsm: string;
  outlines: string;
}

/**
 * The tiles of a surface-model folder: dsm/<name>.tif with mask_vec/<name>.geojson, names matched
 * whatever the extensions' case. mask/ is part of the layout but not read: the outlines are the truth.
 */
export function listTiles(dir: string): SurfaceFiles[] {
  for (const sub of ['dsm', 'mask_vec']) {
    if (!fs.existsSync(path.join(dir, sub))) throw new Error(`${dir}: surface-model layout needs dsm/, mask/ and mask_vec/ folders; ${sub}/ is missing`);
  }
  const dsm = filesByStem(path.join(dir, 'dsm'), /\.tiff?$/i);
  const outlines = filesByStem(path.join(dir, 'mask_vec'), /\.(geo)?json$/i);
  if (!dsm.size) throw new Error(`${dir}/dsm: no .tif surface models`);
  return [...dsm].map(([name, file]) => {
    const vec = outlines.get(name);
    if (!vec) throw new Error(`${dir}: mask_vec/${name}.geojson is missing (dsm/${file} has no outlines)`);
    return { name, dsm: path.join(dir, 'dsm', file), outlines: path.join(dir, 'mask_vec', vec) };
  });
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

/** Heights this far below sea level are a nodata marker (-9999, -32767) that the file does not declare. */
const UNDECLARED_NODATA = -1000;

function checkSurfaceModel(r: LoadedRaster): void {
  if (!r.georeferenced) throw new Error(`${r.path}: a surface model must be georeferenced`);
  if (r.geographic) throw new Error(`${r.path}: heights on a grid in degrees; reproject the surface model and its outlines to a metric CRS (gdalwarp -t_srs EPSG:326xx)`);
  const heights = r.bands[0]!;
  if (heights instanceof Uint8Array) throw new Error(`${r.path}: a surface model holds heights (Float32), not bytes`);
  if (r.nodata === null) {
    for (let i = 0; i < heights.length; i++) {
      if (heights[i]! <= UNDECLARED_NODATA) {
        throw new Error(`${r.path}: holds ${heights[i]} but declares no nodata value; declare it (gdal_edit.py -a_nodata ${heights[i]} <file>) so those pixels are not read as heights`);
      }
    }
  }
}

/**
 * Refuses outlines none of which lies on the surface model: they are in another CRS (lon/lat
 * GeoJSON beside a projected surface model, say). Comparing declared CRS codes instead would
 * refuse good data: a projected CRS often comes without an EPSG code of its own.
 */
function checkOutlinesOnTile(r: LoadedRaster, declaredEpsg: number | null, parts: PolygonRings[], outlines: string): void {
  if (!parts.length) return;
  const [x0, dx, , y0, , dy] = r.grid.geoTransform;
  const [xa, xb] = [x0, x0 + dx * r.grid.width].sort((a, b) => a - b) as [number, number];
  const [ya, yb] = [y0, y0 + dy * r.grid.height].sort((a, b) => a - b) as [number, number];
  const onTile = parts.some((rings) => rings[0]!.some(([x, y]) => x! >= xa && x! <= xb && y! >= ya && y! <= yb));
  if (onTile) return;
  const declared = declaredEpsg === null ? '' : ` (the outlines declare EPSG:${declaredEpsg})`;
  throw new Error(`${outlines}: no outline lies on the surface model ${r.path}${declared}; are both in the same CRS? Reproject the outlines to the surface model's (ogr2ogr -t_srs <dsm.tif's CRS>)`);
}

export function loadTile(files: SurfaceFiles, seed = WITHHOLD_SEED, share = WITHHELD_SHARE): SurfaceTile {
  const r = readRaster(files.dsm);
  checkSurfaceModel(r);
  const { features, epsg } = readPolygonsWithCrs(files.outlines);
  const parts = features.flatMap((f) => f.parts);
  checkOutlinesOnTile(r, epsg, parts, files.outlines);
  const buildings = parts.map((rings, i) => ({ rings, areaM2: Math.abs(polygonArea(rings)), withheld: seededUnit(`${seed}:${files.name}:${i}`) < share }));
  return { name: files.name, dsm: toHeights(r), buildings };
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
