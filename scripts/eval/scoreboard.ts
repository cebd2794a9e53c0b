/**
 * The real-data scoreboard: every labelled set under a real-data root (../shared/data/real by
 * default) scored with a change detector and, in the same run, with its naive reference, each set
 * in its own layout and ground resolution. Callable with any ChangeDetector (a new network's
 * sidecar loaded with ChangeDetector.load({ specPath })), so networks compare on one board.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChangeDetector, Network } from '#pipeline/model/change-detector.js';
import { prepareInputs } from '#pipeline/model/prepare.js';
import { evaluatePairs, evaluateSurfaces, type EvalOptions } from './evaluate.js';
import { detectLayout } from './layout.js';
import { listPairs, loadPair } from './pairs.js';
import { DEFAULT_REAL_DIR, developmentItems, REAL_SETS, servedSplit, trainedOn, type RealSet, type RealSetKind } from './real-sets.js';
import { addToHistogram, colourDifference, emptyHistogram, HEIGHT_REFERENCE_M, heightAboveBaseline } from './reference.js';
import { scoreMap, type DecisionRule, type MapScore } from './score.js';
import { setRows, type ItemRecord, type Metric, type ScoreRow } from './scoreboard-rows.js';
import { listTiles, loadTile, prepareTile, surfaceTruth } from './surface.js';
import { listXbd, loadXbd } from './xbd.js';

export interface SetScore {
  set: string;
  folder: string;
  kind: Exclude<RealSetKind, 'single_date'>;
  task: string;
  /** Ground resolutions read at, metres, and what they rest on. */
  gsd_m: number[];
  gsd_note: string;
  /** The inputs the detector was given (the evaluation's modes). */
  mode: string;
  networks: Network[];
  rows: ScoreRow[];
  /** Per item: its split and the network's counts. */
  items: { name: string; trained_on: boolean; model: MapScore }[];
}

export interface Scoreboard {
  real_dir: string;
  /** Which detector: what the caller says (a sidecar path), and the execution provider. */
  model: string;
  provider: string;
  threshold: number;
  min_object_m2: number;
  sets: SetScore[];
  /** Sets present but not scored, with why (single-date labels, no layout the evaluation reads). */
  not_scored: { set: string; reason: string }[];
  seconds: number;
}

export interface ScoreboardOptions {
  /** Score only these sets (names as in the table). */
  only?: readonly string[];
  /** The development copy the trainer read, for marking trained-on tiles (default ../shared/data/real). */
  developmentDir?: string;
  /** Printed in the output as the detector's name. */
  model?: string;
  /** Progress lines (stderr in the command). */
  progress?: (text: string) => void;
  /** Image pairs and xBD get an empty baseline (EvalOptions.emptyBaseline): the aerial-tile network serves them. */
  emptyBaseline?: boolean;
}

const SINGLE_DATE = 'not scored: single-date labels (no second date, so no change to score)';

/** The catalogue's sets present under `root`, then any other folder, scored by its layout. */
function setsUnder(root: string): { set: RealSet; dir: string }[] {
  const known = REAL_SETS.filter((s) => fs.existsSync(path.join(root, s.folder))).map((set) => ({ set, dir: path.join(root, set.folder) }));
  const taken = new Set(REAL_SETS.map((s) => s.folder.split(path.sep)[0]));
  const other = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !taken.has(e.name))
    .map((e) => e.name)
    .sort()
    .map((name): { set: RealSet; dir: string } => {
      const dir = path.join(root, name);
      let kind: RealSetKind = 'single_date';
      try {
        const layout = detectLayout(dir);
        if (layout === 'pairs' || layout === 'surface') kind = layout;
      } catch {
        // not a layout the evaluation reads: listed as not scored below
      }
      return { set: { name, folder: name, kind, gsdNote: "the files' georeferencing, else the model's own (assumed)", task: 'as labelled' }, dir };
    });
  return [...known, ...other];
}

export async function runScoreboard(detector: ChangeDetector, realDir = DEFAULT_REAL_DIR, o: ScoreboardOptions = {}): Promise<Scoreboard> {
  const t0 = performance.now();
  const spec = detector.spec;
  const rule: DecisionRule = { threshold: spec.threshold, minObjectM2: spec.min_object_m2, openingM: spec.opening_m ?? 0 };
  const board: Scoreboard = { real_dir: realDir, model: o.model ?? 'shipped', provider: detector.provider, threshold: rule.threshold, min_object_m2: rule.minObjectM2, sets: [], not_scored: [], seconds: 0 };
  for (const { set, dir } of setsUnder(realDir)) {
    if (o.only && !o.only.includes(set.name)) continue;
    if (set.kind === 'single_date') {
      const known = REAL_SETS.includes(set);
      board.not_scored.push({ set: set.name, reason: known ? SINGLE_DATE : 'not scored: no layout the evaluation reads' });
      continue;
    }
    o.progress?.(`${set.name}: scoring (${set.task})`);
    const development = developmentItems(set, o.developmentDir);
    // By the networks that served the set (another network given with --model, or the aerial-tile
    // network under --empty-baseline, has its own record) and by each item's content.
    const isTrained = (file: string, networks: readonly Network[]) => trainedOn(set, file, development, servedSplit(networks, spec.training));
    try {
      const scored = await scoreSet(set, dir, detector, rule, isTrained, o);
      board.sets.push(scored);
    } catch (error) {
      // One unreadable set must not hide the others' figures.
      board.not_scored.push({ set: set.name, reason: `not scored: ${(error as Error).message.split('\n')[0]}` });
    }
  }
  board.seconds = Math.round((performance.now() - t0) / 100) / 10;
  return board;
}

