/**
 * A drone office made of generated scenes (issue 19, item 5, second part), end to end against the
 * real parts: the real fixture generator, database, Redis, worker, ONNX networks, PyTorch and
 * model store. Each scene (a village on ground of its own, flown in spring and autumn with
 * orthophotos and surface models) is loaded as the office's baseline, register, permits and zones,
 * and its two flights are taken in (a reference, then a patrol). Reviewers decide as the scene's
 * ground truth says: the changes the network missed are reported with their outlines, a candidate
 * lying mostly on a true change is verified, any other rejected as a false detection with a
 * reason. `npm run model -- adapt --from-db` exports the office's database (models/data/from-db.ts
 * exportFromDb: the surface-model layout, since the flights carry surface models), adapts on it
 * and scores both versions on the held-back blocks and on the patrol check (whole generated
 * validation scenes, scripts/model/adapt-patrol.ts). A version adapted hard on the same data gains
 * on the held-back blocks but loses on the patrols, and promotion refuses it saying by how much.
 *
 * The held-back blocks are scored as npm run eval scores surface-model tiles: a seeded 30% of each
 * block's buildings withheld from the baseline are the new structures to find, on the flight's
 * orthophoto and heights. That is not all a patrol asks of the network (an earlier flight, height
 * gains on standing buildings): a scene outside the office is scored with both versions as a patrol
 * and as such tiles, and the figures printed (see TRAIN). Skipped, saying so, without Debian's
 * python3-torch. Adaptation here is short (40 steps).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';
import { sceneOrigin } from '#fixtures/generator/scene.js';
import type { SurfaceOfficeManifest } from '#models/data/from-db.js';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { takeInFlight } from '#pipeline/flight-intake.js';
import { flightDone } from '#pipeline/flight-settled.js';
import { loadScene } from '#pipeline/import/load-scene.js';
import { loadModelSpec } from '#pipeline/model/model-spec.js';
import { servedDetectors } from '#pipeline/model/served-detectors.js';
import { readVersion, versionDir } from '#pipeline/model-store.js';
import { createFlightWorker } from '#pipeline/queue/flight-worker.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { deleteKeysUnder } from '#pipeline/queue/testing/redis-keys.js';
import { FLIGHT_STAGE_RUNNERS } from '#pipeline/stages/index.js';
import { tempDir } from '#pipeline/stages/testing/flight-files.js';
import { groupOf, hasTorch } from './adapt.js';
import { reviewWithTruth, type TrueChange } from './testing/truth-review.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);
const torch = hasTorch();
if (!torch) console.warn('scripts/model/from-db-office.test.ts: /usr/bin/python3 cannot import torch (Debian: apt-get install python3-torch): the generated-scene office is not built');

const pool = createTestPool();
const dir = tempDir('scene-office');
const store = path.join(dir, 'models');
const config: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'rasters'), queuePrefix: `lingwei-test-scene-office-${process.pid}` };
const connection = createRedisConnection(config.redisUrl);
const env = { ...process.env, DATABASE_URL: testDatabaseUrl(), MODEL_STORE: store, MODEL_VERSION: '', OMP_WAIT_POLICY: 'PASSIVE' };
/** Scenes of 200 m at 0.25 m (surface models at 0.5 m), in 50 m blocks: 16 per flight. */
const SCENE_M = 200;
const BLOCK = 50;
const SCENES = 3;
/**
 * Gentle: 80 steps at 0.001 (HARD) raise the held-back object F1 more (0.571 -> 0.833) but find
 * less of whole patrols (the patrol check 0.974 -> 0.600); 40 steps at 0.0002 give 0.571 -> 0.765
 * on the held-back blocks, 0.974 -> 0.961 on the patrol check and 1.000 -> 0.857 on scene 24 as a
 * patrol (0.923 -> 0.929 as tiles without an earlier flight). Measured with the fused main network
 * and BatchNorm statistics kept while adapting; re-estimated from these batches of 4, the gentle
 * version fell to 0.826 on the patrol check and was refused. (The from-scratch network before it:
 * 0.270 -> 0.533, patrol check 0.974 -> 0.949.)
 */
const TRAIN = ['--steps', '40', '--batch', '4', '--crop', '128', '--cache', '16', '--lr', '0.0002'];
/** Hard: the same data, 80 steps at 0.001 (see TRAIN). */
const HARD = ['--steps', '80', '--batch', '4', '--crop', '128', '--cache', '16', '--lr', '0.001'];

