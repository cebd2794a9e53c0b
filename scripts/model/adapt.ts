/**
 * `npm run model -- adapt --folders <dir>...`: fine-tunes the network that serves a layout on an
 * office's own labelled folders and stores the result as a model-store version
 * (pipeline/src/model-store.ts).
 *
 * 1. The held-back share: per folder, ceil(n / 3) whole files chosen by the seed (a hash of seed
 *    and file name ranks them), never pixels; the rest is adapted on.
 * 2. The network to adapt is the one that serves the data (ChangeDetector.networkFor on a
 *    held-back item as the evaluation prepares it): image pairs (A/ B/ label/) the image-pair
 *    network; surface-model tiles (dsm/ mask_vec/) the surface-model-only network. Surface-model
 *    tiles with the flight's orthophoto (rgb/: a drone flight) adapt the main network, which serves
 *    a drone office's patrols against an earlier flight (networkToAdapt), and it alone scores them.
 * 3. The adapting files are exported in the trainer's sample format by the trainer's own exporter
 *    (models/data/real.ts exportPairFiles, exportSurfaceTiles), read as `npm run eval` reads them.
 * 4. models/adapt.py fine-tunes the base version's PyTorch checkpoint of that network (the served
 *    version by default: the promoted one, else models/) and exports ONNX into the new version's
 *    folder; the version serves the base's other networks unchanged (copied beside it, with the
 *    checkpoints beside them). Every shipped network's checkpoint ships
 *    (models/change-detector{,-pair,-aerial,-surface}.pt; the surface one an average of several
 *    seeds); a from-scratch network shipped as ONNX alone (an earlier release's main network) has
 *    its checkpoint rebuilt from the ONNX file on first use (models/onnx_to_checkpoint.py) into
 *    models/.cache/checkpoints/, keyed by the file's hash.
 * 5. The base and the new version are scored on the held-back share by the evaluation's own code
 *    (scripts/eval/evaluate.ts), over a folder of links to the held-back files kept in the version
 *    (`npm run eval -- <version>/held-back --model <version>` gives the same figures, with
 *    `--main-alone` for an adapted main network). Pixel F1
 *    decides promotion for pairs, object F1 for surface models (issue 19's targets).
 * 6. The patrol check (adapt-patrol.ts): both versions scored on a few whole generated validation
 *    scenes in the mode the adapted network serves, which the held-back share does not show;
 *    promotion also refuses a version that falls there by more than PATROL_MARGIN.
 *
 * --from-db exports the office's database with models/data/from-db.ts exportFromDb: surface-model
 * tiles where the area's flights carry surface models (a drone office: the main network adapts),
 * else image pairs against the earlier flight (models/data/office.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportFromDb } from '#models/data/from-db.js';
import { exportOfficeSingles } from '#models/data/office.js';
import { exportPairFiles, exportSurfaceTiles } from '#models/data/real.js';
import { SampleWriter } from '#models/data/sample-writer.js';
import { createPool } from '#db/connection.js';
import { ChangeDetector, type Network } from '#pipeline/model/change-detector.js';
import { loadModelSpec, networkRecord, ONNX_FIELD, type ModelSpec } from '#pipeline/model/model-spec.js';
import { prepareInputs, type PreparedInputs } from '#pipeline/model/prepare.js';
import {
  metricValue,
  modelStoreDir,
  servedVersion,
  specPathOf,
  validVersionName,
  versionDir,
  versionExists,
  VERSION_SPEC,
  type EvalJson,
  type HeldBackFiles,
  type PatrolCheck,
  type VersionRecord,
} from '#pipeline/model-store.js';
import type { Layout } from '../eval/evaluate.js';
import { detectLayout } from '../eval/layout.js';
import { listPairs, loadPair, type PairFiles } from '../eval/pairs.js';
import { seededUnit } from '../eval/seeded.js';
import { listTiles, loadTile, prepareTile, type SurfaceFiles } from '../eval/surface.js';
import { refitCalibration } from './adapt-calibration.js';
import { patrolCheck } from './adapt-patrol.js';
import { scoreFolder } from './versions.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PYTHON = '/usr/bin/python3';
const ENCODER_DIR = path.join(ROOT, 'models/.cache/encoder');
/** Checkpoints rebuilt from ONNX networks (models/onnx_to_checkpoint.py), named by the file's hash. */
export const REBUILT_DIR = path.join(ROOT, 'models/.cache/checkpoints');

