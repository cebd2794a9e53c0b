/**
 * The real public sets the scoreboard knows (../shared/data/real/README.md): where each keeps its
 * files, how it is scored, at what ground resolution, and which of its tiles the shipped networks
 * trained on. A set folder the catalogue does not name is still scored when it is in a layout the
 * evaluation reads (a held-out copy with other names, say), as never trained on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairHeldOut, uavHeldOut } from '#models/data/splits.js';
import { XBD_GSD_M } from './xbd.js';

export type RealSetKind = 'pairs' | 'surface' | 'xbd' | 'single_date';

export interface RealSet {
  name: string;
  /** Folder under the real-data root that holds the layout. */
  folder: string;
  kind: RealSetKind;
  /** Ground resolution the files are read at, metres; undefined: the files' georeferencing. */
  gsdM?: number;
  /** What that resolution rests on, printed beside it. */
  gsdNote: string;
  /** What counts as change. */
  task: string;
  /** Held out of training by the trainer's split (models/data/splits.ts); undefined: never trained on. */
  heldOut?: (name: string) => boolean;
}

/** The repository's own real-data folder: ../shared/data/real beside the repository. */
export const DEFAULT_REAL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/real');

export const REAL_SETS: readonly RealSet[] = [
  { name: 'levir_cd', folder: 'levir_cd', kind: 'pairs', gsdM: 0.5, gsdNote: 'LEVIR-CD, Google Earth', task: 'building change', heldOut: pairHeldOut },
  { name: 'egy_bcd', folder: 'egy_bcd', kind: 'pairs', gsdM: 0.25, gsdNote: 'EGY-BCD, stated ~0.25 m', task: 'building change', heldOut: pairHeldOut },
  {
    name: 'dsifn',
    folder: 'dsifn',
    kind: 'pairs',
    gsdM: 2,
    // Neither the files nor the README give one; village houses 10-12 m across span 5-6 pixels.
    gsdNote: 'assumed: DSIFN states none; village houses span 5-6 px',
    task: 'all land-cover change, not buildings only',
  },
  {
    name: 'xbd',
    folder: path.join('xbd', 'tier3'),
    kind: 'xbd',
    gsdM: XBD_GSD_M,
    gsdNote: 'as the trainer reads it; the PNGs carry none',
    task: 'destroyed buildings (demolitions)',
    // The trainer exports every xBD pair (models/data/real.ts exportXbd).
    heldOut: () => false,
  },
  { name: 'uav_dsm_vietnam', folder: 'uav_dsm_vietnam', kind: 'surface', gsdNote: "the files' georeferencing", task: 'withheld buildings (30%, seeded)', heldOut: uavHeldOut },
  { name: 'opencities_drone', folder: 'opencities_drone', kind: 'single_date', gsdNote: 'about 2 cm', task: '' },
  { name: 'spacenet_sample', folder: 'spacenet_sample', kind: 'single_date', gsdNote: "the files' georeferencing", task: '' },
];

/**
 * File names (without extension) of a set's items in the development copy the trainer read; a
 * tile counts as trained on only when it is there and not held out, so a held-out copy of a set
 * elsewhere, whose names the split would not hold out, is not marked trained on.
 */
export function developmentNames(set: RealSet, developmentDir = DEFAULT_REAL_DIR): Set<string> {
  const sub = set.kind === 'surface' ? 'dsm' : set.kind === 'xbd' ? 'images' : 'A';
  const dir = path.join(developmentDir, set.folder, sub);
  if (!fs.existsSync(dir)) return new Set();
  return new Set(fs.readdirSync(dir).map((f) => f.replace(/\.[^.]+$/, '').replace(/_(pre|post)_disaster$/, '')));
}

/**
 * Which development tiles the network that serves this set trained on, from its training record
 * in the sidecar (`development_split`, written by models/train.py): `all` when its export read the
 * held-out development tiles too (a final network whose recipe was measured on the split), else
 * `train`. Image pairs are served by the image-pair network, surface models by the
 * surface-model-only network.
 */
export function servedSplit(set: RealSet, training: Record<string, unknown> | undefined): 'train' | 'all' {
  const key = set.kind === 'pairs' ? 'pair' : set.kind === 'surface' ? 'surface_only' : undefined;
  const record = key ? (training?.[key] as { development_split?: unknown } | undefined) : undefined;
  return record?.development_split === 'all' ? 'all' : 'train';
}

/** Whether the shipped networks trained on this item of the set. */
export function trainedOn(set: RealSet, name: string, development: Set<string>, split: 'train' | 'all' = 'train'): boolean {
  return !!set.heldOut && development.has(name) && (split === 'all' || !set.heldOut(name));
}
