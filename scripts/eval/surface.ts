/**
 * Layout 2, surface models with building outlines: dsm/*.tif (Float32 heights, georeferenced,
 * nodata set), mask/*.tif (building mask 0/1), mask_vec/*.geojson (building polygons, same CRS).
 * A baseline is built from the polygons with a seeded 30% of buildings withheld, heights sampled
 * from the surface model; the withheld ones are the true new structures.
 *
 * Optional, same names and same grid: rgb/<name>.tif (the flight's orthophoto), before_rgb/ and
 * before_dsm/ (an earlier flight's). The scoring mode follows the folders present, so a folder
 * from a real patrol is scored with what the pipeline would have fed the detector.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rasteriseBaseline, type BaselineBuilding } from '#pipeline/model/baseline-raster.js';
import { validMask, type Grid } from '#pipeline/model/grid.js';
import type { ModelSpec } from '#pipeline/model/model-spec.js';
import { fillPolygon, polygonArea, polygonLabels, polygonMask, type PolygonRings } from '#pipeline/model/polygon-fill.js';
import { prepareInputs, type ChangeInputs, type DsmInput, type PreparedInputs, type RgbInput } from '#pipeline/model/prepare.js';
import { filesByStem } from './files.js';
import { readPolygonsWithCrs } from './geojson.js';
import { toRgb } from './pairs.js';
import { readRaster, toHeights, type LoadedRaster } from './read-raster.js';
import { MIN_TRUTH_M2, type TruthOnGrid } from './score.js';
import { seededUnit } from './seeded.js';

/** Share of buildings withheld from the baseline, and the seed that picks them. */
export const WITHHELD_SHARE = 0.3;
export const WITHHOLD_SEED = 'lingwei-eval-1';

/** One tile's files, each a path; the optional ones when their folder is present. */
export interface SurfaceFiles {
  name: string;
  dsm: string;
  outlines: string;
  rgb?: string;
  beforeRgb?: string;
  beforeDsm?: string;
}

/**
 * What a surface-model folder is scored with, by the optional folders present (the names of the
 * scenes' modes where one fits):
 *   dsm                 dsm/ alone: heights + baseline (the surface-model-only network)
 *   dsm_pair            + before_dsm/: heights of both flights, no imagery (+ the surface-rise rule)
 *   drone_no_before     + rgb/: a drone flight without an earlier one
 *   drone_no_before_rgb + rgb/ + before_dsm/: the earlier flight's heights, not its orthophoto
 *   drone_no_before_dsm + rgb/ + before_rgb/: the earlier orthophoto, not its heights
 *   drone               + rgb/ + before_rgb/ + before_dsm/: everything a patrol brings
 */
export type SurfaceMode = 'dsm' | 'dsm_pair' | 'drone_no_before' | 'drone_no_before_rgb' | 'drone_no_before_dsm' | 'drone';

/** The optional folders: key in SurfaceFiles, folder name. */
const OPTIONAL = [
  ['rgb', 'rgb'],
  ['beforeRgb', 'before_rgb'],
  ['beforeDsm', 'before_dsm'],
] as const;

export function surfaceMode(present: { rgb?: unknown; beforeRgb?: unknown; beforeDsm?: unknown }): SurfaceMode {
  const { rgb, beforeRgb, beforeDsm } = present;
  if (!rgb) return beforeDsm ? 'dsm_pair' : 'dsm';
  if (beforeRgb) return beforeDsm ? 'drone' : 'drone_no_before_dsm';
  return beforeDsm ? 'drone_no_before_rgb' : 'drone_no_before';
}

/**
 * The tiles of a surface-model folder: dsm/<name>.tif with mask_vec/<name>.geojson, names matched
 * whatever the extensions' case, and from each optional folder present its file of the same name.
 * A present optional folder must hold every tile's file: scoring some tiles with imagery and
 * some without would mix two modes in one figure. mask/ is part of the layout but not read: the
 * outlines are the truth.
 */
