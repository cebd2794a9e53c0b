/**
 * An office made of real imagery (issue 19, item 5), end to end against the real parts: the real
 * database, Redis, worker, ONNX networks, PyTorch and model store. DSIFN's development pairs (real
 * images the shipped networks were never trained on) are taken in as flights, each pair a
 * reference flight and a patrol over its own ground, and the patrols' candidates are reviewed as
 * a reviewer would from the ground truth: the changes the network missed are reported, what lies
 * mostly on a real change is verified, the rest rejected as false detections. Then `npm run model -- adapt --from-db` adapts on the office's database; the adapted
 * version scores better than the shipped one on the held-back blocks, is promoted, and the next
 * flight is detected with it and records it; a version that scores worse is refused.
 *
 * DSIFN labels every land-cover change, not buildings alone: what the office teaches is its own
 * definition of change, which is the point. The pairs carry no resolution; they are placed at the
 * model's 0.5 m (each 128 m square, four blocks of 64 m), on ground of its own in Qingpu's CRS;
 * the reference flights are taken in as references (compared with, not searched).
 *
 * The surface-model development tiles (uav_dsm_vietnam) make an office of folders instead: they
 * hold heights alone, which the surface-model network serves (adapt-office-surface.test.ts).
 *
 * Skipped, saying so, without ../shared/data/real/dsifn or Debian's python3-torch. Adaptation here
 * takes adapt's 400 steps of 8 crops, over 64 cached crops instead of 256 to stay quick: 80 steps of 4
 * were enough for the image-pair network trained on the train split (0.248 -> 0.528), not for the
 * one trained on every development pair (0.271 -> 0.417, under the target; 0.536 with 400).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { takeInFlight } from '#pipeline/flight-intake.js';
import { flightDone } from '#pipeline/flight-settled.js';
import { servedDetectors } from '#pipeline/model/served-detectors.js';
import { createFlightWorker } from '#pipeline/queue/flight-worker.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { deleteKeysUnder } from '#pipeline/queue/testing/redis-keys.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { FLIGHT_STAGE_RUNNERS } from '#pipeline/stages/index.js';
import { tempDir } from '#pipeline/stages/testing/flight-files.js';
import { changeMask, listPairs } from '../eval/pairs.js';
import { readRaster } from '../eval/read-raster.js';
import { hasTorch } from './adapt.js';
import { reviewWithTruth } from './testing/truth-review.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DSIFN = path.resolve(ROOT, '..', 'shared', 'data', 'real', 'dsifn');
const exec = promisify(execFile);
const torch = hasTorch();
const present = fs.existsSync(path.join(DSIFN, 'label'));
if (!present) console.warn(`scripts/model/office.test.ts: no ${DSIFN} (the shared real data beside the repository): the real-data office is not built`);
else if (!torch) console.warn('scripts/model/office.test.ts: /usr/bin/python3 cannot import torch (Debian: apt-get install python3-torch): the real-data office is not built');

const pool = createTestPool();
const dir = tempDir('real-office');
const store = path.join(dir, 'models');
const config: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'rasters'), queuePrefix: `lingwei-test-real-office-${process.pid}` };
const connection = createRedisConnection(config.redisUrl);
const env = { ...process.env, DATABASE_URL: testDatabaseUrl(), MODEL_STORE: store, MODEL_VERSION: '', OMP_WAIT_POLICY: 'PASSIVE' };
const saved = { store: process.env.MODEL_STORE, version: process.env.MODEL_VERSION };
const GSD = 0.5;
/** Each pair on its own ground, 8 blocks of 128 m apart, on the block lattice (EPSG:4549). */
const origin = (k: number) => ({ x: 4700 * 128 + k * 8 * 128, y: 26_920 * 128 });
const TRAIN = ['--steps', '400', '--batch', '8', '--crop', '128', '--cache', '64', '--lr', '0.001'];

