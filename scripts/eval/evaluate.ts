/**
 * Runs the shipped model over a folder in one of the layouts and adds up the scores. Pixel
 * figures pool every pixel of the folder; object figures pool every object.
 */
import type { ChangeDetector, ChangeMap, Network } from '#pipeline/model/change-detector.js';
import { changeObjects } from '#pipeline/model/change-objects.js';
import { takeOutDrift } from '#pipeline/model/drift.js';
import { validMask } from '#pipeline/model/grid.js';
import { polygonLabels, polygonMask } from '#pipeline/model/polygon-fill.js';
import { prepareInputs, type ChangeInputs, type PreparedInputs } from '#pipeline/model/prepare.js';
import { addCounts, pixelScores, rates, type ObjectCounts, type PixelCounts } from './scoring.js';
import { listPairs, loadPair, type GsdSource } from './pairs.js';
import { listScenes, loadScene, type ChangeClass, type SceneData } from './scenes.js';
import { MIN_TRUTH_M2, onGrid, scoreMap, type DecisionRule, type DetectedObject, type MapScore, type MatchedMap, type TruthOnGrid } from './score.js';
import { noteObjects, planeResidual, type ObjectNote } from './object-notes.js';
import { listTiles, loadTile, prepareTile, surfaceMode, surfaceTruth, type SurfaceMode, type SurfaceTile } from './surface.js';

export type Layout = 'pairs' | 'surface' | 'scenes';
/** Which inputs a generated scene is scored with (the flight kinds of the issue). */
export type SceneMode = 'drone' | 'drone_no_before_dsm' | 'drone_no_before' | 'rgb' | 'dsm' | 'rgb_pair';
export const SCENE_MODES: SceneMode[] = ['drone', 'drone_no_before_dsm', 'drone_no_before', 'rgb', 'dsm', 'rgb_pair'];

export interface EvalOptions {
  /** Ground resolution for files that carry none (pairs layout), metres. */
  gsd?: number;
  threshold?: number;
  minObjectM2?: number;
  openingM?: number;
  mode?: SceneMode;
  /** Called after each pair/tile/scene with its name and figures. */
  progress?: (name: string, score: MapScore) => void;
  /** Called once with remarks worth printing (assumed ground resolution...). */
  note?: (text: string) => void;
  /**
   * Pairs: give the detector an empty baseline (known, holding no building) beside the two images,
   * as an office's aerial tiles come with one: scores the network served for aerial tiles with a
   * baseline on real pairs (mode rgb instead of rgb_pair).
   */
  emptyBaseline?: boolean;
  /** Surface-model tiles: called after each tile with its missed buildings and false alarms, and why (object-notes.ts). */
  objectNotes?: (notes: ObjectNote[]) => void;
  /** Called after each pair/tile/scene with the network that served it and every object it detected (calibration, models/calibrate.ts). */
  objects?: (name: string, network: Network, detected: DetectedObject[]) => void;
}

export interface ItemScore extends MapScore {
  name: string;
  /** Scenes: the new flight's drift that was measured and taken out (metres east, north), null when none could be. */
  drift_m?: { dx: number; dy: number } | null;
}

export interface EvalResult {
  layout: Layout;
  /** What the items were scored with: a scene mode, the surface folder's (by its optional folders), or rgb_pair for pairs. */
  mode?: SceneMode | SurfaceMode;
  pixel: ReturnType<typeof pixelScores> & PixelCounts;
  object: ReturnType<typeof rates> & ObjectCounts;
  /** Number of pairs, tiles or scenes scored. */
  pairs: number;
  chips_per_second: number;
  /** The networks that served the inputs: 'main', 'surface_only' for heights without an earlier orthophoto, 'aerial' for aerial tiles, 'pair' for bare pairs. */
  networks: Network[];
  /** Pairs layout: the ground resolutions the pairs were read at, metres, and where each came from. */
  gsd?: { metres: number[]; sources: GsdSource[] };
  /** Per change class (scenes layout only). */
  classes?: Record<ChangeClass, { pixel: ReturnType<typeof pixelScores>; object: ReturnType<typeof rates> & ObjectCounts }>;
  items: ItemScore[];
  threshold: number;
  min_object_m2: number;
  opening_m: number;
  min_truth_m2: number;
}

