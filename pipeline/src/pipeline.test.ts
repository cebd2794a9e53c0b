/**
 * The pipeline against the real services: worker processes (as `npm run worker` runs them) on the
 * test database, a real Redis, the shipped ONNX model and the fixture scene's GeoTIFFs. Each test
 * uses its own queue prefix and raster store, so leftovers of one cannot feed another.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getFlight } from '#db/sql/flights.js';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from './config.js';
import { takeInFlight } from './flight-intake.js';
import { loadScene } from './import/load-scene.js';
import { deleteKeysUnder } from './queue/testing/redis-keys.js';
import { gridForExtent } from './model/grid.js';
import { flightInputs } from './stages/flight-inputs.js';
import { loadFlightRasters } from './stages/flight-rasters.js';
import { tempDir, writeOrthophoto } from './stages/testing/flight-files.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCENE = path.join(ROOT, 'fixtures', 'scene');
const pool = createTestPool();
const dir = tempDir('pipeline');
const workers = new Set<ChildProcess>();
let config: PipelineConfig;
let run = 0;

afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  run += 1;
  config = { ...loadConfig(), rasterStore: path.join(dir, `store-${run}`), queuePrefix: `lingwei-test-${process.pid}-${run}` };
  await emptyTables(pool);
  await loadScene(pool, SCENE);
});
afterEach(() => {
  for (const worker of workers) worker.kill('SIGKILL');
  workers.clear();
});

function startWorker(): ChildProcess {
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'pipeline', 'src', 'worker.ts')], {
    env: { ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: config.redisUrl, RASTER_STORE: config.rasterStore, QUEUE_PREFIX: config.queuePrefix, WORKER_LOCK_MS: '4000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.resume();
  worker.stderr!.resume();
  workers.add(worker);
  return worker;
}

/** Polls until `probe` gives a value; errors (the database restarting under the test) are retried. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    const value = await probe().catch((error: unknown) => {
      failure = error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: failure });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function finished(flightId: string) {
  return waitFor(`flight ${flightId} to end`, async () => {
    const flight = await getFlight(pool, flightId);
    return flight && (flight.status === 'done' || flight.status === 'failed') ? flight : undefined;
  });
}

const scene = (name: string) => path.join(SCENE, name);

async function runSceneFlights(): Promise<string> {
  const before = await takeInFlight(pool, config, { orthophoto: scene('before_ortho.tif'), surfaceModel: scene('before_dsm.tif'), capturedAt: '2026-04-10T10:30:00+08:00', purpose: 'reference' });
  expect((await finished(before.flightId)).status).toBe('done');
  const after = await takeInFlight(pool, config, { orthophoto: scene('after_ortho.tif'), surfaceModel: scene('after_dsm.tif'), capturedAt: '2026-10-15T13:44:00+08:00' });
  return after.flightId;
}

/** The candidates as comparable rows: what a reviewer would see, geometry snapped to ~1 cm. */
async function candidateRows() {
  const { rows } = await pool.query(
    `SELECT change_type, status, priority, round(area_m2::numeric, 1) AS area, ST_AsText(ST_SnapToGrid(geom, 1e-7)) AS wkt
       FROM candidate ORDER BY wkt, change_type`,
  );
  return rows;
}