interface Scores { pixel: { f1: number }; object: { f1: number; tp: number; fp: number; fn: number } }
interface Answer {
  version: string; held_back: string[]; before: Scores & { layout: string }; after: Scores;
  patrol_check: { seeds: number[]; mode: string; margin: number; before: Scores; after: Scores };
}
const f = (s: Scores) => `object F1 ${s.object.f1.toFixed(3)} (${s.object.tp} tp, ${s.object.fp} fp, ${s.object.fn} fn), pixel F1 ${s.pixel.f1.toFixed(3)}`;

async function adaptOn(args: string[]): Promise<Answer> {
  try {
    const { stdout } = await exec('npx', ['tsx', 'scripts/model.ts', 'adapt', ...args, '--json', '--seed', '1', '--threads', '2'], { cwd: ROOT, env, timeout: 900_000, maxBuffer: 64 << 20 });
    const answer = JSON.parse(stdout) as Answer;
    console.log(`generated office: ${answer.version}: ${answer.held_back.length} held-back blocks: shipped ${f(answer.before)} -> ${f(answer.after)}; ` +
      `patrol check (scenes ${answer.patrol_check.seeds.join(', ')}, ${answer.patrol_check.mode}): shipped ${f(answer.patrol_check.before)} -> ${f(answer.patrol_check.after)}`);
    return answer;
  } catch (error) {
    throw new Error(`adapt failed: ${(error as { stderr?: string }).stderr ?? String(error)}`, { cause: error });
  }
}

/** Seeds whose scenes lie on ground of their own, a scene's width apart at least. */
function seedsApart(count: number): number[] {
  const seeds: number[] = [];
  for (let seed = 21; seeds.length < count; seed++) {
    const o = sceneOrigin(seed);
    const apart = seeds.every((s) => {
      const p = sceneOrigin(s);
      return Math.abs(p.easting - o.easting) >= 2 * SCENE_M || Math.abs(p.northing - o.northing) >= 2 * SCENE_M;
    });
    if (apart) seeds.push(seed);
  }
  return seeds;
}

/** The generator's scene, its register, permit and zone keys made the scene's own (each scene's start at REG-0001, Z-01). */
async function generate(seed: number): Promise<string> {
  const out = path.join(dir, `scene-${seed}`);
  await exec('npx', ['tsx', 'fixtures/generator/cli.ts', '--size', `${SCENE_M}m`, '--seed', String(seed), '--gsd', '0.25', '--out', out], { cwd: ROOT, maxBuffer: 16 << 20 });
  for (const [file, key] of [['register.geojson', 'register_id'], ['permits.geojson', 'permit_no'], ['zones.geojson', 'zone_id']] as const) {
    const doc = JSON.parse(fs.readFileSync(path.join(out, file), 'utf8')) as { features: Array<{ properties: Record<string, unknown> }> };
    for (const f of doc.features) f.properties[key] = `S${seed}-${String(f.properties[key])}`;
    fs.writeFileSync(path.join(out, file), JSON.stringify(doc));
  }
  return out;
}

async function fly(scene: string, which: 'before' | 'after'): Promise<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(scene, 'scene.json'), 'utf8')) as { dates: Record<string, string>; flight_time_local: Record<string, string> };
  const { flightId } = await takeInFlight(pool, config, {
    orthophoto: path.join(scene, `${which}_ortho.tif`),
    surfaceModel: path.join(scene, `${which}_dsm.tif`),
    capturedAt: `${manifest.dates[which]}T${manifest.flight_time_local[which]}:00+08:00`,
    purpose: which === 'before' ? 'reference' : 'patrol',
  });
  await flightDone(pool, flightId, { timeoutMs: 180_000 });
  return flightId;
}

/** The scene's ground truth, as the reviewer reports it. */
function trueChanges(scene: string): TrueChange[] {
  const truth = (JSON.parse(fs.readFileSync(path.join(scene, 'ground_truth.geojson'), 'utf8')) as { features: Array<{ geometry: unknown; properties: { change_type: string } }> }).features;
  return truth.map((t) => ({ geometry: JSON.stringify(t.geometry), changeType: t.properties.change_type as 'new_structure' }));
}

