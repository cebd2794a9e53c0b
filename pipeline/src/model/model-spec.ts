/**
 * The model's sidecar (models/change-detector.json): ground resolution, chip size, channel order,
 * normalisation and the ground-estimate settings the model was trained with. It is the one place
 * these numbers live; the training-data export, the Python trainer, evaluation and the pipeline all
 * read it, so what the model was trained on and what it is fed cannot drift apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GroundOptions } from './ground.js';
import { checkCalibrationMap, type Calibration } from './calibration.js';
import type { Network } from './change-detector.js';
import { MIRROR_COUNTS, type MirrorCount } from './mirror-chips.js';

/** Input channels, in tensor order. */
export const CHANNELS = [
  'after_r',
  'after_g',
  'after_b',
  'before_r',
  'before_g',
  'before_b',
  'after_height',
  'baseline_height',
  'baseline_footprint',
  'after_rgb_valid',
  'before_rgb_valid',
  'after_dsm_valid',
  'baseline_valid',
] as const;
export type ChannelName = (typeof CHANNELS)[number];

export interface ModelSpec {
  format: 'lingwei-change-detector/1';
  /** ONNX file name, relative to the sidecar. */
  onnx: string;
  /**
   * The surface-model-only network's ONNX file, relative to the sidecar (same channels, grid and
   * outputs): it serves inputs that hold heights and no earlier orthophoto (surface models alone,
   * first patrols). Absent: the main network serves all.
   */
  surface_only_onnx?: string;
  /**
   * The aerial-tile network's ONNX file, relative to the sidecar (same channels, grid and outputs):
   * it serves an orthophoto with an earlier one and the baseline, without a surface model. Absent:
   * the main network serves those.
   */
  aerial_onnx?: string;
  /**
   * The image-pair network's ONNX file, relative to the sidecar (same channels, grid and outputs;
   * a pretrained encoder inside): it serves a before and an after orthophoto with no baseline and
   * no heights. Absent: the main network serves those.
   */
  pair_onnx?: string;
  /** Ground sample distance the model works at, metres per pixel. */
  gsd_m: number;
  /** Chip side in pixels at gsd_m; the network accepts any multiple of `stride_px`. */
  chip_px: number;
  /** Overlap between neighbouring chips in tiled inference, pixels. */
  overlap_px: number;
  /**
   * A network's own chip side and overlap, where they differ from chip_px and overlap_px (chipsOf).
   * The surface network runs on 336 px chips with 32 px overlap: a detection block's 640 px read
   * window in 2 x 2 chips instead of 3 x 3 of 256 px, 21% less of its time. The main network
   * keeps 256 / 48: its time per pixel rises with the chip (no gain per block) and its arena held
   * about 100 MiB more on a weekly patrol (MODEL_CARD.md, the wide-context section).
   * `mirrors` (1, 2 or 4; default 1): how many looks each chip gets, its answers to the mirrored
   * chips mirrored back and averaged (mirror-chips.ts), at that many times the network's time.
   */
  network_chips?: Partial<Record<Exclude<Network, 'main'>, { chip_px: number; overlap_px: number; mirrors?: MirrorCount }>>;
  /** Side lengths must be multiples of this (the network's total downsampling). */
  stride_px: number;
  input_name: string;
  output_name: string;
  channels: ChannelName[];
  /** Output channels, in tensor order: probabilities 0..1. */
  outputs: ['new_structure', 'demolished'];
  normalisation: {
    /** RGB: ((v * scale) - mean) / std. */
    rgb: { scale: number; mean: number; std: number };
    /** Heights in metres: clamp to [min, max], then multiply by scale. */
    after_height: { min: number; max: number; scale: number };
    baseline_height: { min: number; max: number; scale: number };
  };
  ground: Required<GroundOptions> & { exclude_baseline_footprints: boolean };
  /**
   * Decision rule: threshold on the probabilities, least object area kept (m²), and the width of
   * the opening that removes slivers before objects are cut (m; 0 = none). Chosen on validation
   * scenes, never on the evaluation sets.
   */
  threshold: number;
  min_object_m2: number;
  opening_m: number;
  /** Filled in by the trainer: data, seeds, time, parameter count, metrics. */
  training?: Record<string, unknown>;
  /**
   * Per network, the map from a detected object's raw score to the chance it is a true change
   * (written by models/calibrate.ts, applied by model/calibration.ts). A network without one keeps
   * its raw score.
   */
  calibration?: Calibration;
}

/**
 * A network's training record in the sidecar's `training`: the main network's is the record
 * itself (models/export_onnx.py writes it at the top level), each other network's sits under its
 * own name there.
 */
export function networkRecord(training: Record<string, unknown> | undefined, network: Network): Record<string, unknown> | undefined {
  return (network === 'main' ? training : training?.[network]) as Record<string, unknown> | undefined;
}

/**
 * The chip side and overlap `network` runs on, and how many mirrored looks each chip gets: its own
 * (network_chips), else the sidecar's chip side and overlap and one look.
 */
export function chipsOf(spec: Pick<ModelSpec, 'chip_px' | 'overlap_px' | 'network_chips'>, network: Network): { chip: number; overlap: number; mirrors: MirrorCount } {
  const own = network === 'main' ? undefined : spec.network_chips?.[network];
  return { chip: own?.chip_px ?? spec.chip_px, overlap: own?.overlap_px ?? spec.overlap_px, mirrors: own?.mirrors ?? 1 };
}

/** The sidecar field that names each network's ONNX file. */
export const ONNX_FIELD = { main: 'onnx', surface_only: 'surface_only_onnx', aerial: 'aerial_onnx', pair: 'pair_onnx' } as const satisfies Record<Network, keyof ModelSpec>;

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** models/change-detector.json in the repository. */
export const DEFAULT_SPEC_PATH = path.resolve(HERE, '../../../models/change-detector.json');

export function loadModelSpec(specPath = DEFAULT_SPEC_PATH): ModelSpec & { dir: string } {
  let spec: ModelSpec;
  try {
    spec = JSON.parse(fs.readFileSync(specPath, 'utf8')) as ModelSpec;
  } catch (error) {
    throw new Error(`cannot read the model sidecar ${specPath}: ${(error as Error).message}`, { cause: error });
  }
  if (spec.format !== 'lingwei-change-detector/1') throw new Error(`${specPath}: unknown format ${String(spec.format)}`);
  const known = new Set<string>(CHANNELS);
  for (const c of spec.channels) if (!known.has(c)) throw new Error(`${specPath}: unknown channel ${c}`);
  if (spec.chip_px % spec.stride_px !== 0) throw new Error(`${specPath}: chip_px must be a multiple of stride_px`);
  for (const [network, chips] of Object.entries(spec.network_chips ?? {})) {
    if (!(chips.chip_px > 0 && chips.chip_px % spec.stride_px === 0)) throw new Error(`${specPath}: network_chips.${network}.chip_px must be a positive multiple of stride_px`);
    if (!(chips.overlap_px >= 0 && chips.overlap_px < chips.chip_px)) throw new Error(`${specPath}: network_chips.${network}.overlap_px must lie in [0, chip_px)`);
    if (chips.mirrors !== undefined && !MIRROR_COUNTS.includes(chips.mirrors)) throw new Error(`${specPath}: network_chips.${network}.mirrors must be one of ${MIRROR_COUNTS.join(', ')}`);
  }
  for (const [network, map] of Object.entries(spec.calibration ?? {})) checkCalibrationMap(map, `${specPath}: calibration.${network}`);
  return { ...spec, dir: path.dirname(specPath) };
}