export function listTiles(dir: string): SurfaceFiles[] {
  for (const sub of ['dsm', 'mask_vec']) {
    if (!fs.existsSync(path.join(dir, sub))) throw new Error(`${dir}: surface-model layout needs dsm/, mask/ and mask_vec/ folders; ${sub}/ is missing`);
  }
  const dsm = filesByStem(path.join(dir, 'dsm'), /\.tiff?$/i);
  const outlines = filesByStem(path.join(dir, 'mask_vec'), /\.(geo)?json$/i);
  if (!dsm.size) throw new Error(`${dir}/dsm: no .tif surface models`);
  const optional = OPTIONAL.filter(([, sub]) => fs.existsSync(path.join(dir, sub))).map(([key, sub]) => [key, sub, filesByStem(path.join(dir, sub), /\.tiff?$/i)] as const);
  if (optional.some(([key]) => key === 'beforeRgb') && !optional.some(([key]) => key === 'rgb')) {
    // The pipeline compares an earlier orthophoto only with the new flight's; it never has one alone.
    throw new Error(`${dir}: before_rgb/ needs rgb/ (the earlier orthophoto is compared with the flight's own)`);
  }
  return [...dsm].map(([name, file]) => {
    const vec = outlines.get(name);
    if (!vec) throw new Error(`${dir}: mask_vec/${name}.geojson is missing (dsm/${file} has no outlines)`);
    const tile: SurfaceFiles = { name, dsm: path.join(dir, 'dsm', file), outlines: path.join(dir, 'mask_vec', vec) };
    for (const [key, sub, files] of optional) {
      const found = files.get(name);
      if (!found) throw new Error(`${dir}: ${sub}/${name}.tif is missing (dsm/${file} has none; a present ${sub}/ needs every tile's)`);
      tile[key] = path.join(dir, sub, found);
    }
    return tile;
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
  rgb?: RgbInput;
  beforeRgb?: RgbInput;
  beforeDsm?: DsmInput;
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

/**
 * Refuses a companion raster (orthophoto, earlier surface model) that is not on the surface
 * model's ground: unreferenced, in degrees, or with another extent. Its resolution may differ (an
 * orthophoto is often finer; the detector resamples both), but an extent off by more than a pixel
 * means another grid or another CRS, and would be scored as change.
 */
function checkSameGround(dsm: LoadedRaster, r: LoadedRaster): void {
  if (!r.georeferenced) throw new Error(`${r.path}: not georeferenced; it must lie on the grid of ${dsm.path}`);
  if (r.geographic) throw new Error(`${r.path}: on a grid in degrees; reproject it to the surface model's CRS (gdalwarp -t_srs <dsm's CRS>)`);
  const [x0, dx, , y0, , dy] = dsm.grid.geoTransform;
  const [u0, ux, , v0, , uy] = r.grid.geoTransform;
  const ours = [x0, y0 + dy * dsm.grid.height, x0 + dx * dsm.grid.width, y0];
  const theirs = [u0, v0 + uy * r.grid.height, u0 + ux * r.grid.width, v0];
  const tolerance = Math.max(Math.abs(dx), Math.abs(ux));
  if (ours.some((v, i) => Math.abs(v - theirs[i]!) > tolerance)) {
    const show = (e: number[]) => e.map((v) => v.toFixed(2)).join(', ');
    throw new Error(`${r.path}: covers ${show(theirs)} but ${path.basename(dsm.path)} covers ${show(ours)}; the optional rasters must be on the surface model's grid (gdalwarp -te ... -tr ...)`);
  }
}

export function loadTile(files: SurfaceFiles, seed = WITHHOLD_SEED, share = WITHHELD_SHARE): SurfaceTile {
  const r = readRaster(files.dsm);
  checkSurfaceModel(r);
  const { features, epsg } = readPolygonsWithCrs(files.outlines);
  const parts = features.flatMap((f) => f.parts);
  checkOutlinesOnTile(r, epsg, parts, files.outlines);
  const buildings = parts.map((rings, i) => ({ rings, areaM2: Math.abs(polygonArea(rings)), withheld: seededUnit(`${seed}:${files.name}:${i}`) < share }));
  const companion = (file: string) => {
    const c = readRaster(file);
    checkSameGround(r, c);
    return c;
  };
  const tile: SurfaceTile = { name: files.name, dsm: toHeights(r), buildings };
  if (files.rgb) tile.rgb = toRgb(companion(files.rgb));
  if (files.beforeRgb) tile.beforeRgb = toRgb(companion(files.beforeRgb));
  if (files.beforeDsm) {
    const before = companion(files.beforeDsm);
    checkSurfaceModel(before);
    tile.beforeDsm = toHeights(before);
  }
  return tile;
}

/**
 * The detector's inputs for a tile, as the pipeline builds them for a flight (flight-inputs.ts):
 * whatever the tile has, without the baseline, whose heights are sampled from the prepared
 * surface model afterwards.
 */
export function tileInputs(tile: SurfaceTile): ChangeInputs {
  return {
    afterDsm: tile.dsm,
    ...(tile.rgb ? { afterRgb: tile.rgb } : {}),
    ...(tile.beforeRgb ? { beforeRgb: tile.beforeRgb } : {}),
    ...(tile.beforeDsm ? { beforeDsm: tile.beforeDsm } : {}),
  };
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

/**
 * A tile's inputs on the model's grid with its baseline: the buildings not withheld, heights
 * sampled from the prepared surface model (so the ground estimate is the detector's own).
 */
export function prepareTile(tile: SurfaceTile, spec: Pick<ModelSpec, 'gsd_m' | 'ground'>): PreparedInputs {
  const prepared = prepareInputs(tileInputs(tile), spec);
  const kept = tile.buildings.filter((b) => !b.withheld);
  const h = prepared.afterHeight!;
  prepared.baseline = rasteriseBaseline(baselineFromSurface(kept.map((b) => b.rings), h.data, h.valid, prepared.grid), prepared.grid);
  return prepared;
}

/** A withheld building counts (found or missed) only when the surface model saw at least this share of it. */
const MIN_OBSERVED_SHARE = 0.5;

/**
 * The truth of a tile on the surface model's grid: the withheld buildings. Where the surface
 * model has no heights nothing can be seen: those pixels do not count, nor do buildings mostly
 * there (tiles at a survey's edge are up to 92% nodata), nor buildings under 10 m².
 */
export function surfaceTruth(tile: SurfaceTile): TruthOnGrid {
  const withheld = tile.buildings.filter((b) => b.withheld);
  const grid = tile.dsm.grid;
  const observed = validMask(tile.dsm);
  const labels = polygonLabels(grid, withheld.map((b) => b.rings));
  const seen = observedShares(labels, withheld.length, observed);
  const counts = (i: number) => withheld[i]!.areaM2 >= MIN_TRUTH_M2 && seen[i]! >= MIN_OBSERVED_SHARE;
  const ignore = polygonMask(grid, withheld.filter((_, i) => !counts(i)).map((b) => b.rings));
  observed.forEach((v, k) => {
    if (!v) ignore[k] = 1;
  });
  return {
    grid,
    mask: polygonMask(grid, withheld.filter((_, i) => counts(i)).map((b) => b.rings)),
    ignore,
    labels,
    count: withheld.length,
    ignoreObject: (i) => !counts(i),
  };
}

/** For each labelled object (label k + 1), the share of its pixels where `observed` is 1. */
function observedShares(labels: Int32Array, count: number, observed: Uint8Array): Float64Array {
  const total = new Float64Array(count);
  const seen = new Float64Array(count);
  for (let k = 0; k < labels.length; k++) {
    const i = labels[k]! - 1;
    if (i < 0) continue;
    total[i]! += 1;
    seen[i]! += observed[k]!;
  }
  return seen.map((v, i) => (total[i]! > 0 ? v / total[i]! : 0));
}
