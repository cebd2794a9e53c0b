/**
 * Calibrated confidence (issue 18 item 5): fits, per network, the monotone map from a detected
 * object's raw score (its mean change probability, pipeline/src/model/calibration.ts) to the chance
 * it is a true change, and writes it into the sidecar's "calibration" key; then prints the
 * reliability of the calibrated scores on data the fit never saw (the model card's table).
 *
 * Objects and outcomes come from the evaluation itself (scripts/eval/evaluate.ts, its object match
 * in scripts/eval/scoring.ts), one part per set, kept only where the network in question
 * served the item:
 *   fit    main          validation scenes 901..940, drone mode
 *          aerial        validation scenes, --mode rgb
 *          surface_only  uav_dsm_vietnam training tiles (not uavHeldOut); the validation scenes
 *                        in --mode dsm are measured beside them but not fitted (--surface-fit all
 *                        pools them): 515 of their 516 objects are true, against half on real
 *                        tiles, and at eight times the count they would set the map alone; the
 *                        same scenes as first patrols (--mode drone_no_before) are shown likewise
 *          pair          LEVIR-CD and EGY-BCD training tiles (not val_*); all of them when the
 *                        network read every development pair (training.pair.development_split)
 *   check  main, aerial  held-out scenes (seeds 1..60 except 7; --check-scenes N: the first N)
 *          surface_only  the held-out uav_dsm_vietnam quarter
 *          pair          LEVIR-CD and EGY-BCD val_* tiles (none when they were fitted on)
 *
 *   npx tsx models/eval-sets.ts            # the scene folders, once
 *   npx tsx models/calibrate.ts [--eval /tmp/lingwei-eval] [--real ../shared/data/real]
 *       [--cache /tmp/lingwei-calibration] [--check-scenes N] [--threads 2] [--dry-run]
 *
 * Each part's objects are cached as JSON under --cache with the SHA-256 of the network file they
 * were measured with and that network's chips and mirrored looks (model-spec.ts chipsOf); a
 * retrained network's parts, or those of a network whose chips or looks changed, are measured
 * again. Each map records that file and hash (a map fitted for another file is stale: run this
 * again after training; after turning mirrored looks on or off, run it with --only the network's
 * parts). The sidecar is re-read just before it is written and only its "calibration" key changes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { calibrateScore, fitCalibration, reliabilityTable, type Calibration, type CalibrationMap, type Reliability, type ScoredDetection } from '#pipeline/model/calibration.js';
import { ChangeDetector, type Network } from '#pipeline/model/change-detector.js';
import { chipsOf, loadModelSpec, networkRecord, ONNX_FIELD, type ModelSpec } from '#pipeline/model/model-spec.js';
import { evaluatePairs, evaluateScenes, evaluateSurfaces, type EvalOptions, type SceneMode } from '#scripts/eval/evaluate.js';
import type { DetectedObject } from '#scripts/eval/score.js';
import { pairHeldOut, uavHeldOut } from './data/splits.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIDECAR = path.join(ROOT, 'models', 'change-detector.json');

const { values } = parseArgs({
  options: {
    eval: { type: 'string', default: '/tmp/lingwei-eval' },
    real: { type: 'string', default: path.resolve(ROOT, '../shared/data/real') },
    cache: { type: 'string', default: '/tmp/lingwei-calibration' },
    'check-scenes': { type: 'string' },
    threads: { type: 'string', default: '2' },
    'dry-run': { type: 'boolean', default: false },
    only: { type: 'string' },
    'surface-fit': { type: 'string', default: 'real' },
  },
});

interface Part {
  name: string;
  network: Network;
  /** context: measured and shown (reliability of the fitted map), not fitted. */
  use: 'fit' | 'check' | 'context';
  run: (detector: ChangeDetector, o: EvalOptions) => Promise<unknown>;
}

interface PartObjects {
  part: string;
  network: Network;
  /** SHA-256 of the network's ONNX file the objects were measured with. */
  onnx_sha256?: string;
  /** The network's chip side and overlap they were measured with ("336/32"): the maps change with them. */
  chips?: string;
  /** Items served by another network (left out). */
  other_network_items: number;
  items: number;
  objects: Array<{ item: string; raw: number; state: DetectedObject['state'] }>;
}