async function scoreSet(
  set: RealSet,
  dir: string,
  detector: ChangeDetector,
  rule: DecisionRule,
  isTrained: (firstFile: string, networks: readonly Network[]) => boolean,
  o: ScoreboardOptions,
): Promise<SetScore> {
  const records: ItemRecord[] = [];
  const gsds = new Set<number>();
  let mode = o.emptyBaseline ? 'rgb' : 'rgb_pair';
  let networks: Network[];
  let metric: Metric = 'pixel_f1';
  const options: EvalOptions = { gsd: set.gsdM, emptyBaseline: o.emptyBaseline, note: (text) => o.progress?.(`  note: ${text}`) };
  if (set.kind === 'pairs') {
    const result = await evaluatePairs(dir, detector, options);
    networks = result.networks;
    result.gsd?.metres.forEach((m) => gsds.add(m));
    const byName = new Map(result.items.map((i) => [i.name, i]));
    for (const files of listPairs(dir)) {
      const pair = loadPair(files, set.gsdM, detector.spec.gsd_m);
      const histogram = addToHistogram(emptyHistogram(), colourDifference(pair.before, pair.after), pair.label);
      records.push({ name: files.name, trainedOn: isTrained(files.before, networks), model: byName.get(files.name)!, reference: { histogram } });
    }
  } else if (set.kind === 'surface') {
    metric = 'object_f1';
    const result = await evaluateSurfaces(dir, detector, options);
    networks = result.networks;
    mode = result.mode ?? 'dsm';
    const byName = new Map(result.items.map((i) => [i.name, i]));
    for (const files of listTiles(dir)) {
      const tile = loadTile(files);
      gsds.add(+Math.abs(tile.dsm.grid.geoTransform[1]).toFixed(4));
      const prepared = prepareTile(tile, detector.spec);
      // The reference's map is 0/1, so any cut between them, under the network's object rule.
      const score = scoreMap(heightAboveBaseline(prepared, HEIGHT_REFERENCE_M), prepared.grid, surfaceTruth(tile), { ...rule, threshold: 0.5 });
      records.push({ name: files.name, trainedOn: isTrained(files.dsm, networks), model: byName.get(files.name)!, reference: { score, thresholdM: HEIGHT_REFERENCE_M } });
    }
  } else {
    const used = new Set<Network>();
    const firstFiles: string[] = [];
    for (const files of listXbd(dir)) {
      const pair = loadXbd(files, set.gsdM);
      gsds.add(set.gsdM!);
      const prepared = prepareInputs({ beforeRgb: pair.before, afterRgb: pair.after, ...(o.emptyBaseline ? { baseline: [] } : {}) }, detector.spec);
      const map = await detector.detectPrepared(prepared);
      used.add(map.network);
      // The labels say which way: destroyed buildings are demolitions, so the demolished channel.
      const model = scoreMap(map.demolishedProb, map.grid, pair.truth, rule);
      const histogram = addToHistogram(emptyHistogram(), colourDifference(pair.before, pair.after), pair.truth.mask, pair.truth.ignore);
      // Marked below, once the networks that served are known.
      records.push({ name: files.name, trainedOn: false, model, reference: { histogram } });
      firstFiles.push(files.pre);
      o.progress?.(`  ${files.name}: ${pair.destroyed} destroyed; object tp ${model.object.tp} fp ${model.object.fp} fn ${model.object.fn}`);
    }
    networks = [...used].sort();
    records.forEach((r, i) => (r.trainedOn = isTrained(firstFiles[i]!, networks)));
  }
  if (!records.length) throw new Error(`${dir}: no items`);
  return {
    set: set.name,
    folder: dir,
    kind: set.kind as SetScore['kind'],
    task: set.task,
    gsd_m: [...gsds].sort((a, b) => a - b),
    gsd_note: set.gsdNote,
    mode,
    networks,
    rows: setRows(records, metric),
    items: records.map((r) => ({ name: r.name, trained_on: r.trainedOn, model: { pixel: r.model.pixel, object: r.model.object } })),
  };
}
