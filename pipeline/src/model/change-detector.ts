/**
 * The change detector at inference: one onnxruntime session per network, reused for every call,
 * fed batches of chips; tiled inference over whole rasters with overlap and blending. Input
 * preparation (resampling, ground estimate, baseline rasterisation, normalisation) is the same code
 * that exported the training data.
 *
 * Four networks with the same inputs and outputs: the main one (drone patrols against an earlier
 * flight; a pretrained image encoder with the baseline and heights fused after it); a
 * surface-model-only one that serves inputs holding heights and no earlier orthophoto (surface
 * models alone, and first patrols with their orthophoto set aside; trained on heights alone; on
 * real surface models the only one measured to find houses); an aerial-tile one, the same fused
 * network trained on orthophoto pairs with the baseline and no heights; and an image-pair one over
 * the pretrained encoder, for bare before/after pairs (no baseline, no heights). The networks trained from
 * scratch on generated scenes did not see real roofs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { splitByBuilding } from './building-split.js';
import { chipSources, fillChip } from './chip.js';
import type { Grid } from './grid.js';
import { chipsOf, DEFAULT_SPEC_PATH, loadModelSpec, ONNX_FIELD, type ModelSpec } from './model-spec.js';
import { servedSpecPath } from '../model-store.js';
import { prepareInputs, type ChangeInputs, type PreparedInputs } from './prepare.js';
import { currentCalibration } from './calibration.js';
import { mirrorAveraged } from './mirror-chips.js';
import { decideObjects, type ObjectDecisionOptions } from './object-decision.js';
import { Scratch } from './scratch.js';
import { addSurfaceRise, surfaceRise, type SurfaceRiseOptions } from './surface-rise.js';
import { BlendAccumulator, chipLayout, fittedChip } from './tiling.js';

export interface LoadOptions {
  /**
   * The sidecar JSON (default: the model store's promoted version when there is one, else
   * models/change-detector.json; see pipeline/src/model-store.ts).
   */
  specPath?: string;
  /** The ONNX file (default: the sidecar's `onnx`, next to the sidecar). */
  modelPath?: string;
  /**
   * The surface-model-only network's ONNX file (default: the sidecar's `surface_only_onnx`, next to
   * the sidecar); false: the main network serves every input.
   */
  surfaceOnlyModelPath?: string | false;
  /**
   * The aerial-tile network's ONNX file (default: the sidecar's `aerial_onnx`, next to the
   * sidecar); false: the main network serves aerial tiles too.
   */
  aerialModelPath?: string | false;
  /**
   * The image-pair network's ONNX file (default: the sidecar's `pair_onnx`, next to the sidecar);
   * false: the main network serves bare image pairs too.
   */
  pairModelPath?: string | false;
  /** Threads inside each operator (default 2). */
  threads?: number;
  /**
   * 'auto' (default): CUDA when this onnxruntime build has it, CPU otherwise; 'cpu'; 'cuda'
   * (fails when CUDA cannot be used).
   */
  executionProvider?: 'auto' | 'cpu' | 'cuda';
  /** Chips per session.run in tiled inference (default 1 on the CPU, 4 on a GPU). */
  batchSize?: number;
}

/** Each network besides the main one: the load option that names its file, and its name in messages. */
const OTHER_NETWORKS = {
  surface_only: { option: 'surfaceOnlyModelPath', name: 'surface-model-only' },
  aerial: { option: 'aerialModelPath', name: 'aerial-tile' },
  pair: { option: 'pairModelPath', name: 'image-pair' },
} as const satisfies Record<Exclude<Network, 'main'>, { option: keyof LoadOptions; name: string }>;

/** Load options that leave the main network serving every input, the other networks off. */
export const MAIN_ALONE = { surfaceOnlyModelPath: false, aerialModelPath: false, pairModelPath: false } as const satisfies LoadOptions;

/** Per-pixel probabilities on the model's grid. */
export interface ChangeMap {
  /** Probability that a structure was newly built or grown here, 0..1. */
  newProb: Float32Array;
  /** Probability that a structure that stood here was demolished, 0..1. */
  demolishedProb: Float32Array;
  width: number;
  height: number;
  geoTransform: Grid['geoTransform'];
  grid: Grid;
  /** The network that made it (networkFor, with the options' `uncovered`). */
  network: Network;
  /** How many chips that network ran on (its chips, model-spec.ts chipsOf). */
  chips: number;
}

