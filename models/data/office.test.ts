/**
 * The office's training data from its own database (issue 19, --from-db) against the real
 * database, real flights through the real worker (ingest, COGs, earlier-flight matching) and real
 * GeoTIFFs: a reference flight, then a patrol that shows a new roof; reviewers verified it,
 * rejected a false alarm (a tree) and a permitted shed (real, only legal), left one candidate
 * undecided, and the patrol confirmed a
 * demolition. The export labels the verified outline and the demolition as change and the rejected
 * outline as no change with its reason, leaves out the undecided block and the blocks the flights
 * do not both cover, keeps the baseline's and the register's buildings, writes the
 * same bytes twice, and the held-back share is whole blocks. Where Debian's python3-torch is
 * there, `npm run model -- adapt --from-db` adapts on it and `npm run eval` scores the stored
 * version on its held-back blocks as adapt did.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewCandidate } from '#api/review/review-candidate.js';
import { inTransaction } from '#db/connection.js';
import { raiseCandidate } from '#db/sql/candidates.js';
import { getFlight, latestDetectionRun } from '#db/sql/flights.js';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { takeInFlight } from '#pipeline/flight-intake.js';
import { loadModelSpec } from '#pipeline/model/model-spec.js';
import { servedDetectors } from '#pipeline/model/served-detectors.js';
import { createFlightWorker } from '#pipeline/queue/flight-worker.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { deleteKeysUnder } from '#pipeline/queue/testing/redis-keys.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { FLIGHT_STAGE_RUNNERS } from '#pipeline/stages/index.js';
import { tempDir } from '#pipeline/stages/testing/flight-files.js';
import { readRaster } from '#scripts/eval/read-raster.js';
import { listPairs } from '#scripts/eval/pairs.js';
import { adapt, chooseHeldBack, groupOf, hasTorch } from '#scripts/model/adapt.js';
import { exportOfficeData, HARD_NEGATIVE_WEIGHT, type OfficeManifest } from './office.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);
const torch = hasTorch();
const pool = createTestPool();
const dir = tempDir('office-data');
const config: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'rasters'), queuePrefix: `lingwei-test-office-data-${process.pid}` };
const connection = createRedisConnection(config.redisUrl);
const spec = loadModelSpec();
const BLOCK = 64;
const SIZE = 512; // pixels at 0.5 m: 256 m, 4 x 4 blocks of 64 m with the edges cut
const WEST = 604_900;
const NORTH = 3_446_300;
/** Boxes in EPSG:4549 (metres): the new roof, the tree rejected as a false alarm, an undecided candidate, a baseline building. */
const ROOF = [604_940, 3_446_230, 604_960, 3_446_250] as const; // block b9452-53847
const TREE = [605_000, 3_446_230, 605_010, 3_446_240] as const; // block b9453-53847
const UNDECIDED = [605_070, 3_446_230, 605_080, 3_446_240] as const; // block b9454-53847
const HOUSE = [604_940, 3_446_160, 604_955, 3_446_175] as const; // block b9452-53846
const SHED = [604_970, 3_446_160, 604_980, 3_446_170] as const; // a register entry, block b9452-53846
const RAZED = [605_000, 3_446_160, 605_010, 3_446_170] as const; // a demolition the patrol confirmed, block b9453-53846
const PERMITTED = [605_070, 3_446_160, 605_080, 3_446_170] as const; // rejected as permitted construction, block b9454-53846
const flights: string[] = [];
const ids: Record<'roof' | 'tree' | 'undecided' | 'razed' | 'permitted', string> = { roof: '', tree: '', undecided: '', razed: '', permitted: '' };

/** A field texture at 0.5 m; with `roof`, a bright roof inside that box. */
function writeFlight(file: string, roof?: readonly [number, number, number, number]): string {
  const bands = [0, 1, 2].map((b) => Uint8Array.from({ length: SIZE * SIZE }, (_, i) => {
    const r = Math.floor(i / SIZE);
    const c = i % SIZE;
    const x = WEST + (c + 0.5) * 0.5;
    const y = NORTH - (r + 0.5) * 0.5;
    if (roof && x > roof[0] && x < roof[2] && y > roof[1] && y < roof[3]) return [225, 220, 215][b]!;
    return 60 + ((r * 7 + c * 3 + b * 40) % 90);
  }));
  writeGeoTiff(file, { width: SIZE, height: SIZE, bands, geoTransform: [WEST, 0.5, 0, NORTH, 0, -0.5], srs: 4549 });
  return file;
}

const lonLat = async (box: readonly number[]) =>
  (await pool.query<{ g: string }>(`SELECT ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4549), 4326), 9) AS g`, [...box])).rows[0]!.g;