/** A folder of symbolic links to the items of a real set that `keep` accepts (A/, B/, label/ or dsm/, mask/, mask_vec/). */
function linkSubset(src: string, dst: string, subs: string[], keep: (stem: string) => boolean): string {
  for (const sub of subs) {
    if (!fs.existsSync(path.join(src, sub))) continue;
    fs.mkdirSync(path.join(dst, sub), { recursive: true });
    for (const f of fs.readdirSync(path.join(src, sub))) {
      if (!keep(f.replace(/\.[^.]+$/, ''))) continue;
      const target = path.join(dst, sub, f);
      if (!fs.existsSync(target)) fs.symlinkSync(path.join(src, sub, f), target);
    }
  }
  return dst;
}

function limitedScenes(dir: string, n: number | undefined): string {
  if (n === undefined) return dir;
  const out = path.join(values.cache, `scenes-first-${n}`);
  const seeds = fs
    .readdirSync(dir)
    .filter((f) => /^seed-\d+$/.test(f))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .slice(0, n);
  fs.mkdirSync(out, { recursive: true });
  for (const s of seeds) if (!fs.existsSync(path.join(out, s))) fs.symlinkSync(path.join(dir, s), path.join(out, s));
  return out;
}

const real = values.real;
const links = path.join(values.cache, 'links');
const checkScenes = values['check-scenes'] === undefined ? undefined : Number(values['check-scenes']);
const scenes = (dir: string, mode: SceneMode) => (d: ChangeDetector, o: EvalOptions) => evaluateScenes(dir, d, { ...o, mode });
const pairs = (set: string, gsd: number, keep: (s: string) => boolean) => (d: ChangeDetector, o: EvalOptions) =>
  evaluatePairs(linkSubset(path.join(real, set), path.join(links, `${set}-${keep === pairHeldOut ? 'val' : 'train'}`), ['A', 'B', 'label'], keep), d, { ...o, gsd });
const uav = (keep: (s: string) => boolean, name: string) => (d: ChangeDetector, o: EvalOptions) =>
  evaluateSurfaces(linkSubset(path.join(real, 'uav_dsm_vietnam'), path.join(links, name), ['dsm', 'mask', 'mask_vec'], keep), d, o);
const notHeld = (f: (s: string) => boolean) => (s: string) => !f(s);

// An image-pair network trained on every development pair (its record's development_split) has no
// held-out real pair left: its val_* pairs join the fit, and its map is checked on none.
const pairReadAll = networkRecord(loadModelSpec(SIDECAR).training, 'pair')?.development_split === 'all';
const valScenes = path.join(values.eval, 'val-scenes');
const heldScenes = limitedScenes(path.join(values.eval, 'scenes'), checkScenes);
const PARTS: Part[] = [
  { name: 'val-scenes-drone', network: 'main', use: 'fit', run: scenes(valScenes, 'drone') },
  { name: 'val-scenes-rgb', network: 'aerial', use: 'fit', run: scenes(valScenes, 'rgb') },
  { name: 'val-scenes-dsm', network: 'surface_only', use: values['surface-fit'] === 'all' ? 'fit' : 'context', run: scenes(valScenes, 'dsm') },
  // First patrols, which the surface network serves since the sixth session: shown, not fitted (as the dsm scenes).
  { name: 'val-scenes-first-patrol', network: 'surface_only', use: 'context', run: scenes(valScenes, 'drone_no_before') },
  { name: 'uav-train', network: 'surface_only', use: 'fit', run: uav(notHeld(uavHeldOut), 'uav-train') },
  { name: 'levir-train', network: 'pair', use: 'fit', run: pairs('levir_cd', 0.5, notHeld(pairHeldOut)) },
  { name: 'egy-train', network: 'pair', use: 'fit', run: pairs('egy_bcd', 0.25, notHeld(pairHeldOut)) },
  { name: `scenes${checkScenes === undefined ? '' : `-first-${checkScenes}`}-drone`, network: 'main', use: 'check', run: scenes(heldScenes, 'drone') },
  { name: `scenes${checkScenes === undefined ? '' : `-first-${checkScenes}`}-rgb`, network: 'aerial', use: 'check', run: scenes(heldScenes, 'rgb') },
  { name: 'uav-holdout', network: 'surface_only', use: 'check', run: uav(uavHeldOut, 'uav-holdout') },
  { name: 'levir-val', network: 'pair', use: pairReadAll ? 'fit' : 'check', run: pairs('levir_cd', 0.5, pairHeldOut) },
  { name: 'egy-val', network: 'pair', use: pairReadAll ? 'fit' : 'check', run: pairs('egy_bcd', 0.25, pairHeldOut) },
];