export interface DetectRasterOptions {
  /** Overlap between chips, pixels (default: the serving network's, model-spec.ts chipsOf). */
  overlapPx?: number;
  /** Chips per session.run (default: the detector's batch size). */
  batchSize?: number;
  /**
   * The surface-rise rule's settings (`surface-rise.ts`), applied when the inputs hold an earlier
   * surface model; false leaves the network's map as it is.
   */
  surfaceRise?: SurfaceRiseOptions | false;
  /**
   * The object decision's settings (`object-decision.ts`), applied to the surface-model-only
   * network's map; false leaves that map as it is.
   */
  objectDecision?: ObjectDecisionOptions | false;
  /**
   * The building split (`building-split.ts`): a detection over several baseline buildings is cut
   * into one per building; false leaves detections whole.
   */
  buildingSplit?: boolean;
  /**
   * The share of a first patrol's orthophoto without heights (uncoveredShare) measured once for the
   * whole flight, so that all its blocks go to one network (the pipeline's detect stage); default:
   * these inputs' own.
   */
  uncovered?: number;
}

/**
 * Whether onnxruntime-node's CUDA provider library is installed next to its binding (the npm
 * package ships CPU only; installing with CUDA adds it). Checked first so that CPU-only machines
 * do not log a failed library load on every start.
 */
