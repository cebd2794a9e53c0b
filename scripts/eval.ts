/**
 * npm run eval -- <dir> [--gsd <metres>] [--json] [--mode drone|drone_no_before_dsm|drone_no_before|rgb|dsm|rgb_pair]
 *                       [--threshold <0..1>] [--threads N]
 *
 * Scores the shipped change-detection model on a folder in one of the layouts (detected from its
 * sub-folders): image pairs (A/, B/, label/), surface models (dsm/, mask/, mask_vec/), or scenes
 * from the fixture generator (whose flight drift is measured and taken out first, as the pipeline
 * does). Prints a table, or with --json one JSON object on stdout (progress and notes go to
 * stderr; through npm, `npm run -s eval` keeps npm's own banner off stdout). Exit status 2 on a
 * folder it cannot read, with the reason.
 */
import { parseArgs } from 'node:util';
import { ChangeDetector } from '../pipeline/src/model/change-detector.js';
import { evaluatePairs, evaluateScenes, evaluateSurfaces, SCENE_MODES, type EvalOptions, type SceneMode } from './eval/evaluate.js';
import { detectLayout } from './eval/layout.js';
import { table, toJson } from './eval/report.js';

const USAGE = [
  'usage: npm run eval -- <dir> [--gsd <metres>] [--json] [--mode drone|drone_no_before_dsm|drone_no_before|rgb|dsm|rgb_pair] [--threshold t] [--threads N]',
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
  const layout = detectLayout(dir);
  const detector = await ChangeDetector.load({ threads });
  const options: EvalOptions = {
    gsd,
    threshold,
    mode: values.mode as SceneMode | undefined,
    note: (text) => console.error(`note: ${text}`),
    progress: (name, s) => console.error(`  ${name}: object tp ${s.object.tp} fp ${s.object.fp} fn ${s.object.fn}`),
  };
  try {
    const run = layout === 'pairs' ? evaluatePairs : layout === 'surface' ? evaluateSurfaces : evaluateScenes;
    const result = await run(dir, detector, options);
    console.log(values.json ? toJson(result, { dir, provider: detector.provider }) : table(result, dir));
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
