/**
 * The model store (issue 19): adapted versions of the change-detection networks, beside the raster
 * store, and which one is promoted. `npm run model` (scripts/model.ts) writes it;
 * ChangeDetector.load reads the promoted version's sidecar by default, and models/ stays the
 * fallback ("shipped") when the store is absent or holds no promoted version.
 *
 *   <store>/versions/<version>/change-detector.json   the version's sidecar: every network it serves
 *                                                     (the adapted one and copies of the others)
 *   <store>/versions/<version>/*.onnx, *.pt           networks; their checkpoints (the adapted one's, the base's others')
 *   <store>/versions/<version>/version.json           what it was adapted on and how it scored
 *   <store>/versions/<version>/CARD.md                its model-card section
 *   <store>/versions/<version>/held-back/             the held-back share (links to the files), an
 *                                                     evaluation folder: npm run eval -- <it> --model <version>
 *                                                     (--main-alone for an adapted main network)
 *   <store>/promoted.json                             the promotions, newest last (rollback pops one)
 *
 * Where: MODEL_STORE, else a "models" folder beside a local RASTER_STORE (default .lingwei/models
 * beside .lingwei/rasters), else .lingwei/models when the raster store is an object store.
 * MODEL_VERSION pins a version ("shipped": models/) whatever is promoted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Network } from './model/change-detector.js';
import { DEFAULT_SPEC_PATH } from './model/model-spec.js';
import { isVirtualStore } from './raster-store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The version name of models/ itself. */
export const SHIPPED = 'shipped';
/** A version's sidecar file name inside its folder. */
export const VERSION_SPEC = 'change-detector.json';

/**
 * Whether a network adapted to an office's data is scored with the main network alone
 * (`MAIN_ALONE`, `npm run eval -- --main-alone`): the main one is, since the routing would hand
 * an office's drone tiles (heights and an orthophoto, no earlier flight) to the surface network as
 * first patrols, while the main network it adapted serves the office's patrols against an earlier
 * flight (scripts/model/adapt.ts networkToAdapt). The others are scored as the version serves.
 */
export function scoredAlone(adapted: Network): boolean {
  return adapted === 'main';
}

/** Scores as `npm run eval --json` prints them (scripts/eval/report.ts toJson). */
export interface EvalJson {
  layout: 'pairs' | 'surface' | 'scenes';
  pixel: { precision: number; recall: number; f1: number; iou: number; tp: number; fp: number; fn: number; tn: number };
  object: { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number };
  [key: string]: unknown;
}

/** A held-back item's files by role: a pair's before, after and label; a surface-model tile's dsm and outlines (and rgb, beforeRgb, beforeDsm when its folder has them). */
export type HeldBackFiles = { name: string } & ({ before: string; after: string; label: string } | { dsm: string; outlines: string; rgb?: string; beforeRgb?: string; beforeDsm?: string });

/**
 * Most a version's object F1 on the patrol check may fall below the version serving now before
 * promotion refuses it (scripts/model/adapt-patrol.ts). The three scenes hold 40 true changes, so
 * one house found or missed moves object F1 by 0.01-0.03: 0.02 refused the generated-scene office's
 * gentle version (0.974 -> 0.949) for about a house, while the version adapted hard fell 0.22.
 */
export const PATROL_MARGIN = 0.05;

/** A version's patrol check: whole generated validation scenes, scored in the mode its adapted network serves, with its base and with it. */
export interface PatrolCheck {
  seeds: number[];
  /** The scene mode (drone, dsm, rgb, rgb_pair). */
  mode: string;
  /** The scenes' folder, for scoring another version there (npm run eval -- <folder> --mode <mode>). */
  folder: string;
  metric: 'object_f1';
  margin: number;
  /** The evaluation's figures without its per-scene items. */
  before: EvalJson;
  after: EvalJson;
}

export interface VersionRecord {
  version: string;
  created_at: string;
  /** The network adapted; the version serves the others as its base did. */
  network: Network;
  layout: EvalJson['layout'];
  /** The version it was adapted from. */
  base: string;
  /** Which figure decides promotion: pixel F1 for image pairs, object F1 for surface models (the issue's target). */
  metric: 'pixel_f1' | 'object_f1';
  folders: string[];
  /** Adapted on the office's own database (npm run model -- adapt --from-db): the area, the period's first day, the export's manifest. */
  from_db?: { area: string; since: string; manifest: string };
  /** Ground resolution given for files that carry none, metres. */
  gsd?: number;
  seed: number;
  steps: number;
  /** Held-back names, as the evaluation reports them, and where each lies. */
  held_back: string[];
  held_back_files: HeldBackFiles[];
  trained_on: string[];
  /** The adapted-on pairs' before images (tiles' surface models), to tell whether another version trained on this one's held-back files. */
  trained_on_files?: string[];
  /** The base and the adapted version, scored on the held-back share. */
  before: EvalJson;
  after: EvalJson;
  /** The base and the adapted version on whole generated patrols (absent from versions made before it). */
  patrol_check?: PatrolCheck;
  seconds: { export: number; train: number; score: number; total: number };
  training: Record<string, unknown>;
}

export interface Promotion {
  version: string;
  at: string;
  forced: boolean;
  /** The promoted version's figure minus the replaced one's, on the promoted version's held-back share. */
  margin: number | null;
  replaced: string;
}