interface Scores { pixel: { f1: number } }
interface Answer {
  version: string; held_back: string[]; before: Scores; after: Scores;
  patrol_check: { mode: string; margin: number; before: { object: { f1: number; tp: number; fp: number; fn: number } }; after: { object: { f1: number; tp: number; fp: number; fn: number } } };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await exec('npx', ['tsx', 'scripts/model.ts', ...args], { cwd: ROOT, env, timeout: 500_000, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

/** A DSIFN image as a GeoTIFF flight at `k`'s ground. */
function writeFlight(image: string, k: number, file: string): string {
  const r = readRaster(image);
  const { x, y } = origin(k);
  writeGeoTiff(file, { width: r.grid.width, height: r.grid.height, bands: r.bands.slice(0, 3), geoTransform: [x, GSD, 0, y, 0, -GSD], srs: 4549 });
  return file;
}

async function fly(orthophoto: string, capturedAt: string, purpose: 'patrol' | 'reference'): Promise<string> {
  const { flightId } = await takeInFlight(pool, config, { orthophoto, capturedAt, purpose });
  await flightDone(pool, flightId, { timeoutMs: 120_000 });
  return flightId;
}

/** The label's changed pixels as rectangles of runs, joined into outlines in PostGIS (lon/lat GeoJSON, one per patch of 20 m² or more). */
async function truthOutlines(label: string, k: number): Promise<string[]> {
  const mask = changeMask(readRaster(label));
  const width = Math.round(Math.sqrt(mask.length));
  const { x, y } = origin(k);
  const boxes: number[][] = [];
  for (let r = 0; r < width; r++) {
    for (let c = 0; c < width; c++) {
      if (!mask[r * width + c]) continue;
      const start = c;
      while (c + 1 < width && mask[r * width + c + 1]) c++;
      boxes.push([x + start * GSD, y - (r + 1) * GSD, x + (c + 1) * GSD, y - r * GSD]);
    }
  }
  if (!boxes.length) return [];
  const { rows } = await pool.query<{ g: string }>(
    `WITH b AS (SELECT ST_MakeEnvelope(x0, y0, x1, y1, 4549) AS g FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[]) AS t (x0, y0, x1, y1)),
          parts AS (SELECT (ST_Dump(ST_Union(g))).geom AS g FROM b)
     SELECT ST_AsGeoJSON(ST_Transform(g, 4326), 9) AS g FROM parts WHERE ST_Area(g) >= 20 ORDER BY ST_XMin(g), ST_YMax(g) DESC`,
    [boxes.map((b) => b[0]), boxes.map((b) => b[1]), boxes.map((b) => b[2]), boxes.map((b) => b[3])],
  );
  return rows.map((r) => r.g);
}

const pairs = present ? listPairs(DSIFN) : [];
const office = pairs.slice(0, -1);
const next = pairs.at(-1);
let adapted: Answer;
let worse: Answer;

beforeAll(async () => {
  process.env.MODEL_STORE = store;
  delete process.env.MODEL_VERSION; // the worker serves the promoted version, as in an office
});
afterAll(async () => {
  for (const [k, v] of [['MODEL_STORE', saved.store], ['MODEL_VERSION', saved.version]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await deleteKeysUnder(connection, config.queuePrefix);
  connection.disconnect();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!present || !torch)('an office made of real imagery', () => {
  beforeAll(async () => {
    await emptyTables(pool);
    const west = origin(0);
    await pool.query(`INSERT INTO admin_area (code, level, name, geom) VALUES ('DS01', 'street', 'DSIFN 镇', ST_Multi(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4549), 4326)))`,
      [west.x - 500, west.y - 1000, origin(pairs.length).x + 500, west.y + 500]);
    const reviewer = await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: 'x' });
    const detectors = servedDetectors({ threads: 2 });
    const worker = createFlightWorker({ pool, connection, config, stages: FLIGHT_STAGE_RUNNERS, detectors });
    const totals = { reported: 0, verified: 0, rejected: 0 };
    try {
      for (const [k, pair] of office.entries()) {
        await fly(writeFlight(pair.before, k, path.join(dir, `ref-${k}.tif`)), '2026-09-01T10:00:00+08:00', 'reference');
        const patrol = await fly(writeFlight(pair.after, k, path.join(dir, `patrol-${k}.tif`)), '2026-10-01T10:00:00+08:00', 'patrol');
        const counts = await reviewWithTruth(pool, patrol, (await truthOutlines(pair.label, k)).map((geometry) => ({ geometry, changeType: 'new_structure' as const })), reviewer);
        for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counts[key];
      }
    } finally {
      await worker.close();
      await detectors.close();
    }
    console.log(`real office: ${office.length} DSIFN pairs as flights; reviews simulated: ${totals.reported} missed changes reported, ${totals.verified} verified, ${totals.rejected} rejected`);
    const first = await cli(['adapt', '--from-db', '--area', 'DS01', '--since', '2026-09-01', '--block', '64', '--json', '--name', 'office-1', '--seed', '1', ...TRAIN]);
    if (first.code !== 0) throw new Error(`adapt failed: ${first.err}`);
    adapted = JSON.parse(first.out) as Answer;
    // Worse for sure: the shipped network barely moved (one step), scored where office-1 learnt.
    const second = await cli(['adapt', '--from-db', '--area', 'DS01', '--since', '2026-09-01', '--block', '64', '--json', '--name', 'office-worse', '--seed', '1', '--from', 'shipped', '--steps', '1', '--batch', '2', '--crop', '64', '--cache', '2']);
    if (second.code !== 0) throw new Error(`adapt failed: ${second.err}`);
    worse = JSON.parse(second.out) as Answer;
    console.log(`real office: pixel F1 on ${adapted.held_back.length} held-back blocks: shipped ${adapted.before.pixel.f1.toFixed(3)} -> office-1 ${adapted.after.pixel.f1.toFixed(3)}; office-worse ${worse.after.pixel.f1.toFixed(3)}`);
  }, 1_500_000);

  it('adapts on the office\'s database and scores better than the shipped networks on the held-back blocks', () => {
    expect(adapted.held_back.length).toBeGreaterThanOrEqual(Math.ceil((office.length * 4) / 3));
    // the target for real sets: at least 0.15 pixel F1 over the shipped version (measured: 0.271 -> 0.536, BatchNorm statistics kept while adapting; 0.545 re-estimated)
    expect(adapted.after.pixel.f1 - adapted.before.pixel.f1).toBeGreaterThanOrEqual(0.15);
    expect(worse.held_back).toEqual(adapted.held_back);
  });

  it('promotes the better version (by force where its patrol check refuses it), refuses the worse one with by how much, and the next flight is detected with the promoted one and records it', async () => {
    // The patrol check (whole generated scenes as bare pairs): DSIFN labels every land-cover change,
    // and a version that learnt that definition may find worse on patrols; then it is refused, saying
    // by how much, and promoted by force.
    const p = adapted.patrol_check;
    const fall = p.before.object.f1 - p.after.object.f1;
    const counts = (o: { f1: number; tp: number; fp: number; fn: number }) => `${o.f1.toFixed(3)} (${o.tp} tp, ${o.fp} fp, ${o.fn} fn)`;
    console.log(`real office: patrol check (mode ${p.mode}): shipped object F1 ${counts(p.before.object)} -> office-1 ${counts(p.after.object)}`);
    expect(p.mode).toBe('rgb_pair');
    const promoted = await cli(['promote', 'office-1']);
    if (fall > p.margin) {
      expect(promoted).toMatchObject({ code: 1, err: expect.stringContaining(`refused: office-1 scores object F1 ${p.after.object.f1.toFixed(3)} on its patrol check (3 generated validation scenes, mode rgb_pair), ${fall.toFixed(3)} below shipped`) });
      expect(await cli(['promote', 'office-1', '--force'])).toMatchObject({ code: 0, out: expect.stringMatching(/^promoted office-1 by force in place of shipped: office-1 scores object F1 .* on its patrol check/) });
    } else {
      expect(promoted).toMatchObject({ code: 0, out: expect.stringMatching(/^promoted office-1 in place of shipped: pixel F1 .*; object F1 .* on its patrol check/) });
    }
    const refused = await cli(['promote', 'office-worse']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`refused: office-worse scores pixel F1 ${worse.after.pixel.f1.toFixed(3)} .*below office-1, which serves now`));
    expect(JSON.parse((await cli(['list', '--json'])).out)).toMatchObject({ served: 'office-1' });

    const k = office.length;
    const detectors = servedDetectors({ threads: 2 });
    const worker = createFlightWorker({ pool, connection, config, stages: FLIGHT_STAGE_RUNNERS, detectors });
    try {
      await fly(writeFlight(next!.before, k, path.join(dir, `ref-${k}.tif`)), '2026-11-01T10:00:00+08:00', 'reference');
      const patrol = await fly(writeFlight(next!.after, k, path.join(dir, `patrol-${k}.tif`)), '2026-12-01T10:00:00+08:00', 'patrol');
      const { rows } = await pool.query<{ model_version: string }>(`SELECT model_version FROM detection_run WHERE flight_id = $1`, [patrol]);
      expect(rows).toEqual([{ model_version: 'office-1' }]);
      const raised = await pool.query<{ model_version: string }>(`SELECT DISTINCT model_version FROM candidate WHERE first_flight_id = $1`, [patrol]);
      expect(raised.rows.every((r) => r.model_version === 'office-1')).toBe(true);
    } finally {
      await worker.close();
      await detectors.close();
    }
  }, 300_000);
});