afterAll(async () => {
  await deleteKeysUnder(connection, config.queuePrefix);
  connection.disconnect();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!torch)('a drone office made of generated scenes', () => {
  const seeds = seedsApart(SCENES);
  const exported = path.join(store, 'versions', 'scenes-1', 'office-data');
  let manifest: SurfaceOfficeManifest;
  let adapted: Answer;

  beforeAll(async () => {
    await emptyTables(pool);
    const reviewer = await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: 'x' });
    const scenes = await Promise.all(seeds.map(generate));
    const detectors = servedDetectors({ threads: 2 });
    const worker = createFlightWorker({ pool, connection, config, stages: FLIGHT_STAGE_RUNNERS, detectors });
    const totals = { reported: 0, verified: 0, rejected: 0 };
    try {
      for (const [i, scene] of scenes.entries()) {
        await loadScene(pool, scene, `scene-${seeds[i]}`);
        await fly(scene, 'before');
        const counts = await reviewWithTruth(pool, await fly(scene, 'after'), trueChanges(scene), reviewer);
        for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counts[key];
      }
    } finally {
      await worker.close();
      await detectors.close();
    }
    // The office's area: every scene (each scene's admin areas share the generator's codes).
    const corners = seeds.map(sceneOrigin);
    await pool.query(`INSERT INTO admin_area (code, level, name, geom) VALUES ('GEN01', 'street', '生成镇', ST_Multi(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4549), 4326)))`,
      [Math.min(...corners.map((c) => c.easting)) - 100, Math.min(...corners.map((c) => c.northing)) - 100, Math.max(...corners.map((c) => c.easting)) + SCENE_M + 100, Math.max(...corners.map((c) => c.northing)) + SCENE_M + 100]);
    adapted = await adaptOn(['--from-db', '--area', 'GEN01', '--since', '2026-01-01', '--block', String(BLOCK), '--name', 'scenes-1', ...TRAIN]);
    manifest = JSON.parse(fs.readFileSync(path.join(exported, 'office.json'), 'utf8')) as SurfaceOfficeManifest;
    console.log(`generated office: ${SCENES} scenes (seeds ${seeds.join(', ')}); reviews simulated: ${totals.reported} true changes reported, ${totals.verified} verified, ${totals.rejected} rejected; ${manifest.samples.length} blocks exported, ${manifest.skipped.length} left out`);
  }, 1_500_000);

  it('adapt --from-db exports every scene\'s flights as surface-model tiles with the reviewed structures', () => {
    expect(manifest.layout).toBe('surface');
    expect(readVersion(store, adapted.version).from_db).toMatchObject({ area: 'GEN01', since: '2026-01-01' });
    expect(manifest.flights).toHaveLength(2 * SCENES);
    expect(new Set(manifest.samples.map((s) => s.flight)).size).toBe(2 * SCENES);
    expect(manifest.samples.flatMap((s) => s.buildings.reviewed).length).toBeGreaterThan(0);
  });

  it('adapts the main network on it, which serves the office\'s patrols against an earlier flight, and scores both versions on whole held-back blocks by it alone', () => {
    const record = readVersion(store, adapted.version);
    expect(record).toMatchObject({ network: 'main', layout: 'surface', metric: 'object_f1' });
    // The main network's calibration map refitted for the version's own file on the adapted-on blocks.
    const spec = loadModelSpec(path.join(store, 'versions', adapted.version, 'change-detector.json'));
    const own = createHash('sha256').update(fs.readFileSync(path.join(versionDir(store, adapted.version), 'change-detector.onnx'))).digest('hex');
    expect(spec.calibration?.main).toMatchObject({ onnx: 'change-detector.onnx', onnx_sha256: own, data: ['adapted-on files'] });
    console.log(`generated office: ${adapted.version}'s main calibration refitted on ${String(spec.calibration?.main?.objects)} objects (${String(spec.calibration?.main?.true_changes)} true, ${String(spec.calibration?.main?.method)})`);
    expect(adapted.before.layout).toBe('surface');
    expect(adapted.held_back.length).toBeGreaterThanOrEqual(Math.ceil(manifest.samples.length / 3));
    const held = new Set(adapted.held_back.map(groupOf));
    expect(record.trained_on.some((name) => held.has(groupOf(name)))).toBe(false);
    // Scored on truth: the held-back blocks hold withheld buildings to find.
    expect(adapted.before.object.tp + adapted.before.object.fn).toBeGreaterThan(0);
    // The target for surface models: at least 0.15 object F1 over the shipped version
    // (measured: 0.571 -> 0.765 on 23 held-back blocks of seeds 21-23).
    expect(adapted.after.object.f1 - adapted.before.object.f1).toBeGreaterThanOrEqual(0.15);
  });

  it('refuses a version adapted hard on the same blocks: it gains on them but loses on the patrol check, and promotion says by how much', async () => {
    const hard = await adaptOn(['--folders', exported, '--name', 'scenes-hard', ...HARD]);
    const check = readVersion(store, hard.version).patrol_check!;
    expect(check).toMatchObject({ seeds: [901, 902, 903], mode: 'drone', margin: 0.05 });
    expect(hard.patrol_check.after.object.f1).toBe(check.after.object.f1);
    expect(hard.after.object.f1).toBeGreaterThan(hard.before.object.f1);
    const fall = check.before.object.f1 - check.after.object.f1;
    expect(fall).toBeGreaterThan(check.margin);
    const refused = await exec('npx', ['tsx', 'scripts/model.ts', 'promote', hard.version], { cwd: ROOT, env }).catch((error: { stderr: string; code: number }) => error);
    expect('code' in refused && refused.code).toBe(1);
    expect((refused as { stderr: string }).stderr).toContain(`refused: scenes-hard scores object F1 ${check.after.object.f1.toFixed(3)} on its patrol check (3 generated validation scenes, mode drone), ${fall.toFixed(3)} below shipped`);
  }, 900_000);

  it('is promoted, and the next drone flight is detected with it and records it; a scene of its own is scored with both versions; another version is compared with it by the main network alone', async () => {
    const promoted = await exec('npx', ['tsx', 'scripts/model.ts', 'promote', adapted.version], { cwd: ROOT, env });
    expect(promoted.stdout).toMatch(new RegExp(`^promoted ${adapted.version} in place of shipped: object F1 .*; object F1 [0-9.]+ on its patrol check \\(3 generated validation scenes, mode drone\\)`));
    const [seed] = seedsApart(SCENES + 1).slice(-1);
    const scene = await generate(seed!);
    // The whole scene by npm run eval's code: as a patrol brings it (earlier orthophoto and heights),
    // and as the tiles the version was adapted and scored on (no earlier flight, the main network
    // alone: served as they come, first patrols go to the surface network, which was not adapted).
    for (const mode of ['drone', 'drone_no_before']) {
      const scores: Record<string, Scores> = {};
      for (const model of ['shipped', adapted.version]) {
        const { stdout } = await exec('npx', ['tsx', 'scripts/eval.ts', scene, '--json', '--mode', mode, '--model', model, '--main-alone'], { cwd: ROOT, env, maxBuffer: 64 << 20 });
        scores[model] = JSON.parse(stdout) as Scores;
      }
      console.log(`generated office: scene ${seed} (not in the office), mode ${mode}: shipped ${f(scores.shipped!)}; ${adapted.version} ${f(scores[adapted.version]!)}`);
    }
    const detectors = servedDetectors({ threads: 2 });
    const worker = createFlightWorker({ pool, connection, config, stages: FLIGHT_STAGE_RUNNERS, detectors });
    const saved = { store: process.env.MODEL_STORE, version: process.env.MODEL_VERSION };
    process.env.MODEL_STORE = store;
    delete process.env.MODEL_VERSION; // the worker serves the promoted version, as in an office
    try {
      await loadScene(pool, scene, `scene-${seed}`);
      await fly(scene, 'before');
      const patrol = await fly(scene, 'after');
      const { rows } = await pool.query<{ model_version: string }>(`SELECT model_version FROM detection_run WHERE flight_id = $1`, [patrol]);
      expect(rows).toEqual([{ model_version: adapted.version }]);
      const raised = await pool.query<{ model_version: string }>(`SELECT DISTINCT model_version FROM candidate WHERE first_flight_id = $1`, [patrol]);
      expect(raised.rows.every((r) => r.model_version === adapted.version)).toBe(true);
    } finally {
      for (const [k, v] of [['MODEL_STORE', saved.store], ['MODEL_VERSION', saved.version]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await worker.close();
      await detectors.close();
    }
    // Promoting another version adapted on the same blocks compares it with the one serving now
    // on its held-back blocks as adapt scored them: by the main network alone, not by the
    // surface network that would serve them as first patrols.
    const hard = readVersion(store, 'scenes-hard');
    expect(hard.held_back).toEqual(adapted.held_back);
    const other = await exec('npx', ['tsx', 'scripts/model.ts', 'promote', 'scenes-hard', '--json'], { cwd: ROOT, env }).catch((error: { stdout: string; code: number }) => error);
    const answer = JSON.parse(other.stdout) as { promoted: boolean; replaced: string; current: number };
    expect(answer).toMatchObject({ promoted: false, replaced: adapted.version });
    expect(answer.current).toBeCloseTo(adapted.after.object.f1, 6);
  }, 600_000);
});