export function modelStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MODEL_STORE) return path.resolve(env.MODEL_STORE);
  const raster = env.RASTER_STORE;
  // An object store (/vsis3/...) holds no local folder to sit beside.
  if (raster && !isVirtualStore(raster)) return path.join(path.dirname(path.resolve(raster)), 'models');
  return path.join(ROOT, '.lingwei', 'models');
}

/**
 * The folder under which an adaptation's `--folders` must lie when asked through the API
 * (ADAPT_FOLDERS_ROOT), or null for any folder: the API checks a folder that the model worker, in
 * another container of a deployment, then reads, so both must see it under one shared root.
 */
export function adaptFoldersRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.ADAPT_FOLDERS_ROOT ? path.resolve(env.ADAPT_FOLDERS_ROOT) : null;
}

/** Whether an existing `folder` lies under `root`, links resolved (so none leads out of it). */
export function folderUnder(root: string, folder: string): boolean {
  const real = fs.realpathSync(folder);
  const base = fs.realpathSync(root);
  return real === base || real.startsWith(base + path.sep);
}

export function validVersionName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) && name !== SHIPPED;
}

export function versionDir(store: string, version: string): string {
  if (!validVersionName(version)) throw new Error(`not a version name: ${JSON.stringify(version)}`);
  return path.join(store, 'versions', version);
}

export function versionExists(store: string, version: string): boolean {
  return version === SHIPPED || (validVersionName(version) && fs.existsSync(path.join(versionDir(store, version), 'version.json')));
}

/** The sidecar a version is served from: models/change-detector.json for "shipped". */
export function specPathOf(store: string, version: string): string {
  if (version === SHIPPED) return DEFAULT_SPEC_PATH;
  if (!versionExists(store, version)) throw new Error(`no version ${version} in the model store ${store} (npm run model -- list)`);
  return path.join(versionDir(store, version), VERSION_SPEC);
}

export function readVersion(store: string, version: string): VersionRecord {
  if (!versionExists(store, version) || version === SHIPPED) throw new Error(`no version ${version} in the model store ${store} (npm run model -- list)`);
  return JSON.parse(fs.readFileSync(path.join(versionDir(store, version), 'version.json'), 'utf8')) as VersionRecord;
}

/** Every stored version, oldest first. */
export function listVersions(store: string): VersionRecord[] {
  const dir = path.join(store, 'versions');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((v) => versionExists(store, v))
    .map((v) => readVersion(store, v))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.version.localeCompare(b.version));
}

function promotionsFile(store: string): string {
  return path.join(store, 'promoted.json');
}

export function promotions(store: string): Promotion[] {
  const file = promotionsFile(store);
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { history: Promotion[] }).history;
}

function writePromotions(store: string, history: Promotion[]): void {
  const file = promotionsFile(store);
  // Written whole and renamed, so a worker reading it never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ history }, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** How long a promotion waits for another one to finish; how old a lock is taken as left by a dead process. */
const PROMOTION_LOCK_WAIT_MS = 5_000;
const PROMOTION_LOCK_STALE_MS = 10_000;

function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs a read-modify-write of promoted.json alone: two promotions or rollbacks at once (the API and
 * `npm run model`, or two API requests) would otherwise read the same history and one would drop
 * the other's entry. The lock is a file created exclusively (O_EXCL); one older than
 * PROMOTION_LOCK_STALE_MS was left by a process that died holding it and is taken over.
 */
function underPromotionsLock<T>(store: string, change: () => T): T {
  fs.mkdirSync(store, { recursive: true });
  const lock = `${promotionsFile(store)}.lock`;
  const giveUpAt = Date.now() + PROMOTION_LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const heldSince = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
    if (heldSince !== undefined && Date.now() - heldSince > PROMOTION_LOCK_STALE_MS) {
      fs.rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > giveUpAt) throw new Error(`another promotion or rollback holds ${lock}: try again (remove the file if no \`npm run model\` or API is running)`);
    pauseSync(10);
  }
  try {
    return change();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** The promoted version ("shipped" when none). */
export function promotedVersion(store: string): string {
  return promotions(store).at(-1)?.version ?? SHIPPED;
}

export function recordPromotion(store: string, p: Omit<Promotion, 'at' | 'replaced'>): Promotion {
  return underPromotionsLock(store, () => {
    const history = promotions(store);
    const entry: Promotion = { ...p, at: new Date().toISOString(), replaced: history.at(-1)?.version ?? SHIPPED };
    writePromotions(store, [...history, entry]);
    return entry;
  });
}

/** Undoes the latest promotion; returns the versions served before and after. */
export function rollback(store: string): { from: string; to: string } {
  return underPromotionsLock(store, () => {
    const history = promotions(store);
    if (!history.length) throw new Error(`nothing to roll back: no version is promoted in ${store}; the shipped networks (models/) serve`);
    const from = history.at(-1)!.version;
    const rest = history.slice(0, -1);
    writePromotions(store, rest);
    return { from, to: rest.at(-1)?.version ?? SHIPPED };
  });
}

/** The version served now: MODEL_VERSION when set, else the promoted one, else "shipped". */
export function servedVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODEL_VERSION || promotedVersion(modelStoreDir(env));
}

/** The sidecar ChangeDetector.load uses when given none: the served version's. */
export function servedSpecPath(env: NodeJS.ProcessEnv = process.env): string {
  return specPathOf(modelStoreDir(env), servedVersion(env));
}

/** A version's deciding figure on a set of scores. */
export function metricValue(metric: VersionRecord['metric'], scores: EvalJson): number {
  return metric === 'pixel_f1' ? scores.pixel.f1 : scores.object.f1;
}
