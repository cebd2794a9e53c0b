/**
 * The patrol check of an adapted version (issue 19): the base and the adapted version scored on a
 * few whole generated validation scenes, in the mode the adapted network serves, beside the
 * held-back share. The held-back share asks less than a patrol does (surface-model tiles have no
 * earlier flight and only whole withheld buildings are new): adapting the main network on a
 * generated office raised held-back object F1 0.270 -> 0.889 while a whole patrol fell 1.000 ->
 * 0.609, which the held-back figure did not show. Promotion refuses a version whose patrol figure
 * falls by more than PATROL_MARGIN (pipeline/src/model-versions.ts).
 *
 * The scenes are validation seeds (models/data/splits.ts VAL_SEEDS: never trained on, never the
 * evaluation's), 200 m at 0.1 m as models/eval-sets.ts writes them, generated once into
 * PATROL_CACHE and read from there afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateScene } from '#fixtures/generator/scene.js';
import { writeScene } from '#fixtures/generator/write-scene.js';
import { VAL_SEEDS } from '#models/data/splits.js';
import { ChangeDetector, type Network } from '#pipeline/model/change-detector.js';
import { PATROL_MARGIN, type EvalJson, type PatrolCheck } from '#pipeline/model-store.js';
import { evaluateScenes, type SceneMode } from '../eval/evaluate.js';
import { toJson } from '../eval/report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the patrol scenes are generated once (git-ignored, as the rebuilt checkpoints). */
export const PATROL_CACHE = path.join(ROOT, 'models/.cache/patrol-scenes');
/** Three validation scenes: about 4 s each per version on 2 CPU threads. */
export const PATROL_SEEDS = VAL_SEEDS.slice(0, 3);
const SCENE_M = 200;
const SCENE_GSD_M = 0.1;

/**
 * The scene mode each network serves: drone flights (orthophotos and surface models, with the
 * earlier flight), surface models alone (the surface network serves first patrols too, with their
 * orthophoto set aside: the same input as `dsm`), aerial tiles with a baseline, bare image pairs.
 */
export const PATROL_MODE: Record<Network, SceneMode> = { main: 'drone', surface_only: 'dsm', aerial: 'rgb', pair: 'rgb_pair' };

/**
 * The folder of the patrol scenes (seed-N sub-folders), generating those not there yet. A scene is
 * written beside its place and renamed into it, so two adaptations at once never read half a scene.
 */
export function patrolScenes(cache = PATROL_CACHE, seeds: readonly number[] = PATROL_SEEDS, log: (line: string) => void = () => undefined): string {
  const dir = path.join(cache, `val-${seeds.join('-')}`);
  for (const seed of seeds) {
    const place = path.join(dir, `seed-${seed}`);
    if (fs.existsSync(path.join(place, 'scene.json'))) continue;
    log(`generating the patrol check's validation scene ${seed} (${SCENE_M} m at ${SCENE_GSD_M} m, once) into ${place}`);
    const tmp = `${place}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    writeScene(generateScene({ seed, sizeM: SCENE_M, gsdM: SCENE_GSD_M }), tmp);
    try {
      fs.renameSync(tmp, place);
    } catch (error) {
      // Another adaptation wrote it first: the same seed gives the same scene.
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(path.join(place, 'scene.json'))) throw error;
    }
  }
  return dir;
}

/** The evaluation's figures of a version on the patrol scenes, without the per-scene items. */
export async function scorePatrols(dir: string, mode: SceneMode, specPath: string, threads: number): Promise<EvalJson> {
  const detector = await ChangeDetector.load({ specPath, threads });
  try {
    const { items: _items, ...figures } = JSON.parse(toJson(await evaluateScenes(dir, detector, { mode }), { dir })) as EvalJson;
    return figures;
  } finally {
    await detector.close();
  }
}

/** The base's and the adapted version's figures on the patrol scenes, as the version records them. */
export async function patrolCheck(
  o: { network: Network; baseSpec: string; versionSpec: string; threads: number; cache?: string; log?: (line: string) => void },
): Promise<PatrolCheck> {
  const mode = PATROL_MODE[o.network];
  const folder = patrolScenes(o.cache, PATROL_SEEDS, o.log);
  const before = await scorePatrols(folder, mode, o.baseSpec, o.threads);
  const after = await scorePatrols(folder, mode, o.versionSpec, o.threads);
  return { seeds: [...PATROL_SEEDS], mode, folder, metric: 'object_f1', margin: PATROL_MARGIN, before, after };
}