export interface AdaptOptions {
  /** Folders in an evaluation layout; empty with fromDb. */
  folders: string[];
  /** The office's own data from its database (models/data/from-db.ts: surface-model tiles where the flights carry surface models, else image pairs), exported into the new version's folder. */
  fromDb?: { area: string; since: string; blockM?: number };
  /** Fine-tuning steps (default 400). */
  steps?: number;
  /** Chooses the held-back share and drives the trainer (default 1). */
  seed?: number;
  /** Ground resolution of files that carry none, metres (as npm run eval --gsd). */
  gsd?: number;
  /** The version to adapt, or a sidecar (.json) with the network's checkpoint beside it (default: the version served now). */
  from?: string;
  /** The new version's name (default <network>-<UTC time>). */
  name?: string;
  store?: string;
  threads?: number;
  batch?: number;
  crop?: number;
  lr?: number;
  /** Crops whose frozen-encoder features are computed once (models/adapt.py --cache; default 256, 0: none). */
  cache?: number;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

/** The contract's answer: `npm run model -- adapt --json` prints it. */
export interface AdaptResult {
  version: string;
  held_back: string[];
  before: EvalJson;
  after: EvalJson;
  /** Beyond the contract: the base and the new version on whole generated patrols (adapt-patrol.ts). */
  patrol_check: PatrolCheck;
}

interface ItemPlace {
  folder: string;
  /** The name the evaluation reports (the file name; prefixed with its folder when there are several). */
  key: string;
}
/** An item of an adapting folder: a pair's or a surface-model tile's files, under the name the held-back folder gives it. */
export type AdaptItem = (PairFiles & ItemPlace & { layout: 'pairs' }) | (SurfaceFiles & ItemPlace & { layout: 'surface' });

/** Why a layout cannot be adapted, or null when it can. */
export function refusal(layout: Layout): string | null {
  if (layout === 'pairs' || layout === 'surface') return null;
  return "generated scenes are not an office's data: adapt on folders of image pairs (A/ B/ label/) or surface models (dsm/ mask/ mask_vec/)";
}

/** An item's files by role (a pair's before/after/label; a tile's dsm/outlines and its optional rasters), under its key. */
export function itemFiles(item: AdaptItem): HeldBackFiles {
  if (item.layout === 'pairs') return { name: item.key, before: item.before, after: item.after, label: item.label };
  const { dsm, outlines, rgb, beforeRgb, beforeDsm } = item;
  return { name: item.key, dsm, outlines, ...(rgb ? { rgb } : {}), ...(beforeRgb ? { beforeRgb } : {}), ...(beforeDsm ? { beforeDsm } : {}) };
}

/** The ground a file shows: files named <group>@<rest> (the database export's <block>@f<flight>) share it; any other name is its own. */
export function groupOf(name: string): string {
  const at = name.indexOf('@');
  return at > 0 ? name.slice(0, at) : name;
}

/**
 * Per folder, at least ceil(n / 3) files, in whole groups of ground (groupOf), groups ranked by a
 * hash of the seed and the group: never pixels, and never one flight of a block held back while
 * another flight of it is adapted on.
 */
export function chooseHeldBack<T extends { folder: string; name: string }>(items: readonly T[], seed: number): { held: T[]; rest: T[] } {
  const held = new Set<T>();
  const folders = [...new Set(items.map((i) => i.folder))];
  const rank = (g: string) => seededUnit(`adapt:${seed}:${g}`);
  for (const folder of folders) {
    const mine = items.filter((i) => i.folder === folder);
    const groups = [...new Set(mine.map((i) => groupOf(i.name)))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    let count = 0;
    for (const group of groups) {
      if (count >= Math.ceil(mine.length / 3)) break;
      for (const item of mine) {
        if (groupOf(item.name) !== group) continue;
        held.add(item);
        count += 1;
      }
    }
  }
  return { held: items.filter((i) => held.has(i)), rest: items.filter((i) => !held.has(i)) };
}

/** The items of the adapting folders, all in one layout (one network is adapted at a time). */
export function adaptItems(folders: readonly string[]): AdaptItem[] {
  if (!folders.length) throw new Error('give at least one folder: --folders <dir>...');
  const bases = folders.map((f) => path.basename(path.resolve(f)));
  const prefix = (i: number) => (folders.length === 1 ? '' : `${new Set(bases).size === bases.length ? bases[i] : `${i + 1}-${bases[i]}`}__`);
  const layouts = folders.map((folder) => {
    const layout = detectLayout(folder);
    const why = refusal(layout);
    if (why) throw new Error(`${folder}: ${why}`);
    return layout;
  });
  if (new Set(layouts).size > 1) throw new Error(`${folders.join(', ')}: folders in different layouts (${layouts.join(', ')}) are served by different networks; adapt on one layout at a time`);
  return folders.flatMap((folder, i): AdaptItem[] => {
    const place = { folder: path.resolve(folder), key: '' };
    if (layouts[i] === 'surface') return listTiles(folder).map((files) => ({ ...files, ...place, key: `${prefix(i)}${files.name}`, layout: 'surface' as const }));
    return listPairs(folder).map((files) => ({ ...files, ...place, key: `${prefix(i)}${files.name}`, layout: 'pairs' as const }));
  });
}

/** Sub-folder of each file role in a held-back folder of links. */
const SUBFOLDER: Record<string, string> = { before: 'A', after: 'B', label: 'label', dsm: 'dsm', outlines: 'mask_vec', rgb: 'rgb', beforeRgb: 'before_rgb', beforeDsm: 'before_dsm' };

/** A folder in the items' layout made of links to their files (the evaluation reads it as any other). */
export function linkHeldBackFolder(dir: string, items: readonly AdaptItem[]): void {
  for (const item of items) {
    const { name: _name, ...files } = itemFiles(item);
    for (const [role, file] of Object.entries(files)) {
      const sub = path.join(dir, SUBFOLDER[role]!);
      fs.mkdirSync(sub, { recursive: true });
      fs.symlinkSync(path.resolve(file), path.join(sub, `${item.key}${path.extname(file)}`));
    }
  }
}

/** An item's inputs as the evaluation prepares them for the detector. */
function preparedAsEvaluated(item: AdaptItem, spec: ModelSpec, gsd: number | undefined): PreparedInputs {
  if (item.layout === 'surface') return prepareTile(loadTile(item), spec);
  const pair = loadPair(item, gsd, spec.gsd_m);
  return prepareInputs({ beforeRgb: pair.before, afterRgb: pair.after }, spec);
}

/**
 * The network of a version that an item's data adapts: the one that serves it
 * (ChangeDetector.networkFor, as the evaluation and the pipeline choose it), except that a drone
 * flight's tiles (surface-model tiles with the flight's orthophoto) adapt the main network, which
 * serves a drone office's patrols against an earlier flight. Such tiles carry no earlier flight
 * only because a building withheld to stand for a new one stood in it too (models/data/from-db.ts);
 * routed as they are, as first patrols, they would adapt the surface-model-only network instead.
 * The main network is then scored alone on them (versions.ts adaptedDetector).
 */
export async function networkToAdapt(item: AdaptItem, specPath: string, gsd?: number): Promise<Network> {
  if (item.layout === 'surface' && item.rgb) return 'main';
  const detector = await ChangeDetector.load({ specPath, threads: 1 });
  try {
    return detector.networkFor(preparedAsEvaluated(item, detector.spec, gsd));
  } finally {
    await detector.close();
  }
}

/**
 * Exports the pretrained encoder into models/.cache/encoder unless it is there (git-ignored; read
 * from npm's nsfwjs): every network but the surface-model-only one is built on it (the image-pair
 * network, and the fused main and aerial-tile networks), so torch needs it to load their checkpoints.
 */
export async function ensureEncoder(log: (line: string) => void): Promise<void> {
  if (fs.existsSync(path.join(ENCODER_DIR, 'mobilenet_v2.json'))) return;
  log('the pretrained encoder is not exported yet: npx tsx models/encoder/export-encoder.ts');
  await run('npx', ['tsx', 'models/encoder/export-encoder.ts', '--out', ENCODER_DIR], log);
}

/** Whether Debian's python3-torch is there. */
export function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function run(cmd: string, args: string[], log: (line: string) => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // PYTHONWARNINGS: torch's ONNX exporter warns about constant folding at length; nothing to act on.
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    const lines: string[] = [];
    let tail = '';
    const take = (chunk: Buffer) => {
      const text = tail + chunk.toString();
      const parts = text.split('\n');
      tail = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        log(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (tail) {
        lines.push(tail);
        log(tail);
      }
      if (code === 0) resolve(lines);
      else reject(new Error(`${path.basename(cmd)} ${args[0]} failed (exit ${code}): ${lines.slice(-3).join(' | ')}`));
    });
  });
}