/** Times model runs and counts chips, so chips per second leaves file reading and scoring out. */
class Clock {
  chips = 0;
  ms = 0;
  readonly networks = new Set<Network>();
  /** The network of the latest run. */
  last: Network = 'main';
  async run(detector: ChangeDetector, prepared: PreparedInputs): Promise<ChangeMap> {
    const t0 = performance.now();
    const map = await detector.detectPrepared(prepared);
    this.ms += performance.now() - t0;
    this.last = map.network;
    this.networks.add(this.last);
    this.chips += map.chips;
    return map;
  }
  get rate(): number {
    return this.ms > 0 ? Math.round((this.chips / this.ms) * 1000 * 10) / 10 : 0;
  }
}

const ZERO_PIXELS: PixelCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
const ZERO_OBJECTS: ObjectCounts = { tp: 0, fp: 0, fn: 0 };

/** The decision rule: options first, then the sidecar's. */
function ruleOf(o: EvalOptions, detector: ChangeDetector): DecisionRule {
  const spec = detector.spec;
  return { threshold: o.threshold ?? spec.threshold, minObjectM2: o.minObjectM2 ?? spec.min_object_m2, openingM: o.openingM ?? spec.opening_m ?? 0 };
}

function summarise(layout: Layout, items: ItemScore[], clock: Clock, rule: DecisionRule): EvalResult {
  const pixel = items.reduce((a, s) => addCounts(a, s.pixel), ZERO_PIXELS);
  const object = items.reduce((a, s) => addCounts(a, s.object), ZERO_OBJECTS);
  return {
    layout,
    pixel: { ...pixelScores(pixel), ...pixel },
    object: { ...rates(object.tp, object.fp, object.fn), ...object },
    pairs: items.length,
    chips_per_second: clock.rate,
    networks: [...clock.networks].sort(),
    items,
    threshold: rule.threshold,
    min_object_m2: rule.minObjectM2,
    opening_m: rule.openingM,
    min_truth_m2: MIN_TRUTH_M2,
  };
}

/** Probability of any change, for labels that do not say which way: 1 - (1 - new)(1 - demolished). */
export function anyChange(map: ChangeMap): Float32Array {
  return Float32Array.from(map.newProb, (p, i) => 1 - (1 - p) * (1 - map.demolishedProb[i]!));
}

export async function evaluatePairs(dir: string, detector: ChangeDetector, o: EvalOptions = {}): Promise<EvalResult> {
  const rule = ruleOf(o, detector);
  const clock = new Clock();
  const items: ItemScore[] = [];
  const metres = new Set<number>();
  const sources = new Set<GsdSource>();
  for (const files of listPairs(dir)) {
    const pair = loadPair(files, o.gsd, detector.spec.gsd_m);
    // Said before the run, not after: a wrong resolution spoils every figure that follows.
    if (pair.gsdSource === 'assumed' && !sources.has('assumed')) {
      o.note?.(`${files.name}: the files carry no ground resolution and no --gsd was given; assuming the model's ${detector.spec.gsd_m} m (EGY-BCD is 0.25 m: pass --gsd 0.25; SZTAKI AirChange 1.5 m: --gsd 1.5. Coarser imagery read as finer scores less)`);
    }
    metres.add(+pair.gsd.toFixed(4));
    sources.add(pair.gsdSource);
    const map = await clock.run(detector, prepareInputs({ beforeRgb: pair.before, afterRgb: pair.after, ...(o.emptyBaseline ? { baseline: [] } : {}) }, detector.spec));
    const truth = changeObjects(Float32Array.from(pair.label), pair.labelGrid, { threshold: 0.5, minAreaM2: 0 });
    const pixelArea = pair.gsd * pair.gsd;
    const { detected, ...score } = scoreMap(
      anyChange(map),
      map.grid,
      {
        grid: pair.labelGrid,
        mask: pair.label,
        labels: truth.labels,
        count: truth.objects.length,
        ignoreObject: (i) => truth.objects[i]!.pixels * pixelArea < MIN_TRUTH_M2,
      },
      rule,
    );
    items.push({ name: files.name, ...score });
    o.objects?.(files.name, clock.last, detected);
    o.progress?.(files.name, score);
  }
  return { ...summarise('pairs', items, clock, rule), mode: o.emptyBaseline ? 'rgb' : 'rgb_pair', gsd: { metres: [...metres].sort((a, b) => a - b), sources: [...sources].sort() } };
}