const onnxFiles = new Map<Network, { onnx: string; onnx_sha256: string; chips: string }>();

/**
 * The network's ONNX file (as the sidecar names it), its SHA-256, and the chips it runs on; read
 * and hashed once a run (every part of a network asks, and the files do not change meanwhile).
 */
function onnxOf(network: Network): { onnx: string; onnx_sha256: string; chips: string } {
  let known = onnxFiles.get(network);
  if (!known) {
    const sidecar = JSON.parse(fs.readFileSync(SIDECAR, 'utf8')) as ModelSpec;
    const onnx = sidecar[ONNX_FIELD[network]] ?? sidecar.onnx;
    const { chip, overlap, mirrors } = chipsOf(sidecar, network);
    // Mirror averaging changes the map, so it is part of the key; one look keeps the older keys.
    const looks = mirrors === 1 ? '' : ` x${mirrors} mirrored`;
    known = { onnx, onnx_sha256: createHash('sha256').update(fs.readFileSync(path.join(path.dirname(SIDECAR), onnx))).digest('hex'), chips: `${chip}/${overlap}${looks}` };
    onnxFiles.set(network, known);
  }
  return known;
}

async function measure(part: Part, load: () => Promise<ChangeDetector>): Promise<PartObjects> {
  const file = path.join(values.cache, `${part.name}.json`);
  const { onnx_sha256, chips } = onnxOf(part.network);
  if (fs.existsSync(file)) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as PartObjects;
    // Measured with another network file (retrained since) or other chips: measured again.
    if (cached.onnx_sha256 === onnx_sha256 && cached.chips === chips) return cached;
  }
  const detector = await load();
  const out: PartObjects = { part: part.name, network: part.network, onnx_sha256, chips, other_network_items: 0, items: 0, objects: [] };
  const t0 = Date.now();
  await part.run(detector, {
    objects: (item, network, detected) => {
      if (network !== part.network) {
        out.other_network_items += 1;
        return;
      }
      out.items += 1;
      for (const d of detected) out.objects.push({ item, raw: Math.round(d.raw * 1e5) / 1e5, state: d.state });
    },
  });
  fs.mkdirSync(values.cache, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out));
  console.error(`${part.name}: ${out.items} items, ${out.objects.length} objects (${Math.round((Date.now() - t0) / 1000)} s)`);
  return out;
}

/** Counted objects only: a detection the match ignores (registered structure, too small a truth) is neither right nor wrong. */
const samplesOf = (parts: PartObjects[]): ScoredDetection[] =>
  parts.flatMap((p) => p.objects.filter((o) => o.state !== 'ignored').map((o) => ({ score: o.raw, hit: o.state === 'tp' })));

