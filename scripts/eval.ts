/**
 * npm run eval -- <dir> [--gsd <metres>] [--json] [--mode drone|drone_no_before_dsm|drone_no_before|rgb|dsm|rgb_pair]
 *                       [--threshold <0..1>] [--threads N] [--model <sidecar.json|network.onnx|version>] [--main-alone]
 *                       [--objects <notes.json>]
 * npm run eval -- real [--real <dir>] [--sets a,b] [--empty-baseline] [--json] [--threads N] [--model <sidecar.json|network.onnx|version>]
 *
 * `real` is the real-data scoreboard (scripts/eval/scoreboard.ts): every labelled set under
 * ../shared/data/real (or --real) scored with the detector and with a naive reference; without
 * that folder it says so and exits 0. (A folder named "real" is scored as a folder: ./real.)
 *
 * Scores the shipped change-detection model on a folder in one of the layouts (detected from its
 * sub-folders): image pairs (A/, B/, label/), surface models (dsm/, mask/, mask_vec/), or scenes
 * from the fixture generator (whose flight drift is measured and taken out first, as the pipeline
 * does). Prints a table, or with --json one JSON object on stdout (progress and notes go to
 * stderr; through npm, `npm run -s eval` keeps npm's own banner off stdout). Exit status 2 on a
 * folder it cannot read, with the reason. --empty-baseline (image pairs, and the scoreboard's pair
 * sets): the pairs come with an empty baseline, as aerial tiles with a baseline do, so the network
 * served for those is the one scored. --main-alone: the main network serves every input, the
 * others off (an adapted drone office's version is scored so on its held-back tiles, which the
 * routing would give the surface-model-only network as first patrols; scripts/model/adapt.ts).
 * --objects (surface models): writes every missed building and false alarm with what the surface
 * model shows there and a reason (scripts/eval/object-notes.ts), and prints the count per reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ChangeDetector, MAIN_ALONE, type LoadOptions } from '#pipeline/model/change-detector.js';
import { modelStoreDir, servedVersion, SHIPPED, specPathOf, versionExists } from '#pipeline/model-store.js';
import { evaluatePairs, evaluateScenes, evaluateSurfaces, SCENE_MODES, type EvalOptions, type SceneMode } from './eval/evaluate.js';
import { detectLayout } from './eval/layout.js';
import { reasonCounts, reasonTable, type ObjectNote } from './eval/object-notes.js';
import { DEFAULT_REAL_DIR } from './eval/real-sets.js';
import { table, toJson } from './eval/report.js';
import { runScoreboard } from './eval/scoreboard.js';
import { scoreboardJson, scoreboardTable } from './eval/scoreboard-report.js';

const USAGE = [
  'usage: npm run eval -- <dir> [--gsd <metres>] [--json] [--mode drone|drone_no_before_dsm|drone_no_before|rgb|dsm|rgb_pair] [--threshold t] [--threads N] [--model <sidecar.json|net.onnx|version>] [--main-alone] [--objects <notes.json>]',
  '       npm run eval -- real [--real <dir>] [--sets levir_cd,egy_bcd] [--empty-baseline] [--json] [--threads N] [--model <sidecar.json|net.onnx>]   (the real-data scoreboard)',
  '       (with --json, run it as `npm run -s eval -- ...` so that npm prints nothing of its own on stdout)',
].join('\n');

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      gsd: { type: 'string' },
      json: { type: 'boolean', default: false },
      mode: { type: 'string' },
      threshold: { type: 'string' },
      threads: { type: 'string', default: '2' },
      model: { type: 'string' },
      real: { type: 'string' },
      sets: { type: 'string' },
      'empty-baseline': { type: 'boolean', default: false },
      'main-alone': { type: 'boolean', default: false },
      objects: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new Error(`give exactly one folder\n${USAGE}`);
  const dir = positionals[0]!;
  const gsd = values.gsd === undefined ? undefined : Number(values.gsd);
  if (gsd !== undefined && !(gsd > 0 && gsd < 100)) throw new Error(`--gsd ${values.gsd}: metres per pixel, e.g. 0.5`);
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && !(threshold > 0 && threshold < 1)) throw new Error(`--threshold ${values.threshold}: between 0 and 1`);
  if (values.mode !== undefined && !SCENE_MODES.includes(values.mode as SceneMode)) throw new Error(`--mode ${values.mode}: one of ${SCENE_MODES.join(', ')}`);
  const threads = Number(values.threads);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 256)) throw new Error(`--threads ${values.threads}: a whole number of threads, e.g. 2`);
  const load = () => ChangeDetector.load({ threads, ...modelOption(values.model), ...(values['main-alone'] ? MAIN_ALONE : {}) });
  if (dir === 'real') {
    // Each set has its own resolution and every scene mode its own folder; the rule is the sidecar's.
    const unused = (['gsd', 'mode', 'threshold', 'objects'] as const).filter((k) => values[k] !== undefined);
    if (unused.length) throw new Error(`real: --${unused.join(', --')} do not apply to the scoreboard (each set is read at its own resolution, by the sidecar's rule)`);
    return scoreboard(load, values);
  }
  if (values.real !== undefined || values.sets !== undefined) throw new Error(`--real and --sets belong to the scoreboard: npm run eval -- real --real <dir>\n${USAGE}`);
  const layout = detectLayout(dir);
  if (values['empty-baseline'] && layout !== 'pairs') throw new Error(`--empty-baseline: only image pairs are given a baseline; ${dir} holds ${layout}`);
  if (values.objects !== undefined && layout !== 'surface') throw new Error(`--objects: the per-object notes are for surface models (dsm/, mask/, mask_vec/); ${dir} holds ${layout}`);
  // Checked before the run, so that a wrong path does not cost the evaluation it follows.
  if (values.objects !== undefined && !fs.existsSync(path.dirname(path.resolve(values.objects)))) throw new Error(`--objects ${values.objects}: no folder ${path.dirname(path.resolve(values.objects))} to write the notes in`);
  const notes: ObjectNote[] = [];
  const detector = await load();
  const options: EvalOptions = {
    gsd,
    threshold,
    mode: values.mode as SceneMode | undefined,
    emptyBaseline: values['empty-baseline'],
    note: (text) => console.error(`note: ${text}`),
    progress: (name, s) => console.error(`  ${name}: object tp ${s.object.tp} fp ${s.object.fp} fn ${s.object.fn}`),
    ...(values.objects !== undefined ? { objectNotes: (tile: ObjectNote[]) => notes.push(...tile) } : {}),
  };
  try {
    const run = layout === 'pairs' ? evaluatePairs : layout === 'surface' ? evaluateSurfaces : evaluateScenes;
    const result = await run(dir, detector, options);
    console.log(values.json ? toJson(result, { dir, provider: detector.provider }) : table(result, dir));
    if (values.objects !== undefined) {
      fs.writeFileSync(values.objects, JSON.stringify({ dir, counts: reasonCounts(notes), notes }, null, 1));
      console.error(`per-object notes: ${notes.length} objects -> ${values.objects}\n${reasonTable(notes)}`);
    }
  } finally {
    await detector.close();
  }
  return 0;
}

/**
 * --model: a sidecar (.json) brings its own networks and decision rule, as ChangeDetector.load
 * reads it; an .onnx file (same channels) serves every input alone under the shipped sidecar, the
 * other networks off, so that one network can be scored on every set; a
 * version name of the model store (npm run model -- list; "shipped": models/) is that version's
 * sidecar. Without --model, the promoted version serves (ChangeDetector.load's default).
 */