export async function evaluateSurfaces(dir: string, detector: ChangeDetector, o: EvalOptions = {}): Promise<EvalResult> {
  const rule = ruleOf(o, detector);
  const clock = new Clock();
  const items: ItemScore[] = [];
  const tiles = listTiles(dir);
  // listTiles asks every tile for the files of each optional folder present: one mode per folder.
  const mode = surfaceMode(tiles[0]!);
  for (const files of tiles) {
    const tile = loadTile(files);
    const prepared = prepareTile(tile, detector.spec);
    const map = await clock.run(detector, prepared);
    const truth = surfaceTruth(tile);
    const notes = o.objectNotes && ((matched: MatchedMap) => o.objectNotes!(tileNotes(tile, prepared, truth, matched)));
    const { detected, ...score } = scoreMap(map.newProb, map.grid, truth, rule, notes);
    items.push({ name: files.name, ...score });
    o.objects?.(files.name, clock.last, detected);
    o.progress?.(files.name, score);
  }
  return { ...summarise('surface', items, clock, rule), mode };
}

/** A tile's per-object notes: heights above the detector's own ground estimate, brought to the tile's grid. */
function tileNotes(tile: SurfaceTile, prepared: PreparedInputs, truth: TruthOnGrid, matched: MatchedMap): ObjectNote[] {
  const { grid } = truth;
  const h = prepared.afterHeight!;
  // A copy: on the same grid onGrid hands back the prepared array itself.
  const height = Float32Array.from(onGrid(h.data, prepared.grid, grid));
  const known = onGrid(Float32Array.from(h.valid), prepared.grid, grid);
  known.forEach((v, k) => {
    if (v < 0.5) height[k] = Number.NaN;
  });
  return noteObjects({
    tile: tile.name,
    grid,
    p: matched.p,
    height,
    residual: planeResidual(tile.dsm.data, validMask(tile.dsm), grid.width, grid.height),
    mapped: polygonMask(grid, tile.buildings.filter((b) => !b.withheld).map((b) => b.rings)),
    truthLabels: truth.labels,
    truthStates: matched.truthStates,
    detectionLabels: matched.detectionLabels,
    detectionStates: matched.detectionStates,
  });
}

/** The inputs a scene is scored with in each mode. */
export function sceneInputs(scene: SceneData, mode: SceneMode): ChangeInputs {
  switch (mode) {
    case 'drone':
      // The earlier flight's surface model, when the scene has one, feeds the surface-rise rule.
      return { afterRgb: scene.afterRgb, beforeRgb: scene.beforeRgb, afterDsm: scene.afterDsm, ...(scene.beforeDsm ? { beforeDsm: scene.beforeDsm } : {}), baseline: scene.baseline };
    case 'drone_no_before_dsm':
      return { afterRgb: scene.afterRgb, beforeRgb: scene.beforeRgb, afterDsm: scene.afterDsm, baseline: scene.baseline };
    case 'drone_no_before':
      return { afterRgb: scene.afterRgb, afterDsm: scene.afterDsm, baseline: scene.baseline };
    case 'rgb':
      return { afterRgb: scene.afterRgb, beforeRgb: scene.beforeRgb, baseline: scene.baseline };
    case 'dsm':
      return { afterDsm: scene.afterDsm, baseline: scene.baseline };
    case 'rgb_pair':
      return { afterRgb: scene.afterRgb, beforeRgb: scene.beforeRgb };
  }
}

