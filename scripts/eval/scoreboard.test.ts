/**
 * The real-data scoreboard. The pure parts (the references' oracle threshold and height map, the
 * rows per split, the ratio, the table) need no data; the runs on ../shared/data/real are
 * skipped, saying so, where that folder is absent (CI), and are cross-checked there against the
 * plain evaluation of the same tiles.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairHeldOut, uavHeldOut } from '#models/data/splits.js';
import { ChangeDetector, MAIN_ALONE } from '#pipeline/model/change-detector.js';
import type { Grid } from '#pipeline/model/grid.js';
import { countPixels } from './scoring.js';
import { evaluatePairs } from './evaluate.js';
import { DEFAULT_REAL_DIR, developmentItems, REAL_SETS, servedSplit, trainedOn } from './real-sets.js';
import { addToHistogram, colourDifference, emptyHistogram, heightAboveBaseline, oracleThreshold, scoreRatio, type DifferenceHistogram } from './reference.js';
import { runScoreboard, type Scoreboard } from './scoreboard.js';
import { scoreboardTable } from './scoreboard-report.js';
import { setRows, type ItemRecord } from './scoreboard-rows.js';
import { seededUnit } from './seeded.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const cli = (args: string[]) => run('npx', ['tsx', 'scripts/eval.ts', ...args], { cwd: ROOT });
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-scoreboard-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const grid = (width: number, height: number): Grid => ({ width, height, geoTransform: [0, 1, 0, height, 0, -1] });
const histogram = (changed: Record<number, number>, unchanged: Record<number, number>, bins = 766): DifferenceHistogram => {
  const h = emptyHistogram(bins);
  for (const [v, n] of Object.entries(changed)) h.changed[Number(v)] = n;
  for (const [v, n] of Object.entries(unchanged)) h.unchanged[Number(v)] = n;
  return h;
};
const mapScore = (tp: number, fp: number, fn: number) => ({ pixel: { tp, fp, fn, tn: 100 }, object: { tp, fp, fn } });

describe('naive references (pure)', () => {
  it('cuts the colour difference where pixel F1 is best, on the pixels given', () => {
    // changed: 5 at 10, 20 at 50; unchanged: 100 at 0, 10 at 10, 3 at 60
    const cut = oracleThreshold(histogram({ 10: 5, 50: 20 }, { 0: 100, 10: 10, 60: 3 }));
    // From 11 to 50 the cut keeps the 20 at 50 and the 3 at 60: F1 = 40 / 48 (cutting at 10 adds 5 tp and 10 fp: 50 / 63)
    expect(cut.counts).toEqual({ tp: 20, fp: 3, fn: 5, tn: 110 });
    expect(cut.f1).toBeCloseTo(40 / 48, 12);
    expect(cut.threshold).toBe(11);
  });

  it('finds the best cut a brute-force search over thresholds finds', () => {
    for (let trial = 0; trial < 20; trial++) {
      const n = 400;
      const diff = Int16Array.from({ length: n }, (_, i) => Math.floor(seededUnit(`d${trial}:${i}`) * 40));
      // change more likely where the difference is large, never certain
      const truth = Uint8Array.from(diff, (d, i) => (seededUnit(`t${trial}:${i}`) < d / 60 ? 1 : 0));
      const cut = oracleThreshold(addToHistogram(emptyHistogram(40), diff, truth));
      let best = 0;
      for (let t = 0; t <= 40; t++) {
        const c = countPixels(Uint8Array.from(diff, (d) => (d >= t ? 1 : 0)), truth);
        best = Math.max(best, (2 * c.tp) / (2 * c.tp + c.fp + c.fn));
      }
      expect(cut.f1).toBeCloseTo(best, 12);
      expect(countPixels(Uint8Array.from(diff, (d) => (d >= cut.threshold ? 1 : 0)), truth)).toEqual(cut.counts);
    }
  });

  it('predicts nothing where nothing changed, and scores 0 where no cut helps', () => {
    expect(oracleThreshold(histogram({}, { 0: 5, 30: 5 })).f1).toBe(1);
    // every changed pixel below every unchanged one: predicting all is the best a "difference >= t" rule can do
    const inverted = oracleThreshold(histogram({ 0: 10 }, { 100: 90 }));
    expect([inverted.threshold, inverted.f1]).toEqual([0, 20 / 110]);
  });

  it('sums |after - before| over the bands, leaving out pixels either image lacks and ignored ones', () => {
    const g = grid(3, 1);
    const before = { grid: g, bands: [[10, 10, 10], [20, 20, 20], [30, 30, 30]] as const, valid: Uint8Array.of(1, 1, 0) };
    const after = { grid: g, bands: [[13, 0, 10], [20, 30, 20], [30, 30, 99]] as const };
    const d = colourDifference(before, after);
    expect([...d]).toEqual([3, 20, -1]);
    const h = addToHistogram(emptyHistogram(), d, [1, 0, 1], [0, 0, 0]);
    expect([h.changed[3], h.unchanged[20], h.changed.reduce((a, b) => a + b, 0) + h.unchanged.reduce((a, b) => a + b, 0)]).toEqual([1, 1, 2]);
    expect(addToHistogram(emptyHistogram(), d, [1, 0, 1], [1, 0, 0]).changed[3]).toBe(0);
  });

  it('marks the surface standing more than 2.5 m above the baseline', () => {
    const prepared = {
      afterHeight: { data: Float32Array.of(3, 3, 9, 9, 2), valid: Uint8Array.of(1, 1, 1, 0, 1) },
      baseline: { height: Float32Array.of(0, 1, 6, 0, 0), footprint: Uint8Array.of(0, 1, 1, 0, 0) },
    };
    expect([...heightAboveBaseline(prepared)]).toEqual([1, 0, 1, 0, 0]);
    expect([...heightAboveBaseline(prepared, 5)]).toEqual([0, 0, 0, 0, 0]);
  });

  it('gives the ratio of model to reference, none against a reference of 0', () => {
    expect(scoreRatio(0.6, 0.3)).toBeCloseTo(2);
    expect(scoreRatio(0.6, 0)).toBeNull();
  });
});

describe('rows per split and the table (pure)', () => {
  // Trained-on pairs separate at 30; held-out ones at 90: each row's oracle finds its own cut.
  const pairs: ItemRecord[] = [
    { name: 'train_1', trainedOn: true, model: mapScore(90, 10, 0), reference: { histogram: histogram({ 30: 10 }, { 0: 50, 20: 5 }) } },
    { name: 'train_2', trainedOn: true, model: mapScore(80, 0, 20), reference: { histogram: histogram({ 30: 10 }, { 0: 50 }) } },
    { name: 'val_1', trainedOn: false, model: mapScore(10, 10, 10), reference: { histogram: histogram({ 90: 10 }, { 30: 40 }) } },
  ];

  it('pools all, trained-on and held-out apart, each with its own oracle cut', () => {
    const rows = setRows(pairs, 'pixel_f1');
    expect(rows.map((r) => [r.split, r.items])).toEqual([
      ['all', 3],
      ['trained_on', 2],
      ['held_out', 1],
    ]);
    const [all, trained, held] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    expect(trained.model.pixel).toMatchObject({ tp: 170, fp: 10, fn: 20 });
    expect(trained.model_score).toBeCloseTo(340 / 370, 12);
    expect([trained.reference.threshold, trained.reference_score]).toEqual([7, 1]); // cut at 21 of 765 = 7 per band
    expect([held.reference.threshold, held.reference_score]).toEqual([10.33, 1]); // cut at 31
    expect(held.model_score).toBeCloseTo(0.5, 12);
    expect(held.ratio).toBeCloseTo(0.5, 12);
    // Pooled, the 40 unchanged pixels at 30 collide with the trained-on change at 30.
    expect(all.reference_score).toBeLessThan(1);
    expect(all.ratio).toBeCloseTo(all.model_score / all.reference_score, 12);
  });

  it('names a set with one split by it, and scores surface models by objects', () => {
    const tiles: ItemRecord[] = [
      { name: 'a', trainedOn: false, model: mapScore(3, 1, 1), reference: { score: mapScore(1, 9, 3), thresholdM: 2.5 } },
      { name: 'b', trainedOn: false, model: mapScore(1, 0, 1), reference: { score: mapScore(1, 1, 1), thresholdM: 2.5 } },
    ];
    const [row, ...rest] = setRows(tiles, 'object_f1');
    expect(rest).toEqual([]);
    expect(row!.split).toBe('held_out');
    expect(row!.model.object).toMatchObject({ tp: 4, fp: 1, fn: 2 });
    expect(row!.model_score).toBeCloseTo(8 / 11, 12);
    expect(row!.reference).toMatchObject({ kind: 'height_above_baseline', threshold: 2.5, object: { tp: 2, fp: 10, fn: 4 } });
    expect(row!.reference_score).toBeCloseTo(4 / 18, 12);
    expect(setRows(pairs.slice(0, 2), 'pixel_f1').map((r) => r.split)).toEqual(['trained_on']);
  });

  it('prints every row, marks trained-on ones, and lists the sets not scored', () => {
    const board: Scoreboard = {
      real_dir: '/data/real',
      model: 'shipped',
      provider: 'cpu',
      threshold: 0.5,
      min_object_m2: 6,
      seconds: 1,
      sets: [{ set: 'levir_cd', folder: '/data/real/levir_cd', kind: 'pairs', task: 'building change', gsd_m: [0.5], gsd_note: '0.5 m', mode: 'rgb_pair', networks: ['main'], rows: setRows(pairs, 'pixel_f1'), items: [] }],
      not_scored: [{ set: 'spacenet_sample', reason: 'not scored: single-date labels' }],
    };
    const lines = scoreboardTable(board).split('\n');
    const row = (split: string) => lines.find((l) => l.startsWith('levir_cd') && l.includes(split))!.split(/\s+/);
    expect(row('TRAINED-ON')).toEqual(['levir_cd', 'TRAINED-ON', '2', 'pixel', 'F1', '0.919', '1.000', '0.92', '0.94/0.89', '1.00/1.00', '7']);
    expect(row('held-out').slice(5, 8)).toEqual(['0.500', '1.000', '0.50']);
    expect(lines.some((l) => /^spacenet_sample\s+not scored: single-date labels$/.test(l))).toBe(true);
  });

  it('marks a tile trained on only when the development copy held the same content and the split did not hold it out', () => {
    const dev = path.join(tmp, 'dev');
    const elsewhere = path.join(tmp, 'elsewhere');
    for (const d of [dev, elsewhere]) fs.mkdirSync(path.join(d, 'levir_cd', 'A'), { recursive: true });
    for (const f of ['train_1', 'val_1']) fs.writeFileSync(path.join(dev, 'levir_cd', 'A', `${f}.png`), `development ${f}`);
    const file = (d: string, name: string, content: string) => {
      const at = path.join(d, 'levir_cd', 'A', `${name}.png`);
      fs.writeFileSync(at, content);
      return at;
    };
    const levir = REAL_SETS.find((s) => s.name === 'levir_cd')!;
    const items = developmentItems(levir, dev);
    expect([...items.values()].sort()).toEqual(['train_1', 'val_1']);
    expect([
      trainedOn(levir, file(elsewhere, 'train_1', 'development train_1'), items),
      trainedOn(levir, file(elsewhere, 'renamed', 'development train_1'), items),
      trainedOn(levir, file(elsewhere, 'val_1', 'development val_1'), items),
      // A held-out copy elsewhere with other tiles under the development names.
      trainedOn(levir, file(elsewhere, 'train_2', 'another tile'), items),
    ]).toEqual([true, true, false, false]);
    const dsifn = REAL_SETS.find((s) => s.name === 'dsifn')!;
    expect(trainedOn(dsifn, path.join(dev, 'levir_cd', 'A', 'train_1.png'), items)).toBe(false);
  });

  it("marks every development tile trained on when a serving network's record says it read them all", () => {
    const training = { pair: { development_split: 'all' }, surface_only: { steps: 4000 }, aerial: { development_split: 'train' } };
    expect([servedSplit(['pair'], training), servedSplit(['surface_only'], training), servedSplit(['main'], training), servedSplit(['aerial'], training), servedSplit(['pair'], undefined)]).toEqual([
      'all',
      'train',
      'train',
      'train',
      'train',
    ]);
    expect(servedSplit(['main'], { development_split: 'all' })).toBe('all');
    const levir = REAL_SETS.find((s) => s.name === 'levir_cd')!;
    const items = developmentItems(levir, path.join(tmp, 'dev'));
    const val = path.join(tmp, 'dev', 'levir_cd', 'A', 'val_1.png');
    expect([trainedOn(levir, val, items, 'train'), trainedOn(levir, val, items, 'all'), trainedOn(levir, path.join(tmp, 'elsewhere', 'levir_cd', 'A', 'train_2.png'), items, 'all')]).toEqual([false, true, false]);
  });
});

describe('npm run eval -- real without the data', () => {
  it('says there is nothing to score and exits 0', async () => {
    const missing = path.join(tmp, 'no-real');
    const { stdout, stderr } = await cli(['real', '--real', missing]);
    expect(stderr).toMatch(/no real data at .*no-real .*nothing scored/);
    expect(stdout).toBe('');
    const json = JSON.parse((await cli(['real', '--real', missing, '--json'])).stdout) as { skipped: string; sets: unknown[] };
    expect(json.sets).toEqual([]);
    expect(json.skipped).toMatch(/no real data/);
  });

  it('refuses options that do not apply to it', async () => {
    await expect(cli(['real', '--gsd', '0.5'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--gsd do not apply to the scoreboard/) as unknown });
  });

  it('gives only image pairs an empty baseline', async () => {
    await expect(cli([path.join(ROOT, 'fixtures', 'scene'), '--empty-baseline'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--empty-baseline: only image pairs are given a baseline/) as unknown });
  });
});

const HAVE_REAL = fs.existsSync(DEFAULT_REAL_DIR);
if (!HAVE_REAL) console.warn(`scoreboard.test: ${DEFAULT_REAL_DIR} is absent; the runs on real data are skipped`);

describe.skipIf(!HAVE_REAL)('the scoreboard on ../shared/data/real (skipped without it)', () => {
  let detector: ChangeDetector;
  beforeAll(async () => {
    detector = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu' });
  });
  afterAll(async () => {
    await detector?.close();
  });

  /** A folder of symbolic links to some of a set's items (nothing copied). */
  function linkSubset(set: string, subs: string[], keep: (stem: string) => boolean, into = path.join(tmp, `${set}-subset-${Math.random().toString(36).slice(2)}`)): string {
    for (const sub of subs) {
      fs.mkdirSync(path.join(into, sub), { recursive: true });
      for (const f of fs.readdirSync(path.join(DEFAULT_REAL_DIR, set, sub))) {
        if (keep(f.replace(/\.[^.]+$/, ''))) fs.symlinkSync(path.join(DEFAULT_REAL_DIR, set, sub, f), path.join(into, sub, f));
      }
    }
    return into;
  }

  it('scores image pairs per split, the held-out figures equal to evaluating the held-out pairs alone', async () => {
    // The main network trained on the split (the shipped image-pair network read every pair; below).
    const { stdout } = await cli(['real', '--sets', 'levir_cd,egy_bcd', '--json', '--model', 'models/change-detector.onnx']);
    const board = JSON.parse(stdout) as Scoreboard;
    expect(board.sets.map((s) => [s.set, s.networks])).toEqual([
      ['levir_cd', ['main']],
      ['egy_bcd', ['main']],
    ]);
    const main = await ChangeDetector.load({ threads: 2, executionProvider: 'cpu', ...MAIN_ALONE });
    try {
      for (const set of board.sets) {
        const names = fs.readdirSync(path.join(DEFAULT_REAL_DIR, set.set, 'A')).map((f) => f.replace(/\.[^.]+$/, ''));
        const held = names.filter(pairHeldOut);
        expect(set.rows.map((r) => [r.split, r.items])).toEqual([
          ['all', names.length],
          ['trained_on', names.length - held.length],
          ['held_out', held.length],
        ]);
        const gsd = set.set === 'egy_bcd' ? 0.25 : 0.5;
        expect(set.gsd_m).toEqual([gsd]);
        const alone = await evaluatePairs(linkSubset(set.set, ['A', 'B', 'label'], pairHeldOut), main, { gsd });
        const heldRow = set.rows.find((r) => r.split === 'held_out')!;
        expect(heldRow.model.pixel).toMatchObject({ tp: alone.pixel.tp, fp: alone.pixel.fp, fn: alone.pixel.fn });
        expect(heldRow.model_score).toBeCloseTo(alone.pixel.f1, 12);
        for (const r of set.rows) {
          expect(r.reference.kind).toBe('colour_difference_oracle');
          expect(r.reference_score).toBeGreaterThan(0);
          expect(r.ratio).toBeCloseTo(r.model_score / r.reference_score, 12);
        }
      }
    } finally {
      await main.close();
    }
  });

  it('marks every pair trained on where the serving image-pair network read them all, and a held-out copy elsewhere held out', async () => {
    const shipped = detector.spec.training?.pair as { development_split?: string } | undefined;
    const board = JSON.parse((await cli(['real', '--sets', 'egy_bcd', '--json'])).stdout) as Scoreboard;
    const names = fs.readdirSync(path.join(DEFAULT_REAL_DIR, 'egy_bcd', 'A')).map((f) => f.replace(/\.[^.]+$/, ''));
    expect(board.sets[0]!.networks).toEqual(['pair']);
    const trainedNames = shipped?.development_split === 'all' ? names : names.filter((name) => !pairHeldOut(name));
    expect(board.sets[0]!.rows.find((r) => r.split === 'trained_on')!.items).toBe(trainedNames.length);
    // A copy elsewhere in which val_1 holds another tile (its after image as the before): by
    // content, that one is held out and the others are the development pairs.
    const copy = linkSubset('egy_bcd', ['A', 'B', 'label'], () => true, path.join(tmp, 'outside', 'egy_bcd'));
    fs.rmSync(path.join(copy, 'A', 'val_1.png'));
    fs.copyFileSync(path.join(DEFAULT_REAL_DIR, 'egy_bcd', 'B', 'val_1.png'), path.join(copy, 'A', 'val_1.png'));
    const outside = JSON.parse((await cli(['real', '--real', path.join(tmp, 'outside'), '--json'])).stdout) as Scoreboard;
    const split = (n: number) => (shipped?.development_split === 'all' ? n : names.filter((name) => !pairHeldOut(name)).length);
    expect(outside.sets[0]!.rows.map((r) => [r.split, r.items])).toEqual([
      ['all', names.length],
      ['trained_on', split(names.length - 1)],
      ['held_out', names.length - split(names.length - 1)],
    ]);
  });

  it('scores another network given with --model, beside the same references', async () => {
    const board = async (extra: string[]) => JSON.parse((await cli(['real', '--sets', 'levir_cd', '--json', ...extra])).stdout) as Scoreboard;
    const shipped = await board([]);
    const other = await board(['--model', 'models/change-detector-aerial.onnx']);
    expect(other.model).toBe('models/change-detector-aerial.onnx');
    const [a, b] = [shipped.sets[0]!.rows[0]!, other.sets[0]!.rows[0]!];
    expect(b.reference).toEqual(a.reference);
    expect(b.model.pixel).not.toEqual(a.model.pixel);
    // A sidecar is loaded as ChangeDetector.load reads it; anything else is refused.
    expect((await board(['--model', 'models/change-detector.json'])).sets[0]!.rows[0]!.model).toEqual(a.model);
    await expect(cli(['real', '--model', 'models/MODEL_CARD.md'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/a sidecar \(.json\) or a network \(.onnx\)/) as unknown });
  });

  it('scores surface models by objects against the height reference, on the same truth', async () => {
    const names = fs.readdirSync(path.join(DEFAULT_REAL_DIR, 'uav_dsm_vietnam', 'dsm')).map((f) => f.replace(/\.[^.]+$/, ''));
    const pick = [...names.filter(uavHeldOut).slice(0, 2), ...names.filter((n) => !uavHeldOut(n)).slice(0, 2)];
    const root = path.join(tmp, 'uav-root');
    linkSubset('uav_dsm_vietnam', ['dsm', 'mask', 'mask_vec'], (n) => pick.includes(n), path.join(root, 'uav_dsm_vietnam'));
    const board = await runScoreboard(detector, root);
    const [set] = board.sets;
    expect(set).toMatchObject({ set: 'uav_dsm_vietnam', mode: 'dsm', networks: ['surface_only'] });
    expect(set!.rows.map((r) => [r.split, r.items, r.metric])).toEqual([
      ['all', 4, 'object_f1'],
      ['trained_on', 2, 'object_f1'],
      ['held_out', 2, 'object_f1'],
    ]);
    for (const r of set!.rows) {
      // The reference answers for the same withheld buildings as the network.
      expect(r.reference.object!.tp + r.reference.object!.fn).toBe(r.model.object.tp + r.model.object.fn);
      expect(r.reference.threshold).toBe(2.5);
    }
    expect(set!.items.map((i) => [i.name, i.trained_on])).toEqual(pick.map((n) => [n, !uavHeldOut(n)]).sort());
  });

  it('with an empty baseline, scores pairs and xBD as aerial tiles with the network served for those', async () => {
    const sets = ['egy_bcd', 'xbd'];
    const bare = await runScoreboard(detector, DEFAULT_REAL_DIR, { only: sets });
    const based = await runScoreboard(detector, DEFAULT_REAL_DIR, { only: sets, emptyBaseline: true });
    expect(bare.sets.map((s) => [s.set, s.mode, s.networks])).toEqual([
      ['egy_bcd', 'rgb_pair', ['pair']],
      ['xbd', 'rgb_pair', ['pair']],
    ]);
    expect(based.sets.map((s) => [s.set, s.mode, s.networks])).toEqual([
      ['egy_bcd', 'rgb', ['aerial']],
      ['xbd', 'rgb', ['aerial']],
    ]);
    // Marked by the network that served: the aerial-tile network trained on the split, whatever the
    // image-pair network read.
    expect(based.sets[0]!.rows.map((r) => r.split)).toEqual(['all', 'trained_on', 'held_out']);
    // Same items and references over all of them; another network's figures.
    const allOf = (board: typeof bare) => board.sets[0]!.rows.find((r) => r.items === board.sets[0]!.items.length)!;
    expect(allOf(based).reference).toEqual(allOf(bare).reference);
    expect(allOf(based).model.pixel).not.toEqual(allOf(bare).model.pixel);
  });

  it('scores xBD destroyed buildings as demolitions on trained-on pairs, and lists single-date sets as not scored', async () => {
    const board = await runScoreboard(detector, DEFAULT_REAL_DIR, { only: ['xbd', 'spacenet_sample', 'opencities_drone'] });
    const [xbd] = board.sets;
    expect(xbd!.rows.map((r) => [r.split, r.items])).toEqual([['trained_on', 3]]);
    // The destroyed buildings of the post-disaster label files, counted here from the WKT, less
    // those under 10 m² at 0.45 m (185 and 6 in the development copy).
    const labels = path.join(DEFAULT_REAL_DIR, 'xbd', 'tier3', 'labels');
    const areas = fs
      .readdirSync(labels)
      .filter((f) => f.endsWith('_post_disaster.json'))
      .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(labels, f), 'utf8')) as { features: { xy: { properties: { subtype?: string }; wkt: string }[] } }).features.xy)
      .filter((b) => b.properties.subtype === 'destroyed')
      .map((b) => {
        const pts = /\(\((.*?)\)/.exec(b.wkt)![1]!.split(',').map((p) => p.trim().split(/\s+/).map(Number) as [number, number]);
        let twice = 0;
        for (let i = 0; i + 1 < pts.length; i++) twice += pts[i]![0] * pts[i + 1]![1] - pts[i + 1]![0] * pts[i]![1];
        return (Math.abs(twice) / 2) * 0.45 * 0.45;
      });
    expect(areas.length).toBeGreaterThan(0);
    expect(xbd!.rows[0]!.model.object.tp + xbd!.rows[0]!.model.object.fn).toBe(areas.filter((a) => a >= 10).length);
    expect(board.not_scored.map((n) => n.set).sort()).toEqual(['opencities_drone', 'spacenet_sample']);
    expect(board.not_scored.every((n) => /single-date labels/.test(n.reason))).toBe(true);
  });
});