function markdown(network: Network, map: CalibrationMap, check: Reliability, raw: Reliability, checkParts: string[], context: Array<{ part: string; reliability: Reliability }>): string {
  const f = (v: number | null) => (v === null ? '–' : v.toFixed(2));
  if (!check.count) {
    const fitted = `**${network}** — ${map.method}, fitted on ${map.objects} objects (${map.true_changes} true) from ${(map.data ?? []).join(', ')}`;
    return `${fitted}; no held-out objects left to check it on (the network trained on every development item)\n`;
  }
  const lines = [
    `**${network}** — ${map.method}, fitted on ${map.objects} objects (${map.true_changes} true) from ${(map.data ?? []).join(', ')}; checked on ${check.count} objects from ${checkParts.join(', ')}`,
    '',
    '| calibrated score | objects | mean predicted | observed share true |',
    '|---|---|---|---|',
    ...check.rows.map((r) => `| ${r.from.toFixed(1)}–${r.to.toFixed(1)} | ${r.count} | ${f(r.mean_predicted)} | ${f(r.observed)} |`),
    '',
    `ECE ${check.ece.toFixed(3)}, Brier ${check.brier.toFixed(3)} (raw score read as a probability: ECE ${raw.ece.toFixed(3)}, Brier ${raw.brier.toFixed(3)})`,
    ...context.map(
      (c) => `On ${c.part} (measured, not fitted): ${c.reliability.count} objects, mean predicted ${f(c.reliability.rows.reduce((a, r) => a + (r.mean_predicted ?? 0) * r.count, 0) / Math.max(1, c.reliability.count))}, observed ${f(c.reliability.rows.reduce((a, r) => a + (r.observed ?? 0) * r.count, 0) / Math.max(1, c.reliability.count))}, ECE ${c.reliability.ece.toFixed(3)}`,
    ),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const threads = Number(values.threads);
  let detector: ChangeDetector | null = null;
  const load = async () => (detector ??= await ChangeDetector.load({ threads, specPath: SIDECAR }));
  const only = values.only?.split(',');
  const measured: PartObjects[] = [];
  try {
    for (const part of PARTS) {
      if (only && !only.includes(part.name)) continue;
      measured.push(await measure(part, load));
    }
  } finally {
    if (detector) await (detector as ChangeDetector).close();
  }
  const calibration: Calibration = {};
  const report: Record<string, unknown> = {};
  const tables: string[] = [];
  for (const network of ['main', 'aerial', 'surface_only', 'pair'] as Network[]) {
    const fitParts = measured.filter((p) => p.network === network && PARTS.find((q) => q.name === p.part)!.use === 'fit');
    const checkParts = measured.filter((p) => p.network === network && PARTS.find((q) => q.name === p.part)!.use === 'check');
    const fitSamples = samplesOf(fitParts);
    if (!fitSamples.length) continue;
    // The map records the file it was fitted for (ChangeDetector.load checks it); the chips only key the cache.
    const { onnx, onnx_sha256 } = onnxOf(network);
    const map = { ...fitCalibration(fitSamples), data: fitParts.map((p) => p.part), onnx, onnx_sha256 };
    calibration[network] = map;
    const contextParts = measured.filter((p) => p.network === network && PARTS.find((q) => q.name === p.part)!.use === 'context');
    const context = contextParts.map((p) => ({ part: p.part, reliability: reliabilityTable(samplesOf([p]).map((s) => ({ score: calibrateScore(s.score, map), hit: s.hit }))) }));
    const checkSamples = samplesOf(checkParts);
    const check = reliabilityTable(checkSamples.map((s) => ({ score: calibrateScore(s.score, map), hit: s.hit })));
    const raw = reliabilityTable(checkSamples);
    const fitted = reliabilityTable(fitSamples.map((s) => ({ score: calibrateScore(s.score, map), hit: s.hit })));
    report[network] = { map, check_parts: checkParts.map((p) => p.part), check, raw_check: raw, fit_reliability: fitted, context };
    tables.push(markdown(network, map, check, raw, checkParts.map((p) => p.part), context));
  }
  fs.mkdirSync(values.cache, { recursive: true });
  fs.writeFileSync(path.join(values.cache, 'report.json'), JSON.stringify(report, null, 1));
  console.log(tables.join('\n'));
  if (values['dry-run']) return;
  // Re-read just before writing: others may have re-exported training records meanwhile.
  const sidecar = JSON.parse(fs.readFileSync(SIDECAR, 'utf8')) as Record<string, unknown>;
  sidecar.calibration = { ...(sidecar.calibration as Calibration | undefined), ...calibration };
  fs.writeFileSync(SIDECAR, `${JSON.stringify(sidecar, null, 2)}\n`);
  console.error(`calibration for ${Object.keys(calibration).join(', ')} written to ${path.relative(ROOT, SIDECAR)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
