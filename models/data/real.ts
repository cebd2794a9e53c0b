/**
 * Real training samples from ../shared/data/real (never copied into the project): image pairs
 * (LEVIR-CD, EGY-BCD train tiles), drone surface models with outlines (uav_dsm_vietnam, training
 * tiles), and single-date building labels (xBD pre-disaster images, the SpaceNet sample) that the
 * trainer pairs with itself by pasting buildings in or out. xBD's pre/post pairs also give real
 * demolitions (buildings labelled destroyed). DSIFN is general land-cover change, not buildings,
 * and Open Cities' two 20 m drone tiles are too small at 0.5 m: both are left out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rasteriseBaseline } from '#pipeline/model/baseline-raster.js';
import type { Grid } from '#pipeline/model/grid.js';
import type { ModelSpec } from '#pipeline/model/model-spec.js';
import { polygonLabels, polygonMask, type PolygonRings } from '#pipeline/model/polygon-fill.js';
import { prepareInputs, type RgbInput } from '#pipeline/model/prepare.js';
import { resampleBand } from '#pipeline/model/resample.js';
import { listPairs, loadPair, toRgb, type PairFiles } from '#scripts/eval/pairs.js';
import { readPolygons } from '#scripts/eval/geojson.js';
import { wktPolygon } from '#scripts/eval/xbd.js';
import { readRaster, withGsd } from '#scripts/eval/read-raster.js';
import { baselineFromSurface, listTiles, loadTile, tileInputs, type SurfaceFiles } from '#scripts/eval/surface.js';
import { classShare, inputPlanes } from './planes.js';
import type { SampleWriter } from './sample-writer.js';
import { pairHeldOut, uavHeldOut } from './splits.js';

/** Ground resolution of the PNG sets, which carry none in their files. */
export const PAIR_GSD: Record<string, number> = { levir_cd: 0.5, egy_bcd: 0.25 };
const XBD_GSD = 0.45;

/**
 * Which development tiles a training run may read: `train` leaves the split's held-out tiles out
 * (every figure measured on them is honest); `all` reads them too, for a final network whose
 * recipe was chosen and measured on the `train` split (the scoreboard then marks every
 * development tile trained on).
 */
export type DevelopmentSplit = 'train' | 'all';

export function exportPairs(root: string, set: string, spec: ModelSpec, out: SampleWriter, split: DevelopmentSplit = 'train'): number {
  const dir = path.join(root, set);
  return exportPairFiles(
    listPairs(dir).filter((f) => split === 'all' || !pairHeldOut(f.name)),
    { source: set, gsd: PAIR_GSD[set] },
    spec,
    out,
  );
}

/** A loss-weight raster (one band, on the pair's ground) brought to the sample's grid, averaged. */
function weightPlane(file: string, grid: Grid): Float32Array {
  const r = readRaster(file);
  return resampleBand({ grid: r.grid, data: Float32Array.from(r.bands[0]!) }, grid, { method: 'average', minCoverage: 0 }).data;
}

/**
 * Image pairs in the evaluation's pairs layout (A/, B/, label/) as training samples, read exactly
 * as `npm run eval` reads them: at `gsd` metres when given, else the files' georeferencing, else
 * the model's own resolution. Used for the real sets above and for an office's own folders
 * (`npm run model -- adapt`, scripts/model/adapt.ts). `sampleName` overrides a pair's sample name;
 * `weight`, a raster of loss weights (the office's hard negatives, models/data/office.ts), replaces
 * the uniform weight of 1.
 */
export function exportPairFiles(
  pairs: readonly (PairFiles & { sampleName?: string; weight?: string })[],
  o: { source: string; gsd?: number },
  spec: ModelSpec,
  out: SampleWriter,
): number {
  let n = 0;
  for (const files of pairs) {
    const pair = loadPair(files, o.gsd, spec.gsd_m);
    const prepared = prepareInputs({ afterRgb: pair.after, beforeRgb: pair.before }, spec);
    const change = classShare({ grid: pair.labelGrid, data: pair.label }, [1], prepared.grid);
    out.write(
      { kind: 'pair', source: o.source, name: files.sampleName ?? pair.name, width: prepared.grid.width, height: prepared.grid.height },
      { ...inputPlanes(prepared, spec), target_change: change, weight: files.weight ? weightPlane(files.weight, prepared.grid) : new Float32Array(change.length).fill(1) },
    );
    n++;
  }
  return n;
}

export function exportSurfaces(root: string, spec: ModelSpec, out: SampleWriter, split: DevelopmentSplit = 'train'): number {
  const tiles = listTiles(path.join(root, 'uav_dsm_vietnam')).filter((t) => split === 'all' || !uavHeldOut(t.name));
  return exportSurfaceTiles(tiles, { source: 'uav_dsm_vietnam' }, spec, out);
}

/**
 * Surface-model tiles in the evaluation's layout (dsm/, mask_vec/, and rgb/, before_rgb/ when
 * present) as training samples, with the inputs `npm run eval` gives the detector (tileInputs).
 * Used for the real training tiles above and for an office's own folders (`npm run model --
 * adapt`, scripts/model/adapt.ts). `sampleName` overrides a tile's sample name.
 */