describe('the pipeline', { timeout: 400_000 }, () => {
  it('takes a flight from upload to triaged candidates, and the same flight run again adds nothing', async () => {
    startWorker();
    const flightId = await runSceneFlights();
    const flight = await finished(flightId);
    expect(flight.status).toBe('done');
    expect(flight.progress).toBe(1);
    // The scene drifts (0.99, -0.28) m; co-registration must take most of it out.
    expect(Math.abs(flight.shift_dx_m! - 0.989)).toBeLessThan(0.3);
    expect(Math.abs(flight.shift_dy_m! + 0.28)).toBeLessThan(0.3);
    const first = await candidateRows();
    expect(first.length).toBeGreaterThan(0);
    // The detector read the reference flight's surface model too (the surface-rise rule's input),
    // and co-registration reads without it.
    const rasters = await loadFlightRasters(pool, flightId);
    expect(rasters.before?.surfaceModel).toBeTruthy();
    const [x0, y0] = rasters.extent;
    const window = gridForExtent([x0 + 40, y0 + 40, x0 + 72, y0 + 72], 0.5);
    expect((await flightInputs(pool, rasters, window)).beforeDsm?.data.length).toBe(window.width * window.height);
    expect((await flightInputs(pool, rasters, window, { beforeSurface: false })).beforeDsm).toBeUndefined();
    const { rows: audit } = await pool.query(`SELECT count(*)::int AS n FROM review_event WHERE action = 'raise'`);
    expect(audit[0].n).toBe(first.length);
    // Every observation has its chip, and the earlier image's where there is one, stored with it.
    const { rows: evidence } = await pool.query<{ after: Buffer | null; before: Buffer | null }>(
      `SELECT a.image AS after, b.image AS before FROM candidate_observation o
         LEFT JOIN evidence_chip a ON a.digest = o.evidence_after LEFT JOIN evidence_chip b ON b.digest = o.evidence_before`);
    expect(evidence.length).toBeGreaterThanOrEqual(first.length);
    expect(evidence.some((row) => row.before !== null)).toBe(true);
    for (const row of evidence) {
      for (const image of [row.after!, ...(row.before ? [row.before] : [])]) expect((await sharp(image).metadata()).format).toBe('webp');
    }

    // Re-running every stage of the flight (as after a crash) changes no candidate.
    const { queueFlight } = await import('./queue/flight-flow.js');
    const { createRedisConnection } = await import('./queue/redis-connection.js');
    const redis = createRedisConnection(config.redisUrl);
    await deleteKeysUnder(redis, config.queuePrefix);
    await pool.query(`UPDATE flight SET status = 'queued' WHERE id = $1`, [flightId]);
    await queueFlight(redis, config.queuePrefix, { id: flightId, createdAt: flight.created_at });
    redis.disconnect();
    expect((await finished(flightId)).status).toBe('done');
    expect(await candidateRows()).toEqual(first);

    // Demolition check: a scheduled candidate on a structure the flight still sees is still
    // standing; one marked demolished on open ground is confirmed gone.
    const { rows: [standing] } = await pool.query(
      `SELECT c.id FROM candidate c WHERE c.change_type IN ('new_structure', 'added_floor', 'rooftop_addition') AND c.height_gain_m > 2
        ORDER BY c.area_m2 DESC LIMIT 1`,
    );
    await pool.query(`UPDATE candidate SET status = 'scheduled' WHERE id = $1`, [standing.id]);
    await pool.query(`INSERT INTO demolition_schedule (candidate_id, scheduled_for, team) VALUES ($1, '2026-10-01', '一队')`, [standing.id]);
    const { rows: [gone] } = await pool.query(
      `INSERT INTO candidate (geom, change_type, status, area_m2)
       SELECT ST_Multi(ST_Transform(ST_Buffer(ST_Transform(ST_PointOnSurface(a.geom), 32651), 3, 'quad_segs=1'), 4326)), 'new_structure', 'demolished', 18
         FROM admin_area a WHERE a.level = 'district' RETURNING id`,
    );
    const { confirmDemolitions } = await import('./stages/confirm-demolitions.js');
    const { testStageContext } = await import('./stages/testing/flight-files.js');
    const verdict = await confirmDemolitions(testStageContext(pool, config.rasterStore), flightId);
    expect(verdict).toEqual({ confirmed: 1, stillStanding: 1 });
    const { rows: statuses } = await pool.query(
      `SELECT id, status, (SELECT array_agg(action) FROM review_event e WHERE e.candidate_id = c.id AND action IN ('confirm_demolished', 'still_standing')) AS actions
         FROM candidate c WHERE id IN ($1, $2) ORDER BY id`,
      [standing.id, gone.id],
    );
    expect(statuses).toEqual([
      { id: standing.id, status: 'still_standing', actions: ['still_standing'] },
      { id: gone.id, status: 'demolition_confirmed', actions: ['confirm_demolished'] },
    ]);
    const { rows: schedule } = await pool.query(`SELECT confirmation, confirmed_by_flight_id::text AS flight FROM demolition_schedule`);
    expect(schedule).toEqual([{ confirmation: 'still_standing', flight: flightId }]);
  });

  it('compares a patrol exported in UTM with a reference in Gauss-Krüger, drift and earlier images included', async () => {
    // DJI's default export is WGS 84 / UTM 51N; the reference flight is in CGCS2000 / GK CM 120E.
    const warp = (name: string, extra: string[]) => {
      const target = path.join(dir, `utm-${name}`);
      execFileSync('gdalwarp', ['-q', '-overwrite', '-t_srs', 'EPSG:32651', '-r', 'bilinear', '-co', 'TILED=YES', '-co', 'COMPRESS=DEFLATE', ...extra, scene(name), target]);
      return target;
    };
    const orthophoto = warp('after_ortho.tif', ['-dstalpha']);
    const surfaceModel = warp('after_dsm.tif', ['-dstnodata', '-9999']);
    startWorker();
    const before = await takeInFlight(pool, config, { orthophoto: scene('before_ortho.tif'), surfaceModel: scene('before_dsm.tif'), capturedAt: '2026-04-10T10:30:00+08:00', purpose: 'reference' });
    expect((await finished(before.flightId)).status).toBe('done');
    const after = await takeInFlight(pool, config, { orthophoto, surfaceModel, capturedAt: '2026-10-15T13:44:00+08:00' });
    const flight = await finished(after.flightId);
    expect(flight.status).toBe('done');
    // The reference is read on the patrol's grid (it was not at all before: drift 0, no earlier image).
    const rasters = await loadFlightRasters(pool, after.flightId);
    const [x0, y0] = rasters.extent;
    const window = gridForExtent([x0 + 60, y0 + 60, x0 + 92, y0 + 92], 0.5);
    const inputs = await flightInputs(pool, rasters, window);
    const share = (valid: Uint8Array | undefined) => (valid ?? new Uint8Array(1)).reduce((a, v) => a + v, 0) / window.width / window.height;
    expect(share(inputs.beforeRgb?.valid)).toBeGreaterThan(0.95);
    expect(Array.from(inputs.beforeDsm!.data).filter((v) => !Number.isNaN(v)).length / inputs.beforeDsm!.data.length).toBeGreaterThan(0.95);
    // Drift measured in the patrol's own metres: UTM and GK axes differ by about 1.2 degrees here.
    expect(Math.hypot(flight.shift_dx_m!, flight.shift_dy_m!)).toBeGreaterThan(0.7);
    expect(Math.abs(Math.hypot(flight.shift_dx_m!, flight.shift_dy_m!) - Math.hypot(0.989, 0.28))).toBeLessThan(0.3);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM candidate`);
    expect(rows[0].n).toBeGreaterThan(5);
  });

  it('fails a corrupt upload with its reason, leaves nothing behind, and keeps serving', async () => {
    startWorker();
    const corrupt = path.join(dir, 'corrupt.tif');
    const good = writeOrthophoto(path.join(dir, 'good.tif'));
    fs.writeFileSync(corrupt, fs.readFileSync(good).subarray(0, 3000));
    const bad = await takeInFlight(pool, config, { orthophoto: corrupt });
    const failed = await finished(bad.flightId);
    expect(failed.status).toBe('failed');
    expect(failed.failure_reason).toMatch(/truncated or corrupt/);
    const { rows } = await pool.query(
      `SELECT (SELECT count(*)::int FROM flight_asset WHERE flight_id = $1 AND role = 'cog') AS cogs,
              (SELECT count(*)::int FROM detection_run WHERE flight_id = $1) AS runs,
              (SELECT count(*)::int FROM candidate) AS candidates`,
      [bad.flightId],
    );
    expect(rows[0]).toEqual({ cogs: 0, runs: 0, candidates: 0 });
    // The same worker goes on with the next flight.
    const next = await takeInFlight(pool, config, { orthophoto: scene('before_ortho.tif'), purpose: 'reference', capturedAt: '2026-04-10T10:30:00+08:00' });
    expect((await finished(next.flightId)).status).toBe('done');
  });

  it('completes a flight whose workers were killed during detection and during the COG job, with exactly the candidates of an uninterrupted run and whole COGs', async () => {
    startWorker();
    const reference = await finished(await runSceneFlights());
    expect(reference.status).toBe('done');
    const uninterrupted = await candidateRows();

    await emptyTables(pool);
    await loadScene(pool, SCENE);
    for (const worker of workers) worker.kill('SIGKILL');
    workers.clear();
    config = { ...config, rasterStore: `${config.rasterStore}-again`, queuePrefix: `${config.queuePrefix}-again` };
    const victim = startWorker();
    const flightId = await runSceneFlights();
    await waitFor('the detect stage', async () => ((await getFlight(pool, flightId))?.stage === 'detect' ? true : undefined));
    victim.kill('SIGKILL');
    // The worker that takes over is killed in turn while it writes the full-resolution COGs.
    const second = startWorker();
    await waitFor('the cog stage', async () => ((await getFlight(pool, flightId))?.stage === 'cog' ? true : undefined));
    second.kill('SIGKILL');
    startWorker();
    const flight = await finished(flightId);
    expect(flight.status).toBe('done');
    expect(await candidateRows()).toEqual(uninterrupted);
    const cogs = flight.assets.filter((a) => a.role === 'cog');
    expect(cogs.map((a) => a.kind)).toEqual(['orthophoto', 'surface_model']);
    for (const cog of cogs) {
      const info = JSON.parse(execFileSync('gdalinfo', ['-json', '-checksum', cog.uri], { encoding: 'utf8' }));
      expect(info.metadata.IMAGE_STRUCTURE.LAYOUT).toBe('COG');
    }
    expect(fs.readdirSync(path.dirname(cogs[0]!.uri)).filter((name) => name.includes('.partial'))).toEqual([]);
  });
});

/** A Redis of the test's own on a free port, with AOF, so that the test may stop and restart it. */
function startOwnRedis(port: number, dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  execFileSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--dir', dataDir,
    '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--save', '']);
  execFileSync('bash', ['-c', `for i in $(seq 50); do redis-cli -p ${port} ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1`]);
}

/** The local Debian cluster that setup.sh starts, which this test may restart; null when not ours to touch. */
function restartablePostgres(): string | null {
  if (process.getuid?.() !== 0 || process.env.DATABASE_URL) return null;
  const clusters = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  return clusters.status === 0 && /^15\s+main\s+5432\s+online/m.test(clusters.stdout) ? '15' : null;
}

describe('the pipeline under infrastructure faults', { timeout: 400_000 }, () => {
  it('completes a flight when Redis restarts mid-flight, losing nothing', async () => {
    const port = 16_379 + (process.pid % 1000);
    const dataDir = path.join(dir, `redis-${run}`);
    startOwnRedis(port, dataDir);
    try {
      config = { ...config, redisUrl: `redis://127.0.0.1:${port}` };
      startWorker();
      const flightId = await runSceneFlights();
      await waitFor('the detect stage', async () => ((await getFlight(pool, flightId))?.stage === 'detect' ? true : undefined));
      execFileSync('redis-cli', ['-p', String(port), 'shutdown']);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      startOwnRedis(port, dataDir);
      const flight = await finished(flightId);
      expect(flight.status).toBe('done');
      const { rows } = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT ST_AsText(geom))::int AS distinct_n FROM candidate`);
      expect(rows[0].n).toBeGreaterThan(0);
      expect(rows[0].n).toBe(rows[0].distinct_n);
    } finally {
      spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
    }
  });

  it.skipIf(!restartablePostgres())('completes a flight when PostgreSQL restarts mid-flight, losing nothing', async () => {
    startWorker();
    const flightId = await runSceneFlights();
    await waitFor('the detect stage', async () => ((await getFlight(pool, flightId))?.stage === 'detect' ? true : undefined));
    execFileSync('pg_ctlcluster', [restartablePostgres()!, 'main', 'restart', '-m', 'fast']);
    const flight = await finished(flightId);
    expect(flight.status).toBe('done');
    const { rows } = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT ST_AsText(geom))::int AS distinct_n FROM candidate`);
    expect(rows[0].n).toBeGreaterThan(0);
    expect(rows[0].n).toBe(rows[0].distinct_n);
  });
});
