/**
 * End-to-end throughput of the pipeline on a generated flight of BENCH_FLIGHT_KM km (default 1)
 * at 10 cm (orthophoto + surface model): km² per hour from upload to raised candidates, in a
 * worker process like production, and its peak memory (VmHWM). Reference, same machine and run:
 * the model alone (session.run) on the same number of chips, as km² per hour. It also counts the
 * CPU time of each (all threads): on a machine whose cores are all busy, the model-only CPU time
 * over the pipeline's is the best ratio any scheduling of the same work could reach. Scratch database,
 * raster store and queue prefix; nothing of the working database is touched. BENCH_WORKER_LOG=1
 * shows the worker's own output (silent by default, so the figures stay readable).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, databaseUrl } from '../../db/connection.js';
import { getFlight, latestDetectionRun } from '../../db/sql/flights.js';
import { migrateUp } from '../../db/migrate.js';
import { dropDatabase, recreateDatabase, siblingDatabaseUrl } from '../../db/testing/test-database.js';
import { generateSceneAsync } from '../../fixtures/generator/scene-parallel.js';
import { writeScene } from '../../fixtures/generator/write-scene.js';
import { loadConfig } from './config.js';
import gdal from './gdal.js';
import { takeInFlight } from './flight-intake.js';
import { loadScene } from './import/load-scene.js';
import { ChangeDetector } from './model/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIZE_KM = Number(process.env.BENCH_FLIGHT_KM ?? 1);
/** BENCH_UPLOAD=cog uploads the flight as COGs (as ODM's --cog writes them), which ingest stores as they are. */
const UPLOAD_AS_COG = process.env.BENCH_UPLOAD === 'cog';
const WORK = path.join(ROOT, '.lingwei', 'bench', `flight-${SIZE_KM}km`);

/** The flight's upload: the generated GeoTIFF, or a COG of it (made once, not timed). */
async function upload(sceneDir: string, name: string, options: string[]): Promise<string> {
  const plain = path.join(sceneDir, name);
  if (!UPLOAD_AS_COG) return plain;
  const cog = path.join(WORK, 'cog-upload', name);
  if (fs.existsSync(cog)) return cog;
  fs.mkdirSync(path.dirname(cog), { recursive: true });
  const input = gdal.open(plain);
  try {
    (await gdal.translateAsync(`${cog}.partial`, input, ['-of', 'COG', '-co', 'NUM_THREADS=2', ...options])).close();
  } finally {
    input.close();
  }
  fs.renameSync(`${cog}.partial`, cog);
  return cog;
}

async function sceneOnDisk(): Promise<string> {
  const dir = path.join(WORK, 'scene');
  if (fs.existsSync(path.join(dir, 'scene.json'))) return dir;
  const scene = await generateSceneAsync({ sizeM: SIZE_KM * 1000, seed: 4242 });
  writeScene(scene, dir);
  return dir;
}

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU time a process has used so far, all threads, user + system, seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Peak resident memory of a process so far, MiB (Linux VmHWM). */
function peakMemoryMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