export function exportSurfaceTiles(tiles: readonly (SurfaceFiles & { sampleName?: string })[], o: { source: string }, spec: ModelSpec, out: SampleWriter): number {
  let n = 0;
  for (const files of tiles) {
    const tile = loadTile(files);
    const prepared = prepareInputs(tileInputs(tile), spec);
    const g = prepared.grid;
    const rings = tile.buildings.map((b) => b.rings);
    // Every building goes into the baseline here; the trainer withholds a random share per draw
    // by blanking their pixels in the baseline planes (the instance plane says which are whose).
    prepared.baseline = rasteriseBaseline(baselineFromSurface(rings, prepared.afterHeight!.data, prepared.afterHeight!.valid, g), g);
    out.write(
      { kind: 'surface', source: o.source, name: files.sampleName ?? files.name, width: g.width, height: g.height, extra: { area_m2: tile.buildings.map((b) => b.areaM2) } },
      { ...inputPlanes(prepared, spec), instance: polygonLabels(g, rings) },
    );
    n++;
  }
  return n;
}

/** xBD pixel polygons to the grid's CRS: the loader places a pixel image at [0, gsd, 0, H*gsd, 0, -gsd]. */
function pixelRings(rings: PolygonRings, grid: Grid): PolygonRings {
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  return rings.map((ring) => ring.map((p) => [x0 + p[0]! * dx, y0 + p[1]! * dy]));
}

export function exportXbd(root: string, spec: ModelSpec, out: SampleWriter): number {
  const dir = path.join(root, 'xbd', 'tier3');
  const labels = (f: string) =>
    (JSON.parse(fs.readFileSync(path.join(dir, 'labels', f), 'utf8')) as { features: { xy: { properties: { subtype?: string }; wkt: string }[] } }).features.xy;
  let n = 0;
  const posts = fs.readdirSync(path.join(dir, 'images')).filter((f) => f.endsWith('_post_disaster.png')).sort();
  for (const post of posts) {
    const pre = post.replace('_post_', '_pre_');
    const load = (f: string) => withGsd(readRaster(path.join(dir, 'images', f)), XBD_GSD);
    const a = load(pre);
    const b = load(post);
    const base = pre.replace('.png', '');
    const grid = a.grid;
    const preRings = labels(`${base}.json`).flatMap((f) => {
      const rings = wktPolygon(f.wkt);
      return rings ? [pixelRings(rings, grid)] : [];
    });
    const postFeatures = labels(post.replace('.png', '.json')).flatMap((f) => {
      const rings = wktPolygon(f.wkt);
      return rings ? [{ rings: pixelRings(rings, grid), subtype: f.properties.subtype ?? '' }] : [];
    });
    // Single date: the pre-disaster image and its outlines.
    const single = prepareInputs({ afterRgb: toRgb(a) }, spec);
    out.write(
      { kind: 'single', source: 'xbd', name: base, width: single.grid.width, height: single.grid.height },
      { ...inputPlanes(single, spec), buildings: classShare({ grid, data: polygonMask(grid, preRings) }, [1], single.grid) },
    );
    // Pair: destroyed buildings are demolitions; damaged ones are neither clearly standing nor gone.
    const pair = prepareInputs({ beforeRgb: toRgb(a), afterRgb: toRgb(b) }, spec);
    const destroyed = polygonMask(grid, postFeatures.filter((f) => f.subtype === 'destroyed').map((f) => f.rings));
    const unsure = polygonMask(grid, postFeatures.filter((f) => f.subtype === 'major-damage' || f.subtype === 'un-classified').map((f) => f.rings));
    const unsureShare = classShare({ grid, data: unsure }, [1], pair.grid);
    out.write(
      { kind: 'pair', source: 'xbd', name: base.replace('_pre_disaster', ''), width: pair.grid.width, height: pair.grid.height, extra: { directional: true } },
      {
        ...inputPlanes(pair, spec),
        target_new: new Float32Array(unsureShare.length),
        target_demolished: classShare({ grid, data: destroyed }, [1], pair.grid),
        weight: Float32Array.from(unsureShare, (v) => (v > 0.3 ? 0 : 1)),
      },
    );
    n += 2;
  }
  return n;
}

/** The SpaceNet sample: a 16-bit panchromatic tile, stretched to 0..255 grey by its 1st-99th percentiles. */
export function exportSpacenet(root: string, spec: ModelSpec, out: SampleWriter): number {
  const dir = path.join(root, 'spacenet_sample');
  const r = readRaster(path.join(dir, 'sample_geotiff.tif'));
  const pan = r.bands[0]!;
  const sorted = Float32Array.from(pan).sort();
  const lo = sorted[Math.floor(sorted.length * 0.01)]!;
  const hi = sorted[Math.floor(sorted.length * 0.99)]!;
  const grey = Float32Array.from(pan, (v) => Math.max(0, Math.min(255, ((v - lo) / (hi - lo)) * 255)));
  const rgb: RgbInput = { grid: r.grid, bands: [grey, grey, grey] };
  const prepared = prepareInputs({ afterRgb: rgb }, spec);
  const rings = readPolygons(path.join(dir, 'geotiff_labels.geojson')).flatMap((f) => f.parts);
  out.write(
    { kind: 'single', source: 'spacenet', name: 'atlanta', width: prepared.grid.width, height: prepared.grid.height },
    { ...inputPlanes(prepared, spec), buildings: polygonMask(prepared.grid, rings) },
  );
  return 1;
}
