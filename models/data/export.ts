/**
 * Exports the training data: `npx tsx models/data/export.ts --out models/.cache/data [--scenes N]
 * [--real DIR] [--shard i/n] [--development-split train|all]`. Synthetic scenes always; real samples from ../shared/data/real when
 * that folder exists (it says so when it does not, and the model is then trained on synthetic
 * scenes only). Shards let train.sh use both cores; each writes its own index-<i>.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadModelSpec } from '#pipeline/model/model-spec.js';
import { seededUnit } from '#scripts/eval/seeded.js';
import { exportPairs, exportSpacenet, exportSurfaces, exportXbd } from './real.js';
import { SampleWriter } from './sample-writer.js';
import { EVAL_SEEDS, TRAIN_SEED_BASE } from './splits.js';
import { scenePlanes, syntheticScene } from './synthetic.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATES = ['2026-03-25', '2026-04-10', '2026-05-20', '2026-06-15', '2026-09-10', '2026-10-15', '2026-11-20'];

/** Scene settings per training seed: sizes, resolutions, seasons and times vary with the seed. */
export function trainingSceneOptions(seed: number) {
  const u = (k: string) => seededUnit(`scene:${seed}:${k}`);
  const before = DATES[Math.floor(u('before') * DATES.length)]!;
  let after = DATES[Math.floor(u('after') * DATES.length)]!;
  if (after === before) after = DATES[(DATES.indexOf(before) + 3) % DATES.length]!;
  return { seed, sizeM: u('size') < 0.5 ? 200 : 260, gsdM: u('gsd') < 0.25 ? 0.1 : 0.25, dates: { before, after } };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(ROOT, 'models/.cache/data') },
      scenes: { type: 'string', default: '160' },
      real: { type: 'string', default: path.resolve(ROOT, '../shared/data/real') },
      shard: { type: 'string', default: '0/1' },
      // `all`: the held-out development tiles too (models/data/real.ts DevelopmentSplit).
      'development-split': { type: 'string', default: 'train' },
    },
  });
  const split = values['development-split'];
  if (split !== 'train' && split !== 'all') throw new Error(`--development-split is train or all, not ${split}`);
  const [shard, shards] = values.shard.split('/').map(Number) as [number, number];
  const spec = loadModelSpec();
  const out = new SampleWriter(values.out);
  const t0 = performance.now();
  const count = Number(values.scenes);
  for (let i = 0; i < count; i++) {
    const seed = TRAIN_SEED_BASE + i;
    if (i % shards !== shard) continue;
    if (EVAL_SEEDS.includes(seed) || seed === 7) throw new Error(`seed ${seed} is an evaluation seed`);
    const o = trainingSceneOptions(seed);
    const scene = syntheticScene(o);
    const { width, height, planes } = scenePlanes(scene, spec);
    out.write({ kind: 'scene', source: 'synthetic', name: `seed-${seed}`, width, height, extra: { ...o } }, planes);
    if (out.count % 10 === 0) console.log(`[shard ${shard}] ${out.count} scenes, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const real: Record<string, number> = {};
  if (shard === shards - 1) {
    if (!fs.existsSync(values.real)) {
      console.log(`no real data at ${values.real}: training on synthetic scenes only`);
    } else {
      const tries: [string, () => number][] = [
        ['levir_cd', () => exportPairs(values.real, 'levir_cd', spec, out, split)],
        ['egy_bcd', () => exportPairs(values.real, 'egy_bcd', spec, out, split)],
        ['uav_dsm_vietnam', () => exportSurfaces(values.real, spec, out, split)],
        ['xbd', () => exportXbd(values.real, spec, out)],
        ['spacenet_sample', () => exportSpacenet(values.real, spec, out)],
      ];
      for (const [set, run] of tries) {
        if (!fs.existsSync(path.join(values.real, set))) {
          console.log(`real data: ${set} absent, skipped`);
          continue;
        }
        real[set] = run();
        console.log(`real data: ${set}: ${real[set]} samples`);
      }
    }
  }
  out.finish({ shard, shards, gsd_m: spec.gsd_m, channels: spec.channels, real, development_split: split, seconds: Math.round((performance.now() - t0) / 1000) });
  const file = path.join(values.out, 'index.json');
  fs.renameSync(file, path.join(values.out, `index-${shard}.json`));
  console.log(`[shard ${shard}] exported ${out.count} samples to ${values.out} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

main();