/**
 * Names the new version and claims its folder in one step (mkdir without `recursive` fails on an
 * existing one): two adaptations started in the same second, from two workers or a worker and a
 * shell, get two folders, instead of writing into one and the failing one deleting the other's.
 */
export function versionName(store: string, network: string, given?: string): string {
  fs.mkdirSync(path.join(store, 'versions'), { recursive: true });
  const claimed = (name: string) => {
    try {
      fs.mkdirSync(versionDir(store, name));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  };
  if (given !== undefined) {
    if (!validVersionName(given)) throw new Error(`--name ${given}: letters, digits, '.', '_' and '-' only (and not "shipped")`);
    if (!claimed(given)) throw new Error(`--name ${given}: that version exists already`);
    return given;
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  let name = `${network}-${stamp}`;
  for (let k = 2; !claimed(name); k++) name = `${network}-${stamp}-${k}`;
  return name;
}

/**
 * The base's PyTorch checkpoint of a network: its ONNX file's name with .pt, beside it (every
 * shipped network's ships; an adapted version holds its own and copies of its base's); else, for a
 * from-scratch network shipped as ONNX alone, one rebuilt from the ONNX file
 * (models/onnx_to_checkpoint.py, about two seconds) into REBUILT_DIR, named by the hash of the
 * file and of the rebuild's code, so that another version's network never takes it. The networks
 * over the pretrained encoder (image-pair, fused) are not rebuilt: refused, saying so.
 */
export async function checkpointFor(specPath: string, network: Network, log: (line: string) => void, cacheDir = REBUILT_DIR): Promise<string> {
  const spec = loadModelSpec(specPath);
  const onnx = spec[ONNX_FIELD[network]];
  if (typeof onnx !== 'string' || !onnx) throw new Error(`${spec.dir}: its sidecar names no ${network} network (${ONNX_FIELD[network]})`);
  const beside = path.join(spec.dir, onnx.replace(/\.onnx$/i, '.pt'));
  if (fs.existsSync(beside)) return beside;
  // The networks over the pretrained encoder (the image-pair one; the fused main and aerial-tile
  // ones since 2026-12-06) are not rebuilt: only the from-scratch architecture is.
  const arch = network === 'pair' ? 'pair' : networkRecord(spec.training, network)?.arch;
  if (arch === 'pair' || arch === 'fused') {
    throw new Error(`${spec.dir}: no PyTorch checkpoint beside ${onnx} (${beside}) to fine-tune; the ${NETWORK_LABEL[network]} network is the ${String(arch)} one (pretrained encoder), which is not rebuilt from ONNX (its frozen encoder is read from models/.cache/encoder)`);
  }
  const file = path.join(spec.dir, onnx);
  // The rebuild's own code is part of the key: a changed rebuild never reuses an older checkpoint.
  const hash = createHash('sha256').update(fs.readFileSync(file)).update(fs.readFileSync(path.join(ROOT, 'models/onnx_to_checkpoint.py'))).digest('hex').slice(0, 16);
  const out = path.join(cacheDir, `${path.basename(onnx, path.extname(onnx))}-${hash}.pt`);
  if (fs.existsSync(out)) return out;
  log(`rebuilding the ${network} network's PyTorch checkpoint from ${file} (models/onnx_to_checkpoint.py) into ${out}`);
  await run(PYTHON, ['models/onnx_to_checkpoint.py', '--spec', specPath, '--network', network, '--onnx', file, '--out', out], (line) => log(`  ${line}`));
  return out;
}

const f3 = (v: number) => v.toFixed(3);
const METRIC_LABEL: Record<VersionRecord['metric'], string> = { pixel_f1: 'pixel F1', object_f1: 'object F1' };
const NETWORK_LABEL: Record<Network, string> = { pair: 'image-pair', main: 'main', surface_only: 'surface-model-only', aerial: 'aerial-tile' };

export async function adapt(o: AdaptOptions): Promise<AdaptResult> {
  const store = o.store ?? modelStoreDir();
  // --from-db: the version's name first, since its folder holds the exported data (and so its
  // held-back files); which network it adapts is known only once the data is there.
  const presetName = o.fromDb ? versionName(store, 'office', o.name) : undefined;
  try {
    return await adaptInto(o, store, presetName);
  } catch (error) {
    // Whatever failed once the folder was claimed (too few blocks, no torch, no such --from) leaves
    // no unfinished version behind, whose name a second try would find taken.
    if (presetName) fs.rmSync(versionDir(store, presetName), { recursive: true, force: true });
    throw error;
  }
}

async function adaptInto(o: AdaptOptions, store: string, presetName: string | undefined): Promise<AdaptResult> {
  const t0 = performance.now();
  const log = o.log ?? ((line: string) => console.error(line));
  const steps = o.steps ?? 400;
  const seed = o.seed ?? 1;
  const threads = o.threads ?? 2;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`--steps ${o.steps}: a whole number of steps, e.g. 400`);
  if (!Number.isInteger(seed)) throw new Error(`--seed ${o.seed}: a whole number`);
  const folders = o.fromDb ? [path.join(versionDir(store, presetName!), 'office-data')] : o.folders;
  if (o.fromDb) {
    if (o.folders.length) throw new Error('give --from-db or --folders, not both');
    const pool = createPool();
    try {
      const manifest = await exportFromDb(pool, { ...o.fromDb, spec: loadModelSpec(), dir: folders[0]!, log });
      const what = manifest.layout === 'surface' ? 'surface-model tiles' : 'image pairs';
      log(`the office's data of ${o.fromDb.area} since ${o.fromDb.since}: ${manifest.samples.length} blocks (${what}) from ${manifest.flights.length} flights, ${manifest.skipped.length} left out (office.json)`);
    } finally {
      await pool.end();
    }
  }
  const items = adaptItems(folders);
  const layout = items[0]?.layout ?? 'pairs';
  const noun = layout === 'surface' ? 'tiles' : 'pairs';
  // Issue 19's targets: pixel F1 for image pairs, object F1 for surface models (whole houses found).
  const metric: VersionRecord['metric'] = layout === 'surface' ? 'object_f1' : 'pixel_f1';
  const { held, rest } = chooseHeldBack(items, seed);
  if (!rest.length) throw new Error(`${items.length} ${noun}: too few to hold a third back and adapt on the rest (two at least)`);
  // --from: a version name, or a sidecar (.json); its network's checkpoint lies beside it or is rebuilt from its ONNX file.
  const fromSidecar = o.from !== undefined && /\.json$/i.test(o.from) && fs.existsSync(o.from);
  const base = fromSidecar ? path.resolve(o.from!) : (o.from ?? servedVersion());
  if (!fromSidecar && !versionExists(store, base)) throw new Error(`--from ${base}: no such version in ${store}, and not a sidecar (.json)`);
  const baseSpecPath = fromSidecar ? base : specPathOf(store, base);
  const baseSpec = loadModelSpec(baseSpecPath);
  // The network this data adapts (the one serving it, or a drone office's main network) and its checkpoint.
  const network = await networkToAdapt(held[0]!, baseSpecPath, o.gsd);
  if (!hasTorch()) throw new Error(`adapting trains with PyTorch: ${PYTHON} cannot import torch (Debian: apt-get install python3-torch; see docs/model.md, "Adapting to an office's data")`);
  const checkpoint = await checkpointFor(baseSpecPath, network, log);
  if (network !== 'surface_only') await ensureEncoder(log);
  const onnxName = path.basename(baseSpec[ONNX_FIELD[network]]!);
  const version = presetName ?? versionName(store, network, o.name);
  const dir = versionDir(store, version);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-adapt-'));
  fs.mkdirSync(dir, { recursive: true });
  try {
    log(`adapting ${base}'s ${network} network into ${version}: ${rest.length} ${noun} to adapt on, ${held.length} held back (${held.map((h) => h.key).join(', ')}), seed ${seed}`);
    const tExport = performance.now();
    const writer = new SampleWriter(path.join(work, 'data'));
    // A folder's weight/<name>.tif, when there (the database export's hard negatives), weights the loss.
    const weightOf = (r: AdaptItem) => {
      const file = path.join(r.folder, 'weight', `${r.name}.tif`);
      return fs.existsSync(file) ? { weight: file } : {};
    };
    const pairs = rest.flatMap((r) => (r.layout === 'pairs' ? [r] : []));
    exportPairFiles(pairs.map((r) => ({ ...r, sampleName: r.key, ...weightOf(r) })), { source: 'adapt', gsd: o.gsd }, baseSpec, writer);
    // Surface-model tiles with every outline in the baseline; the trainer withholds a share per draw.
    exportSurfaceTiles(rest.flatMap((r) => (r.layout === 'surface' ? [{ ...r, sampleName: r.key }] : [])), { source: 'adapt' }, baseSpec, writer);
    // The database's blocks also teach new structures made from the baseline's and register's buildings.
    const singles = o.fromDb ? exportOfficeSingles(pairs, baseSpec, writer) : 0;
    if (singles) log(`${singles} blocks with the baseline's and register's buildings, for new structures pasted in`);
    writer.finish({ shard: 0, shards: 1, gsd_m: baseSpec.gsd_m, channels: baseSpec.channels, adapt: { folders, gsd: o.gsd ?? null } });
    fs.renameSync(path.join(work, 'data', 'index.json'), path.join(work, 'data', 'index-0.json'));
    const exportS = (performance.now() - tExport) / 1000;

    const tTrain = performance.now();
    const args = [
      'models/adapt.py', '--data', path.join(work, 'data'), '--init', checkpoint, '--spec', baseSpecPath, '--out-dir', dir,
      '--name', onnxName.replace(/\.onnx$/i, ''), '--steps', String(steps), '--seed', String(seed), '--threads', String(threads),
      '--cache', String(o.cache ?? 256), '--encoder', ENCODER_DIR,
      ...(o.batch ? ['--batch', String(o.batch)] : []),
      ...(o.crop ? ['--crop', String(o.crop)] : []),
      ...(o.lr ? ['--lr', String(o.lr)] : []),
    ];
    const lines = await run(PYTHON, args, (line) => log(`  ${line}`));
    const phase = JSON.parse(lines.filter((l) => l.startsWith('{')).at(-1) ?? '{}') as Record<string, unknown>;
    const trainS = (performance.now() - tTrain) / 1000;

    // The version's sidecar: the base's, serving the adapted network and the base's others.
    const raw = JSON.parse(fs.readFileSync(baseSpecPath, 'utf8')) as ModelSpec & Record<string, unknown>;
    for (const key of Object.values(ONNX_FIELD)) {
      const file = raw[key];
      if (!file || key === ONNX_FIELD[network]) continue;
      fs.copyFileSync(path.join(baseSpec.dir, file), path.join(dir, path.basename(file)));
      // Its checkpoint too, where one ships beside it: a later adaptation from this version takes
      // it (the surface-model-only network, an average, cannot be rebuilt from its ONNX file).
      const checkpoint = path.join(baseSpec.dir, file.replace(/\.onnx$/i, '.pt'));
      if (fs.existsSync(checkpoint)) fs.copyFileSync(checkpoint, path.join(dir, path.basename(checkpoint)));
      raw[key] = path.basename(file);
    }
    raw[ONNX_FIELD[network]] = onnxName;
    raw.version = version;
    raw.training = { ...(raw.training ?? {}), adapt: { ...phase, network, base, folders: folders.map((f) => path.resolve(f)), held_back: held.map((h) => h.key) } };
    // The base's calibration map was fitted for the base's network file (the detector would drop
    // it): refitted on the adapted-on files (adapt-calibration.ts), or none where too few objects.
    const { [network]: _stale, ...others } = (raw.calibration ?? {}) as Record<string, unknown>;
    raw.calibration = others as ModelSpec['calibration'];
    fs.writeFileSync(path.join(dir, VERSION_SPEC), `${JSON.stringify(raw, null, 2)}\n`);
    const adaptedOn = path.join(work, 'adapted-on');
    linkHeldBackFolder(adaptedOn, rest);
    const calibration = await refitCalibration({ dir: adaptedOn, layout, specPath: path.join(dir, VERSION_SPEC), network, onnxFile: path.join(dir, onnxName), gsd: o.gsd, threads });
    if (calibration) {
      raw.calibration = { ...raw.calibration, [network]: calibration };
      fs.writeFileSync(path.join(dir, VERSION_SPEC), `${JSON.stringify(raw, null, 2)}\n`);
    }
    phase.calibration = calibration ? { method: calibration.method, objects: calibration.objects, true_changes: calibration.true_changes } : null;
    log(calibration
      ? `calibration of the ${network} network refitted on the adapted-on files: ${String(calibration.objects)} objects, ${String(calibration.true_changes)} true (${String(calibration.method)})`
      : `too few objects on the adapted-on files to refit the ${network} network's calibration: its scores stay raw`);

    const tScore = performance.now();
    const heldDir = path.join(dir, 'held-back');
    linkHeldBackFolder(heldDir, held);
    log(`scoring ${base} and ${version} on the held-back share (npm run eval's code)`);
    const before = await scoreFolder(heldDir, layout, baseSpecPath, o.gsd, threads, network);
    const after = await scoreFolder(heldDir, layout, path.join(dir, VERSION_SPEC), o.gsd, threads, network);
    log(`scoring ${base} and ${version} on whole generated patrols (the patrol check)`);
    const patrol = await patrolCheck({ network, baseSpec: baseSpecPath, versionSpec: path.join(dir, VERSION_SPEC), threads, log });
    const scoreS = (performance.now() - tScore) / 1000;

    const record: VersionRecord = {
      version,
      created_at: new Date().toISOString(),
      network,
      layout,
      base,
      metric,
      folders: folders.map((f) => path.resolve(f)),
      ...(o.fromDb ? { from_db: { area: o.fromDb.area, since: o.fromDb.since, manifest: path.join(folders[0]!, 'office.json') } } : {}),
      ...(o.gsd === undefined ? {} : { gsd: o.gsd }),
      seed,
      steps,
      held_back: held.map((h) => h.key),
      held_back_files: held.map(itemFiles),
      trained_on: rest.map((r) => r.key),
      trained_on_files: rest.map((r) => path.resolve(r.layout === 'pairs' ? r.before : r.dsm)),
      before,
      after,
      patrol_check: patrol,
      seconds: { export: Math.round(exportS), train: Math.round(trainS), score: Math.round(scoreS), total: Math.round((performance.now() - t0) / 1000) },
      training: phase,
    };
    fs.writeFileSync(path.join(dir, 'CARD.md'), card(record));
    // Written last: a version without version.json is an unfinished one and is not listed.
    fs.writeFileSync(path.join(dir, 'version.json'), `${JSON.stringify(record, null, 2)}\n`);
    const b = metricValue(metric, before);
    const a = metricValue(metric, after);
    const pb = patrol.before.object.f1;
    const pa = patrol.after.object.f1;
    log(`${version}: ${METRIC_LABEL[metric]} on the held-back share ${f3(b)} (${base}) -> ${f3(a)} (${a >= b ? '+' : ''}${f3(a - b)}); ` +
      `object F1 on the patrol check ${f3(pb)} -> ${f3(pa)} (${pa >= pb ? '+' : ''}${f3(pa - pb)}); npm run model -- promote ${version}`);
    return { version, held_back: record.held_back, before, after, patrol_check: patrol };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The version's model-card section: what it was adapted on, how, and how it scored. */
export function card(r: VersionRecord): string {
  const row = (label: string, s: EvalJson) =>
    `| ${label} | ${f3(s.pixel.precision)} | ${f3(s.pixel.recall)} | ${f3(s.pixel.f1)} | ${f3(s.object.precision)} | ${f3(s.object.recall)} | ${f3(s.object.f1)} |`;
  const t = r.training;
  return [
    `## Version ${r.version}`,
    '',
    `The ${NETWORK_LABEL[r.network]} network of ${r.base}, fine-tuned on ${r.trained_on.length} of the ${r.trained_on.length + r.held_back.length} ${r.layout === 'surface' ? 'tiles' : 'pairs'} in ${r.folders.join(', ')}` +
      `${r.gsd === undefined ? '' : ` (read at ${r.gsd} m per pixel)`}; the other networks are ${r.base}'s. Created ${r.created_at}.`,
    '',
    `- Adapted on: ${r.trained_on.join(', ')}`,
    `- Held back (chosen by seed ${r.seed}, whole files): ${r.held_back.join(', ')}`,
    `- Training: ${r.steps} steps, batch ${String(t.batch)}, ${String(t.crop_px)} px crops, learning rate ${String(t.lr)} (cosine to a tenth), ` +
      `${String(t.cached_crops)} cached crops, ${t.batchnorm_frozen ? `BatchNorm statistics frozen${t.rebuilt ? ' (checkpoint rebuilt from ONNX)' : ''}, ` : ''}seed ${r.seed}, ${String(t.threads)} threads on ${String(t.device)}, ${String(t.train_wall_s)} s wall`,
    `- Calibration: ${t.calibration ? `refitted on the adapted-on files (${String((t.calibration as { objects: number }).objects)} objects, ${String((t.calibration as { method: string }).method)})` : 'none (too few objects on the adapted-on files): raw scores'}`,
    `- Time: export ${r.seconds.export} s, training ${r.seconds.train} s, scoring ${r.seconds.score} s, ${r.seconds.total} s in all`,
    '',
    `Scored on the held-back share by npm run eval's code (threshold ${String(r.after.threshold)}; ${METRIC_LABEL[r.metric]} decides promotion):`,
    '',
    '| version | pixel precision | pixel recall | pixel F1 | object precision | object recall | object F1 |',
    '|---|---|---|---|---|---|---|',
    row(`${r.base} (before)`, r.before),
    row(`${r.version} (after)`, r.after),
    '',
    ...(r.patrol_check
      ? [
          `Patrol check (promotion refuses an object F1 fall of more than ${f3(r.patrol_check.margin)} here): generated validation scenes ${r.patrol_check.seeds.join(', ')}, whole, mode ${r.patrol_check.mode}:`,
          '',
          '| version | pixel precision | pixel recall | pixel F1 | object precision | object recall | object F1 |',
          '|---|---|---|---|---|---|---|',
          row(`${r.base} (before)`, r.patrol_check.before),
          row(`${r.version} (after)`, r.patrol_check.after),
          '',
        ]
      : []),
  ].join('\n');
}