export function cudaLibraryPresent(): boolean {
  try {
    const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/**
 * Nothing can be said to have changed where the new flight shows nothing: outside its imagery (a
 * transparent or nodata collar round an orthophoto), or, for heights alone, outside its surface
 * model. The network, told so by the availability mask, still answers there (0.5-0.7 in a DJI
 * Terra collar over a surface model), so those answers are cleared.
 */
function clearUnseen(prepared: PreparedInputs, ...maps: Float32Array[]): void {
  const seen = prepared.afterRgb?.valid ?? prepared.afterHeight?.valid;
  if (!seen) return;
  for (const map of maps) for (let i = 0; i < map.length; i++) if (!seen[i]) map[i] = 0;
}

/** The network that serves an input. */
export type Network = 'main' | 'surface_only' | 'aerial' | 'pair';

/**
 * Most share of a first patrol's orthophoto its surface model may leave without heights (holes
 * over water and featureless ground, a model narrower than the orthophoto) for the surface network
 * to serve it, which sees nothing there: its object F1 on generated first patrols, 0.974, lost on
 * that share, against the main network's 0.949 over all of it (1 - 0.949 / 0.974).
 */
export const FIRST_PATROL_HOLES = 0.025;

/** Share of the orthophoto's seen pixels without a height (0 without an orthophoto). */
export function uncoveredShare(afterRgb: { valid: ArrayLike<number> } | null, afterHeight: { valid: ArrayLike<number> }): number {
  if (!afterRgb) return 0;
  let seen = 0;
  let uncovered = 0;
  for (let i = 0; i < afterRgb.valid.length; i++) {
    if (!afterRgb.valid[i]) continue;
    seen += 1;
    if (!afterHeight.valid[i]) uncovered += 1;
  }
  return seen ? uncovered / seen : 0;
}

export class ChangeDetector {
  /** The networks besides the main one, opened on first use. */
  private readonly opened = new Map<Exclude<Network, 'main'>, Promise<ort.InferenceSession>>();
  /** Scratch buffers of finished calls, for the next; concurrent calls each take their own. */
  private readonly idleScratch: Scratch[] = [];

  private constructor(
    private readonly main: ort.InferenceSession,
    /**
     * Open the other networks' sessions on first use, so that a worker holds only those its
     * flights need (the main one is always open); absent when not shipped or turned off.
     */
    private readonly openers: Partial<Record<Exclude<Network, 'main'>, () => Promise<ort.InferenceSession>>>,
    readonly spec: ModelSpec,
    /** The execution provider in use. */
    readonly provider: 'cpu' | 'cuda',
    readonly batchSize: number,
  ) {}

  static async load(options: LoadOptions = {}): Promise<ChangeDetector> {
    const spec = loadModelSpec(options.specPath ?? (options.modelPath ? DEFAULT_SPEC_PATH : servedSpecPath()));
    const modelPath = options.modelPath ?? path.join(spec.dir, spec.onnx);
    // Each other network's file: the option's, else the sidecar's beside it; false: not served.
    const others = {} as Record<Exclude<Network, 'main'>, string | false>;
    for (const [network, { option, name }] of Object.entries(OTHER_NETWORKS) as [Exclude<Network, 'main'>, (typeof OTHER_NETWORKS)[Exclude<Network, 'main'>]][]) {
      const named = spec[ONNX_FIELD[network]];
      const file = options[option] ?? (named ? path.join(spec.dir, named) : false);
      if (file && !fs.existsSync(file)) throw new Error(`cannot load the ${name} network ${file}: no such file (train it with npm run train)`);
      others[network] = file;
    }
    const fresh = currentCalibration(spec.calibration, { main: modelPath, ...others }, fileSha256);
    if (fresh.stale.length) {
      console.warn(`change detector: calibration of ${fresh.stale.join(', ')} was fitted for another network file; those scores stay raw until npx tsx models/calibrate.ts is run again`);
    }
    spec.calibration = fresh.calibration;
    const base: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads ?? 2,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    };
    // On the CPU one chip a run: the fused main network (pretrained encoder) at four chips a run
    // held about 310 MiB more in the worker than at one (peak with GDAL's children 1168 against 836 MiB, over the
    // 1 GiB aim) and was no faster on 2 threads (pipeline bench, 1 km²: 8.9-9.1 s to candidates at
    // 4, 8.5-8.8 at 1; the from-scratch network it replaced: 8.6-8.7 at 4). A GPU keeps four.
    const batchFor = (provider: 'cpu' | 'cuda') => options.batchSize ?? (provider === 'cuda' ? 4 : 1);
    const open = async (provider: 'cpu' | 'cuda') => {
      const create = async (file: string) => {
        try {
          return await ort.InferenceSession.create(file, { ...base, executionProviders: [provider] });
        } catch (error) {
          throw new Error(`cannot load the change-detection model ${file}: ${(error as Error).message} (train it with npm run train)`, { cause: error });
        }
      };
      const main = await create(modelPath);
      const openers: Partial<Record<Exclude<Network, 'main'>, () => Promise<ort.InferenceSession>>> = {};
      for (const [network, file] of Object.entries(others) as [Exclude<Network, 'main'>, string | false][]) if (file) openers[network] = () => create(file);
      return new ChangeDetector(main, openers, spec, provider, batchFor(provider));
    };
    const want = options.executionProvider ?? 'auto';
    if (want === 'cuda' || (want === 'auto' && cudaLibraryPresent())) {
      try {
        return await open('cuda');
      } catch (error) {
        // onnxruntime-node ships CPU binaries; CUDA needs its libraries installed. Fall back quietly
        // unless CUDA was asked for explicitly.
        if (want === 'cuda') throw new Error(`CUDA execution provider unavailable: ${(error as Error).message}`, { cause: error });
      }
    }
    return open('cpu');
  }

  /**
   * The network for these inputs (each only when shipped): the surface-model-only one when they
   * hold heights and no earlier orthophoto (surface models alone, and a drone area's first patrol,
   * whose orthophoto it sets aside); the aerial-tile one when they hold both orthophotos and the
   * baseline but no heights; the image-pair one when they hold both orthophotos and nothing else;
   * the main one otherwise (drone patrols against an earlier flight, one image alone).
   *
   * First patrols: on the generated held-out scenes without an earlier flight the surface network
   * finds more than the main one (object F1 0.974 against 0.949), and on real surface models it
   * is the only one shown to work (uav_dsm_vietnam held out 0.538; the main network 0.000). It
   * sees nothing where the surface model has no heights, so a first patrol whose heights leave more
   * than FIRST_PATROL_HOLES of its orthophoto uncovered (`uncovered`, default these inputs' share)
   * stays with the main network.
   */
  networkFor(prepared: Pick<PreparedInputs, 'afterRgb' | 'beforeRgb' | 'afterHeight' | 'baseline'>, uncovered?: number): Network {
    const { afterRgb, beforeRgb, afterHeight, baseline } = prepared;
    const brings = { afterRgb: Boolean(afterRgb), beforeRgb: Boolean(beforeRgb), afterHeight: Boolean(afterHeight), baseline: Boolean(baseline) };
    return this.networkServing(brings, afterHeight && !beforeRgb ? (uncovered ?? uncoveredShare(afterRgb, afterHeight)) : 0);
  }

  /**
   * networkFor by what an input brings, before anything is read: the detect stage asks it once per
   * flight, so that a first patrol the surface network serves is read without its orthophoto.
   * @param uncovered the share of the orthophoto the surface model leaves without heights
   */
  networkServing(brings: Readonly<Record<'afterRgb' | 'beforeRgb' | 'afterHeight' | 'baseline', boolean>>, uncovered: number): Network {
    const { afterRgb, beforeRgb, afterHeight, baseline } = brings;
    if (this.openers.surface_only && afterHeight && !beforeRgb && uncovered <= FIRST_PATROL_HOLES) return 'surface_only';
    if (this.openers.aerial && afterRgb && beforeRgb && baseline && !afterHeight) return 'aerial';
    if (this.openers.pair && afterRgb && beforeRgb && !baseline && !afterHeight) return 'pair';
    return 'main';
  }

  /** Number of input channels per chip. */
  get channels(): number {
    return this.spec.channels.length;
  }

  /**
   * Runs the network on `count` chips already normalised, laid out N x C x size x size. Returns
   * N x 2 x size x size probabilities (new structure, demolished). `size` must be a multiple of
   * the sidecar's stride_px.
   */
  async detectChips(input: Float32Array, count: number, size = this.spec.chip_px, network: Network = 'main'): Promise<Float32Array> {
    if (size % this.spec.stride_px !== 0) throw new Error(`chip size ${size} is not a multiple of ${this.spec.stride_px}`);
    if (input.length !== count * this.channels * size * size) {
      throw new Error(`chip batch holds ${input.length} values, expected ${count} x ${this.channels} x ${size} x ${size}`);
    }
    const tensor = new ort.Tensor('float32', input, [count, this.channels, size, size]);
    const session = network === 'main' ? this.main : await this.session(network);
    const result = await session.run({ [this.spec.input_name]: tensor });
    const out = result[this.spec.output_name];
    if (!out) throw new Error(`model has no output ${this.spec.output_name}`);
    return out.data as Float32Array;
  }

  /** Prepares the inputs (resampling, ground, baseline) and runs tiled inference over them. */
  async detectRaster(inputs: ChangeInputs, options: DetectRasterOptions = {}): Promise<ChangeMap> {
    return this.detectPrepared(prepareInputs(inputs, this.spec), options);
  }

  /** Tiled inference over inputs already on the model's grid. */
  async detectPrepared(given: PreparedInputs, options: DetectRasterOptions = {}): Promise<ChangeMap> {
    const network = this.networkFor(given, options.uncovered);
    // The surface network reads heights and the baseline alone: a first patrol's orthophoto is set
    // aside, and what the flight shows is where its heights are.
    const prepared = network === 'surface_only' && given.afterRgb ? { ...given, afterRgb: null } : given;
    const { grid } = prepared;
    const chips = chipsOf(this.spec, network);
    const chip = fittedChip(grid.width, grid.height, chips.chip, this.spec.stride_px);
    const overlap = options.overlapPx ?? chips.overlap;
    const batchSize = Math.max(1, options.batchSize ?? this.batchSize);
    const layout = chipLayout(grid.width, grid.height, chip, overlap);
    const scratch = (this.idleScratch.pop() ?? new Scratch()).reset();
    const acc = new BlendAccumulator(grid.width, grid.height, 2, chip, overlap);
    try {
      const sources = chipSources(prepared, this.spec, (length) => scratch.zeros(length));
      const perChip = this.channels * chip * chip;
      // fillChip writes every value of a chip
      const buffer = scratch.overwritten(Math.min(batchSize, layout.length) * perChip);
      for (let start = 0; start < layout.length; start += batchSize) {
        const batch = layout.slice(start, start + batchSize);
        batch.forEach((at, i) => fillChip(prepared, sources, at.col0, at.row0, chip, buffer, i * perChip));
        const input = batch.length * perChip === buffer.length ? buffer : buffer.subarray(0, batch.length * perChip);
        const out = await mirrorAveraged(input, chip, chips.mirrors, (chipsNow) => this.detectChips(chipsNow, batch.length, chip, network));
        batch.forEach((at, i) => acc.add(out, i * 2 * chip * chip, at));
      }
    } finally {
      this.idleScratch.push(scratch);
    }
    const [newProb, demolishedProb] = acc.finish();
    if (network === 'surface_only' && options.objectDecision !== false) {
      // Objects are cut from what the flight shows: the collar's answers go first.
      clearUnseen(prepared, newProb!);
      decideObjects(newProb!, grid, this.spec.threshold, options.objectDecision);
    }
    if (options.surfaceRise !== false) addSurfaceRise(newProb!, surfaceRise(prepared, options.surfaceRise));
    const building = prepared.baseline?.building;
    if (building && options.buildingSplit !== false) for (const map of [newProb!, demolishedProb!]) splitByBuilding(map, grid, building, this.spec.threshold);
    clearUnseen(prepared, newProb!, demolishedProb!);
    return { newProb: newProb!, demolishedProb: demolishedProb!, width: grid.width, height: grid.height, geoTransform: grid.geoTransform, grid, network, chips: layout.length };
  }

  private session(network: Exclude<Network, 'main'>): Promise<ort.InferenceSession> {
    const open = this.openers[network];
    if (!open) {
      const { name, option } = OTHER_NETWORKS[network];
      throw new Error(`no ${name} network is loaded (the sidecar names none, or ${option} is false)`);
    }
    let session = this.opened.get(network);
    if (!session) this.opened.set(network, (session = open()));
    return session;
  }

  async close(): Promise<void> {
    await this.main.release();
    for (const session of this.opened.values()) await (await session).release();
  }
}

function fileSha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