function modelOption(model: string | undefined, store = modelStoreDir()): Pick<LoadOptions, 'specPath' | 'modelPath' | 'surfaceOnlyModelPath' | 'aerialModelPath' | 'pairModelPath'> {
  if (model === undefined) return {};
  if (!fs.existsSync(model) && (model === SHIPPED || versionExists(store, model))) return { specPath: specPathOf(store, model) };
  if (!fs.existsSync(model)) throw new Error(`--model ${model}: no such file, and no version of that name in the model store ${store}`);
  if (/\.json$/i.test(model)) return { specPath: path.resolve(model) };
  if (/\.onnx$/i.test(model)) return { modelPath: path.resolve(model), ...MAIN_ALONE };
  throw new Error(`--model ${model}: a sidecar (.json) or a network (.onnx)`);
}

async function scoreboard(load: () => Promise<ChangeDetector>, values: { real?: string; sets?: string; json?: boolean; model?: string; 'empty-baseline'?: boolean }): Promise<number> {
  const realDir = path.resolve(values.real ?? DEFAULT_REAL_DIR);
  if (!fs.existsSync(realDir)) {
    // CI and fresh checkouts lack the shared data: nothing to score is not a failure.
    const reason = `no real data at ${realDir} (../shared/data/real beside the repository, or --real <dir>): nothing scored`;
    console.error(`eval real: ${reason}`);
    if (values.json) console.log(JSON.stringify({ real_dir: realDir, skipped: reason, sets: [], not_scored: [] }));
    return 0;
  }
  const detector = await load();
  try {
    const board = await runScoreboard(detector, realDir, {
      only: values.sets?.split(',').map((s) => s.trim()).filter(Boolean),
      emptyBaseline: values['empty-baseline'],
      model: values.model ?? (servedVersion() === SHIPPED ? 'shipped (models/change-detector.json)' : `promoted version ${servedVersion()}`),
      progress: (text) => console.error(text),
    });
    console.log(values.json ? scoreboardJson(board) : scoreboardTable(board));
  } finally {
    await detector.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`eval: ${(error as Error).message}`);
    process.exit(2);
  },
);