/** Change types an image pair cannot see (same roof from above); not counted without heights. */
const HEIGHT_ONLY = new Set(['rooftop_addition', 'added_floor']);

export async function evaluateScenes(dir: string, detector: ChangeDetector, o: EvalOptions = {}): Promise<EvalResult> {
  const rule = ruleOf(o, detector);
  const mode = o.mode ?? 'drone';
  const clock = new Clock();
  const items: ItemScore[] = [];
  const perClass: Record<ChangeClass, MapScore[]> = { new: [], demolished: [] };
  const withHeights = mode === 'drone' || mode === 'drone_no_before_dsm' || mode === 'drone_no_before' || mode === 'dsm';
  for (const folder of listScenes(dir)) {
    const scene = loadScene(folder);
    // The generator's patrol flight drifts 0.3-1.5 m; the pipeline measures and takes that out
    // before detection (its co-register stage), so the scenes are scored the same way.
    const { inputs, drift } = takeOutDrift(sceneInputs(scene, mode), detector.spec);
    const map = await clock.run(detector, prepareInputs(inputs, detector.spec));
    const mask = scene.changeMask;
    const ignore = Uint8Array.from(mask.data, (v) => (v === 255 ? 1 : 0));
    if (!withHeights) {
      const hidden = polygonMask(mask.grid, scene.truth.filter((t) => HEIGHT_ONLY.has(t.changeType)).map((t) => t.rings));
      hidden.forEach((v, i) => {
        if (v) ignore[i] = 1;
      });
    }
    const scores: MapScore[] = [];
    const detectedHere: DetectedObject[] = [];
    for (const cls of ['new', 'demolished'] as const) {
      const value = cls === 'new' ? 1 : 2;
      const truths = scene.truth.filter((t) => t.changeClass === cls);
      const uncounted = (t: (typeof truths)[number]) => t.registered || t.areaM2 < MIN_TRUTH_M2 || (!withHeights && HEIGHT_ONLY.has(t.changeType));
      const { detected, ...score } = scoreMap(
        cls === 'new' ? map.newProb : map.demolishedProb,
        map.grid,
        {
          grid: mask.grid,
          mask: Uint8Array.from(mask.data, (v) => (v === value ? 1 : 0)),
          ignore,
          labels: polygonLabels(mask.grid, truths.map((t) => t.rings)),
          count: truths.length,
          ignoreObject: (i) => uncounted(truths[i]!),
        },
        rule,
      );
      detectedHere.push(...detected);
      perClass[cls].push(score);
      scores.push(score);
    }
    const item: ItemScore = {
      name: scene.name,
      pixel: addCounts(scores[0]!.pixel, scores[1]!.pixel),
      object: addCounts(scores[0]!.object, scores[1]!.object),
      drift_m: drift && { dx: +drift.dxM.toFixed(3), dy: +drift.dyM.toFixed(3) },
    };
    items.push(item);
    o.objects?.(scene.name, clock.last, detectedHere);
    o.progress?.(scene.name, item);
  }
  const result = summarise('scenes', items, clock, rule);
  const classSummary = (scores: MapScore[]) => {
    const pixel = scores.reduce((a, s) => addCounts(a, s.pixel), ZERO_PIXELS);
    const object = scores.reduce((a, s) => addCounts(a, s.object), ZERO_OBJECTS);
    return { pixel: pixelScores(pixel), object: { ...rates(object.tp, object.fp, object.fn), ...object } };
  };
  return { ...result, mode, classes: { new: classSummary(perClass.new), demolished: classSummary(perClass.demolished) } };
}
