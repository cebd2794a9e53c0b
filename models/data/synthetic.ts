/**
 * Synthetic training scenes, straight from the fixture generator in memory (no GeoTIFF round
 * trip): the same rasters and vectors the CLI writes, turned into the same SceneData evaluation
 * reads from disk.
 */
import { generateScene, type RasterProduct } from '#fixtures/generator/scene.js';
import { polygonMask } from '#pipeline/model/polygon-fill.js';
import type { ModelSpec } from '#pipeline/model/model-spec.js';
import { prepareInputs, type RgbInput } from '#pipeline/model/prepare.js';
import { lonLatTransformer } from '#pipeline/raster/index.js';
import { baselineOf, truthOf, type SceneData } from '#scripts/eval/scenes.js';
import { classShare, inputPlanes } from './planes.js';

const grid = (p: RasterProduct) => ({ width: p.width, height: p.height, geoTransform: p.geoTransform });

export interface SyntheticOptions {
  seed: number;
  sizeM: number;
  gsdM: number;
  dates: { before: string; after: string };
}

export function syntheticScene(o: SyntheticOptions): SceneData {
  const g = generateScene({ seed: o.seed, sizeM: o.sizeM, gsdM: o.gsdM, dates: o.dates });
  if (!g.rasters) throw new Error('generator returned no rasters');
  const { fromLonLat } = lonLatTransformer(g.manifest.epsg);
  const rgb = (p: RasterProduct): RgbInput => ({ grid: grid(p), bands: [p.bands[0]!, p.bands[1]!, p.bands[2]!], nodata: p.nodata });
  const r = g.rasters;
  return {
    name: `seed-${o.seed}`,
    seed: o.seed,
    beforeRgb: rgb(r.before_ortho),
    afterRgb: rgb(r.after_ortho),
    afterDsm: { grid: grid(r.after_dsm), data: r.after_dsm.bands[0]!, nodata: r.after_dsm.nodata },
    changeMask: { grid: grid(r.change_mask), data: r.change_mask.bands[0] as Uint8Array },
    baseline: baselineOf(g.vectors.baseline_buildings, fromLonLat),
    truth: truthOf(g.vectors.ground_truth, fromLonLat),
  };
}

/** Change types only a surface model shows (the roof looks the same from above). */
const HEIGHT_ONLY = new Set(['rooftop_addition', 'added_floor']);

/** Input channels with every input present, plus targets: the trainer drops inputs itself. */
export function scenePlanes(scene: SceneData, spec: ModelSpec): { width: number; height: number; planes: Record<string, ArrayLike<number>> } {
  const prepared = prepareInputs({ afterRgb: scene.afterRgb, beforeRgb: scene.beforeRgb, afterDsm: scene.afterDsm, baseline: scene.baseline }, spec);
  const g = prepared.grid;
  const ignore = classShare(scene.changeMask, [255], g);
  const built = classShare(scene.changeMask, [1], g);
  const gone = classShare(scene.changeMask, [2], g);
  const weight = Float32Array.from(ignore, (v) => (v > 0.5 ? 0 : 1 - v));
  const share = (v: Float32Array) => Float32Array.from(v, (x, i) => (weight[i]! > 0 ? Math.min(1, x / (1 - ignore[i]!)) : 0));
  const heightOnly = polygonMask(
    g,
    scene.truth.filter((t) => HEIGHT_ONLY.has(t.changeType)).map((t) => t.rings),
  );
  return {
    width: g.width,
    height: g.height,
    planes: { ...inputPlanes(prepared, spec), target_new: share(built), target_demolished: share(gone), weight, height_only: heightOnly },
  };
}
