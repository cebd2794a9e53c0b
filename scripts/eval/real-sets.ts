/**
 * The real public sets the scoreboard knows (../shared/data/real/README.md): where each keeps its
 * files, how it is scored, at what ground resolution, and which of its tiles the shipped networks
 * trained on. A set folder the catalogue does not name is still scored when it is in a layout the
 * evaluation reads (a held-out copy with other names, say), as never trained on.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairHeldOut, uavHeldOut } from '#models/data/splits.js';
import type { Network } from '#pipeline/model/change-detector.js';
import { networkRecord } from '#pipeline/model/model-spec.js';
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
 * The items of a set's development copy (the one the trainer read), by the SHA-256 of each item's
 * first file (the before image of a pair, the surface model of a tile, xBD's pre-disaster image),
 * to their names there. A tile scored elsewhere counts as that item only when its content is the
 * same: a held-out copy with other tiles under the same names (EGY-BCD's are `val_1`...) is never
 * marked trained on.
 */
export function developmentItems(set: RealSet, developmentDir = DEFAULT_REAL_DIR): Map<string, string> {
  const sub = set.kind === 'surface' ? 'dsm' : set.kind === 'xbd' ? 'images' : 'A';
  const dir = path.join(developmentDir, set.folder, sub);
  const items = new Map<string, string>();
  if (!fs.existsSync(dir)) return items;
  for (const f of fs.readdirSync(dir)) {
    if (set.kind === 'xbd' && !f.endsWith('_pre_disaster.png')) continue;
    items.set(contentHash(path.join(dir, f)), f.replace(/\.[^.]+$/, '').replace(/_(pre|post)_disaster$/, ''));
  }
  return items;
}

export function contentHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Which development tiles the networks that served a set trained on, from their training records
 * in the sidecar (`development_split`, written by models/train.py): `all` when one of them read
 * the held-out development tiles too (a final network whose recipe was measured on the split),
 * else `train`.
 */
export function servedSplit(networks: readonly Network[], training: Record<string, unknown> | undefined): 'train' | 'all' {
  return networks.some((network) => networkRecord(training, network)?.development_split === 'all') ? 'all' : 'train';
}

/** Whether the serving networks trained on the item whose first file is `file`. */
export function trainedOn(set: RealSet, file: string, development: Map<string, string>, split: 'train' | 'all' = 'train'): boolean {
  if (!set.heldOut || !development.size) return false;
  const name = development.get(contentHash(file));
  return name !== undefined && (split === 'all' || !set.heldOut(name));
}