export default async function bench(): Promise<void> {
  let t = performance.now();
  const sceneDir = await sceneOnDisk();
  console.log(`flight: generated ${SIZE_KM} km x ${SIZE_KM} km at 10 cm (scene in ${path.relative(ROOT, sceneDir)}, ${((performance.now() - t) / 1000).toFixed(0)} s)`);

  const url = siblingDatabaseUrl(databaseUrl(), '_bench');
  await recreateDatabase(url);
  await migrateUp(url);
  const pool = createPool(url, 2);
  const config = { ...loadConfig(), rasterStore: path.join(WORK, 'store'), queuePrefix: `lingwei-bench-${process.pid}` };
  fs.rmSync(config.rasterStore, { recursive: true, force: true });
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'pipeline', 'src', 'worker.ts')], {
    env: { ...process.env, DATABASE_URL: url, RASTER_STORE: config.rasterStore, QUEUE_PREFIX: config.queuePrefix },
    stdio: process.env.BENCH_WORKER_LOG ? 'inherit' : 'ignore',
  });
  try {
    await loadScene(pool, sceneDir);
    const orthophoto = await upload(sceneDir, 'after_ortho.tif', ['-co', 'COMPRESS=JPEG', '-co', 'QUALITY=90']);
    const surfaceModel = await upload(sceneDir, 'after_dsm.tif', ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=YES']);
    console.log(`upload: ${UPLOAD_AS_COG ? 'COGs (BENCH_UPLOAD=cog), stored as uploaded' : 'plain tiled GeoTIFFs, re-encoded as COGs by ingest'}`);
    t = performance.now();
    const cpuAtUpload = cpuSeconds(worker.pid!);
    const { flightId } = await takeInFlight(pool, config, { orthophoto, surfaceModel, capturedAt: '2026-10-15T13:44:00+08:00' });
    const stageStarts = new Map<string, { at: number; cpu: number }>();
    let peak = 0;
    let doneAt = 0;
    let cpuAtDone = 0;
    for (;;) {
      const flight = (await getFlight(pool, flightId))!;
      if (flight.stage && !stageStarts.has(flight.stage)) stageStarts.set(flight.stage, { at: performance.now(), cpu: cpuSeconds(worker.pid!) });
      peak = Math.max(peak, peakMemoryMiB(worker.pid!));
      if (flight.status === 'failed') throw new Error(`bench flight failed: ${flight.failure_reason}`);
      if (flight.status === 'done') {
        doneAt = performance.now();
        cpuAtDone = cpuSeconds(worker.pid!);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const endToEndS = (performance.now() - t) / 1000;
    const run = (await latestDetectionRun(pool, flightId))!;
    const chips = run.chip_count ?? 0;
    const { rows: raised } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM candidate_observation WHERE flight_id = $1`, [flightId]);

    // The reference: the same number of chips straight through session.run, batched like the pipeline.
    const detector = await ChangeDetector.load({ threads: 2 });
    const { chip_px: size } = detector.spec;
    const batch = detector.batchSize;
    const input = new Float32Array(batch * detector.channels * size * size).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    await detector.detectChips(input, batch);
    t = performance.now();
    const cpuBefore = process.cpuUsage();
    for (let done = 0; done < chips; done += batch) await detector.detectChips(input, batch);
    const modelS = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpuBefore);
    const modelCpuS = (used.user + used.system) / 1e6;
    const pipelineCpuS = cpuAtDone - cpuAtUpload;

    const km2 = SIZE_KM * SIZE_KM;
    // Stages are seen by polling every 200 ms, so each stage's figures are within that of the truth.
    const stages = [...stageStarts.entries()].map(([stage, start], i, all) => ({
      stage,
      seconds: +(((all[i + 1]?.[1].at ?? doneAt) - start.at) / 1000).toFixed(1),
      'CPU s': +((all[i + 1]?.[1].cpu ?? cpuAtDone) - start.cpu).toFixed(1),
    }));
    console.table(stages);
    console.log(`candidates raised: ${raised[0]!.n} (vectorise and raise take time per piece)`);
    console.table([
      { path: 'end to end (upload to candidates)', seconds: +endToEndS.toFixed(1), 'CPU s': +pipelineCpuS.toFixed(1), 'km²/h': +((km2 / endToEndS) * 3600).toFixed(1) },
      { path: `reference: model only, ${chips} chips`, seconds: +modelS.toFixed(1), 'CPU s': +modelCpuS.toFixed(1), 'km²/h': +((km2 / modelS) * 3600).toFixed(1) },
    ]);
    console.log(`ratio end-to-end / model-only throughput: ${(modelS / endToEndS).toFixed(2)} (aim >= 0.85); peak worker memory ${peak.toFixed(0)} MiB (aim <= 1024)`);
    // The worker's own CPU only: PostgreSQL's and Redis's work for the flight comes on top.
    console.log(`CPU time model-only / end-to-end (worker process): ${(modelCpuS / pipelineCpuS).toFixed(2)}, the highest ratio any scheduling of this work reaches when it keeps every core busy (${os.availableParallelism()} cores)`);
  } finally {
    worker.kill('SIGTERM');
    await pool.end();
    await dropDatabase(url);
  }
}
