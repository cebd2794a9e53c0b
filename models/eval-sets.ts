/**
 * Builds the held-out evaluation folders the model card's figures come from, outside the
 * project (default /tmp/lingwei-eval): real data as symbolic links, except the coarse copies,
 * which are derived GeoTIFFs (never inside the project either):
 *   scenes/seed-N     generated scenes, seeds 1..60 except 7 (never used in training), 200 m at
 *                     0.1 m, written through the generator's GeoTIFF writer like a real flight
 *   val-scenes/seed-N validation scenes, seeds 901..940 (for the threshold, never for figures)
 *   levir_cd_val/     LEVIR-CD val_* pairs (A/, B/, label/)
 *   egy_bcd_val/      EGY-BCD val_* pairs
 *   uav_holdout/      the quarter of uav_dsm_vietnam tiles held out of training
 *   coarse/           every LEVIR-CD and EGY-BCD pair as a coarser sensor would give it
 *                     (models/coarse-pairs.ts): levir_cd_1.5m, egy_bcd_1m, egy_bcd_1.5m, and
 *                     levir_cd_0.5m, egy_bcd_0.25m as they are, each GeoTIFF stating its
 *                     resolution; scored with npm run eval -- real --real /tmp/lingwei-eval/coarse
 *                     (their content is the development pairs': the image-pair network trained on it)
 *
 *   npx tsx models/eval-sets.ts [--out DIR] [--real DIR]
 * then e.g. npm run eval -- /tmp/lingwei-eval/scenes --json
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateScene } from '#fixtures/generator/scene.js';
import { writeScene } from '#fixtures/generator/write-scene.js';
import { coarsenPairFolder } from './coarse-pairs.js';
import { PAIR_GSD } from './data/real.js';
import { EVAL_SEEDS, pairHeldOut, uavHeldOut, VAL_SEEDS } from './data/splits.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function linkSubset(src: string, dst: string, subs: string[], keep: (stem: string) => boolean): number {
  let n = 0;
  for (const sub of subs) {
    fs.mkdirSync(path.join(dst, sub), { recursive: true });
    for (const f of fs.readdirSync(path.join(src, sub))) {
      const stem = f.replace(/\.[^.]+$/, '');
      if (!keep(stem)) continue;
      const target = path.join(dst, sub, f);
      if (!fs.existsSync(target)) fs.symlinkSync(path.join(src, sub, f), target);
      if (sub === subs[0]) n++;
    }
  }
  return n;
}

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/lingwei-eval' },
    real: { type: 'string', default: path.resolve(ROOT, '../shared/data/real') },
    size: { type: 'string', default: '200' },
  },
});
const out = values.out;
const scenes = [...EVAL_SEEDS.filter((s) => s !== 7).map((s) => ['scenes', s] as const), ...VAL_SEEDS.map((s) => ['val-scenes', s] as const)];
for (const [folder, seed] of scenes) {
  const dir = path.join(out, folder, `seed-${seed}`);
  if (fs.existsSync(path.join(dir, 'scene.json'))) continue;
  writeScene(generateScene({ seed, sizeM: Number(values.size), gsdM: 0.1 }), dir);
  console.log(`scene seed ${seed} written`);
}
if (fs.existsSync(values.real)) {
  const r = values.real;
  console.log(`levir_cd_val: ${linkSubset(path.join(r, 'levir_cd'), path.join(out, 'levir_cd_val'), ['A', 'B', 'label'], pairHeldOut)} pairs`);
  console.log(`egy_bcd_val: ${linkSubset(path.join(r, 'egy_bcd'), path.join(out, 'egy_bcd_val'), ['A', 'B', 'label'], pairHeldOut)} pairs`);
  console.log(`uav_holdout: ${linkSubset(path.join(r, 'uav_dsm_vietnam'), path.join(out, 'uav_holdout'), ['dsm', 'mask', 'mask_vec'], uavHeldOut)} tiles`);
  for (const [set, factors] of [['levir_cd', [1, 3]], ['egy_bcd', [1, 4, 6]]] as const) {
    for (const factor of factors) {
      const dir = path.join(out, 'coarse', `${set}_${PAIR_GSD[set]! * factor}m`);
      if (!fs.existsSync(dir)) console.log(`${path.relative(out, dir)}: ${coarsenPairFolder(path.join(r, set), dir, factor, PAIR_GSD[set]!)} pairs`);
    }
  }
} else {
  console.log(`no real data at ${values.real}: synthetic scenes only`);
}