beforeAll(async () => {
  await emptyTables(pool);
  await pool.query(`INSERT INTO admin_area (code, level, name, geom) VALUES ('QP01', 'street', '练塘镇', ST_Multi(ST_Transform(ST_MakeEnvelope(604500, 3445800, 605600, 3446700, 4549), 4326)))`);
  await pool.query(`INSERT INTO baseline_building (source, source_key, footprint, height_m, survey_date, area_m2)
                    VALUES ('survey', 'h1', ST_Multi(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4549), 4326)), 6, '2026-01-01', 225)`, [...HOUSE]);
  const detectors = servedDetectors({ threads: 1 });
  const worker = createFlightWorker({ pool, connection, config, stages: FLIGHT_STAGE_RUNNERS, detectors });
  try {
    for (const [k, roof] of [[1, undefined], [2, ROOF]] as const) {
      const { flightId } = await takeInFlight(pool, config, { orthophoto: writeFlight(path.join(dir, `flight-${k}.tif`), roof), capturedAt: `2026-10-${k === 1 ? 15 : 22}T10:00:00+08:00` });
      for (let waited = 0; (await getFlight(pool, flightId))?.status !== 'done'; waited += 250) {
        if (waited > 90_000 || (await getFlight(pool, flightId))?.status === 'failed') throw new Error(`flight ${flightId} did not finish: ${JSON.stringify(await getFlight(pool, flightId))}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      flights.push(flightId);
    }
  } finally {
    await worker.close();
    await detectors.close();
  }
  // What the patrol raised (whatever the network found is replaced by these three) and what reviewers decided.
  await pool.query(`TRUNCATE candidate, candidate_observation, review_event, demolition_schedule CASCADE`);
  const run = (await latestDetectionRun(pool, flights[1]!))!.id;
  const change = { changeType: 'new_structure', status: 'pending', priority: 40, triage: {}, heightGainM: null, score: 0.9, evidenceBefore: null, evidenceAfter: null } as const;
  for (const [key, box] of [['roof', ROOF], ['tree', TREE], ['undecided', UNDECIDED], ['permitted', PERMITTED]] as const) {
    ids[key] = (await inTransaction(pool, async (c) => raiseCandidate(c, flights[1]!, run, { ...change, geometry: await lonLat(box) }))).candidateId;
  }
  const reviewer = await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: 'x' });
  await pool.query(`INSERT INTO register_entry (external_id, footprint, area_m2) VALUES ('R-1', ST_Multi(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4549), 4326)), 100)`, [...SHED]);
  // A structure raised by an earlier patrol, demolished, and confirmed gone by this one.
  const { rows: razed } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, status, area_m2, first_flight_id, last_flight_id)
     VALUES (ST_Multi(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4549), 4326)), 'new_structure', 'demolition_confirmed', 100, $5, $5) RETURNING id::text`,
    [...RAZED, flights[0]]);
  ids.razed = razed[0]!.id;
  await pool.query(`INSERT INTO demolition_schedule (candidate_id, scheduled_for, team, status, confirmation, confirmed_by_flight_id)
                    VALUES ($1, '2026-10-18', '一队', 'done', 'confirmed', $2)`, [ids.razed, flights[1]]);
  for (const [id, request] of [
    [ids.roof, { action: 'verify', version: 1 }],
    [ids.tree, { action: 'reject', version: 1, reasonCode: 'not_a_structure', reasonText: 'a tree' }],
    [ids.permitted, { action: 'reject', version: 1, reasonCode: 'permitted_construction', reasonText: 'permit 2026-17' }],
  ] as const) {
    const outcome = await reviewCandidate(pool, id, reviewer, request);
    if (outcome.outcome !== 'ok') throw new Error(`review of ${id}: ${JSON.stringify(outcome)}`);
  }
}, 240_000);

afterAll(async () => {
  await deleteKeysUnder(connection, config.queuePrefix);
  connection.disconnect();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

const digestOf = (root: string) =>
  Object.fromEntries(['A', 'B', 'label', 'buildings', 'weight'].flatMap((sub) => fs.readdirSync(path.join(root, sub)).sort()
    .map((f) => [`${sub}/${f}`, createHash('sha256').update(fs.readFileSync(path.join(root, sub, f))).digest('hex')])));
const ones = (file: string) => (readRaster(file).bands[0] as Uint8Array).reduce((n, v) => n + (v > 0 ? 1 : 0), 0);

describe('the office\'s training data from its database', () => {
  let manifest: OfficeManifest;
  const out = path.join(dir, 'export');

  beforeAll(async () => {
    manifest = await exportOfficeData(pool, { area: 'QP01', since: '2026-10-01', spec, dir: out, blockM: BLOCK });
  });

  it('labels the verified roof as change and the rejected tree as none, with its reason, in whole blocks of both flights', () => {
    const [reference, patrol] = flights as [string, string];
    expect(manifest.flights).toEqual([reference, patrol]);
    expect(manifest.skipped).toContainEqual({ flight: reference, why: 'no earlier flight under it to compare with' });
    const roof = manifest.samples.find((s) => s.block === 'b9452-53847')!;
    expect(roof).toMatchObject({ name: `b9452-53847@f${patrol}`, flight: patrol, before_flight: reference, changes: [ids.roof], negatives: [] });
    const tree = manifest.samples.find((s) => s.block === 'b9453-53847')!;
    expect(tree).toMatchObject({ changes: [], negatives: [{ candidate: ids.tree, reason_code: 'not_a_structure', reason_text: 'a tree' }] });
    // 20 m x 20 m at 0.5 m: 1600 pixels of change; none where the tree was rejected
    expect(ones(path.join(out, 'label', `${roof.name}.tif`))).toBe(1600);
    expect(ones(path.join(out, 'label', `${tree.name}.tif`))).toBe(0);
    // the rejected tree's pixels weigh HARD_NEGATIVE_WEIGHT in the loss, every other pixel 1
    const weights = readRaster(path.join(out, 'weight', `${tree.name}.tif`)).bands[0] as Uint8Array;
    expect([weights.filter((v) => v === HARD_NEGATIVE_WEIGHT).length, weights.filter((v) => v === 1).length]).toEqual([400, 128 * 128 - 400]);
    // the images: the earlier flight in A/, the patrol in B/, on the model's grid (128 x 128 at 0.5 m)
    const a = readRaster(path.join(out, 'A', `${roof.name}.tif`));
    const b = readRaster(path.join(out, 'B', `${roof.name}.tif`));
    expect([a.grid.width, a.grid.height, a.grid.geoTransform[1]]).toEqual([128, 128, 0.5]);
    const at = (r: typeof a) => (r.bands[0] as Uint8Array)[50 * 128 + 40]!; // inside the roof
    expect([at(a) < 160, at(b)]).toEqual([true, 225]);
    // the baseline's building and the register's entry, for pasted new structures
    const house = manifest.samples.find((s) => s.block === 'b9452-53846')!;
    expect(house.buildings).toBe(2);
    expect(ones(path.join(out, 'buildings', `${house.name}.tif`))).toBe(900 + 400);
    // the demolition this patrol confirmed: changed since the earlier flight
    const razed = manifest.samples.find((s) => s.block === 'b9453-53846')!;
    expect(razed).toMatchObject({ changes: [], demolitions: [ids.razed] });
    expect(ones(path.join(out, 'label', `${razed.name}.tif`))).toBe(400);
  });

  it('keeps a structure rejected as permitted out of the hard negatives: a real building, taught neither way', () => {
    const shed = manifest.samples.find((s) => s.block === 'b9454-53846')!;
    expect(shed).toMatchObject({ changes: [], negatives: [], structures: [{ candidate: ids.permitted, reason_code: 'permitted_construction', reason_text: 'permit 2026-17' }] });
    expect(ones(path.join(out, 'label', `${shed.name}.tif`))).toBe(0);
    // its 20 x 20 pixels weigh nothing in the loss (not HARD_NEGATIVE_WEIGHT), every other pixel 1
    const weights = readRaster(path.join(out, 'weight', `${shed.name}.tif`)).bands[0] as Uint8Array;
    expect([weights.filter((v) => v === 0).length, weights.filter((v) => v === HARD_NEGATIVE_WEIGHT).length, weights.filter((v) => v === 1).length]).toEqual([400, 0, 128 * 128 - 400]);
  });

  it('leaves out the block with an undecided candidate and the blocks the flights do not both cover, saying why', () => {
    expect(manifest.samples.some((s) => s.block === 'b9454-53847')).toBe(false);
    expect(manifest.skipped).toContainEqual({ flight: flights[1], block: 'b9454-53847', why: `candidates nobody decided: ${ids.undecided}` });
    expect(manifest.skipped.filter((s) => s.why === 'not fully covered by both flights').length).toBeGreaterThan(0);
    // 256 m from 604900 E, 3446300 N: blocks 9452-9454 by 53845-53847 lie inside, 9 of them, one undecided
    expect(manifest.samples.map((s) => s.block).sort()).toEqual(['b9452-53845', 'b9452-53846', 'b9452-53847', 'b9453-53845', 'b9453-53846', 'b9453-53847', 'b9454-53845', 'b9454-53846']);
    expect(fs.existsSync(path.join(out, 'office.json'))).toBe(true);
  });

  it('writes the same files again from the same database', async () => {
    const again = path.join(dir, 'export-again');
    const second = await exportOfficeData(pool, { area: 'QP01', since: '2026-10-01', spec, dir: again, blockM: BLOCK });
    expect(second).toEqual(manifest);
    expect(digestOf(again)).toEqual(digestOf(out));
  });

  it('holds back whole blocks, at least a third of the files, in the evaluation\'s pairs layout', () => {
    const items = listPairs(out).map((p) => ({ ...p, folder: out }));
    expect(items).toHaveLength(8);
    const { held, rest } = chooseHeldBack(items, 1);
    expect(held.length).toBeGreaterThanOrEqual(Math.ceil(items.length / 3));
    const heldBlocks = new Set(held.map((h) => groupOf(h.name)));
    expect(rest.some((r) => heldBlocks.has(groupOf(r.name)))).toBe(false);
  });

  it('says what is wrong with the area or the period', async () => {
    await expect(exportOfficeData(pool, { area: 'NOPE', since: '2026-10-01', spec, dir: path.join(dir, 'x') })).rejects.toThrow(/no administrative area with that code/);
    await expect(exportOfficeData(pool, { area: 'QP01', since: '2027-01-01', spec, dir: path.join(dir, 'x') })).rejects.toThrow(/no finished flights there since then/);
  });

  it('leaves no unfinished version behind when adapting fails after the export, so the name can be used again', async () => {
    const store = path.join(dir, 'failed-store');
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = testDatabaseUrl();
    try {
      const failing = () => adapt({ folders: [], fromDb: { area: 'QP01', since: '2026-10-01', blockM: BLOCK }, from: 'nope', name: 'office-failed', store, log: () => undefined });
      await expect(failing()).rejects.toThrow(/--from nope: no such version/);
      expect(fs.existsSync(path.join(store, 'versions', 'office-failed'))).toBe(false);
      await expect(failing()).rejects.toThrow(/--from nope: no such version/);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  }, 60_000);

  it('is asked for with --from-db --area <code> --since <YYYY-MM-DD>, and the command says what is missing', async () => {
    const usage = async (args: string[]) => {
      try {
        await exec('npx', ['tsx', 'scripts/model.ts', 'adapt', ...args], { cwd: ROOT, env: { ...process.env, MODEL_STORE: path.join(dir, 'usage-store') } });
        return { code: 0, err: '' };
      } catch (error) {
        return error as { code: number; stderr: string };
      }
    };
    expect(await usage(['--from-db', '--since', '2026-10-01'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--from-db needs --area <code>/) });
    expect(await usage(['--from-db', '--area', 'QP01', '--since', '2026-13-45'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--from-db needs --since <YYYY-MM-DD> .*, got 2026-13-45/) });
    expect(await usage(['--from-db', '--area', 'QP01', '--since', '2026-02-30'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--from-db needs --since <YYYY-MM-DD> .*, got 2026-02-30/) });
    expect(await usage(['--from-db', '--area', 'QP01', '--since', '2026-10-01', '--folders', dir])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--folders or --from-db, not both/) });
    expect(await usage(['--folders', dir, '--area', 'QP01'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/go with --from-db/) });
  }, 60_000);

  it.skipIf(!torch)('adapts on it with npm run model -- adapt --from-db, and npm run eval scores the stored version on its held-back blocks as adapt did', async () => {
    const store = path.join(dir, 'models');
    const env = { ...process.env, DATABASE_URL: testDatabaseUrl(), MODEL_STORE: store, MODEL_VERSION: '', OMP_WAIT_POLICY: 'PASSIVE' };
    const run = (script: string, args: string[]) => exec('npx', ['tsx', script, ...args], { cwd: ROOT, env, timeout: 280_000, maxBuffer: 64 << 20 });
    const { stdout } = await run('scripts/model.ts', ['adapt', '--from-db', '--area', 'QP01', '--since', '2026-10-01', '--block', '64', '--json', '--name', 'office-db',
      '--steps', '3', '--batch', '2', '--crop', '64', '--cache', '4']);
    const result = JSON.parse(stdout) as { version: string; held_back: string[]; after: { pixel: object } };
    expect(result.version).toBe('office-db');
    // the held-back share: whole blocks of the export above, at least a third of its 8 files
    expect(result.held_back.length).toBeGreaterThanOrEqual(3);
    expect(result.held_back.every((name) => manifest.samples.some((s) => s.name === name))).toBe(true);
    const record = JSON.parse(fs.readFileSync(path.join(store, 'versions', 'office-db', 'version.json'), 'utf8')) as { from_db: object; folders: string[] };
    expect(record.from_db).toMatchObject({ area: 'QP01', since: '2026-10-01' });
    const evaluated = await run('scripts/eval.ts', [path.join(store, 'versions', 'office-db', 'held-back'), '--json', '--model', 'office-db']);
    expect((JSON.parse(evaluated.stdout) as { pixel: object }).pixel).toEqual(result.after.pixel);
  }, 300_000);
});
