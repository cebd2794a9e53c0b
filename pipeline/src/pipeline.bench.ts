/**
 * End-to-end throughput of the pipeline on a generated flight of BENCH_FLIGHT_KM km (default 1)
 * at 10 cm (orthophoto + surface model): km² per hour from upload to raised candidates, in a
 * worker process like production, and its peak memory (VmHWM). Reference, same machine and run:
 * the model alone (session.run) on the same number of chips, as km² per hour. Scratch database,
 * raster store and queue prefix; nothing of the working database is touched. BENCH_WORKER_LOG=1
 * shows the worker's own output (silent by default, so the figures stay readable).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, databaseUrl } from '../../db/connection.js';
import { getFlight, latestDetectionRun } from '../../db/sql/flights.js';
import { migrateUp } from '../../db/migrate.js';
import { dropDatabase, recreateDatabase, siblingDatabaseUrl } from '../../db/testing/test-database.js';
import { generateSceneAsync } from '../../fixtures/generator/scene-parallel.js';
import { writeScene } from '../../fixtures/generator/write-scene.js';
import { loadConfig } from './config.js';
import { takeInFlight } from './flight-intake.js';
import { loadScene } from './import/load-scene.js';
import { ChangeDetector } from './model/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIZE_KM = Number(process.env.BENCH_FLIGHT_KM ?? 1);
const WORK = path.join(ROOT, '.lingwei', 'bench', `flight-${SIZE_KM}km`);

async function sceneOnDisk(): Promise<string> {
  const dir = path.join(WORK, 'scene');
  if (fs.existsSync(path.join(dir, 'scene.json'))) return dir;
  const scene = await generateSceneAsync({ sizeM: SIZE_KM * 1000, seed: 4242 });
  writeScene(scene, dir);
  return dir;
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
    const file = (name: string) => path.join(sceneDir, name);
    t = performance.now();
    const { flightId } = await takeInFlight(pool, config, { orthophoto: file('after_ortho.tif'), surfaceModel: file('after_dsm.tif'), capturedAt: '2026-10-15T13:44:00+08:00' });
    const stageStarts = new Map<string, number>();
    let peak = 0;
    let doneAt = 0;
    for (;;) {
      const flight = (await getFlight(pool, flightId))!;
      if (flight.stage && !stageStarts.has(flight.stage)) stageStarts.set(flight.stage, performance.now());
      peak = Math.max(peak, peakMemoryMiB(worker.pid!));
      if (flight.status === 'failed') throw new Error(`bench flight failed: ${flight.failure_reason}`);
      if (flight.status === 'done') {
        doneAt = performance.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const endToEndS = (performance.now() - t) / 1000;
    const run = (await latestDetectionRun(pool, flightId))!;
    const chips = run.chip_count ?? 0;

    // The reference: the same number of chips straight through session.run, batched like the pipeline.
    const detector = await ChangeDetector.load({ threads: 2 });
    const { chip_px: size } = detector.spec;
    const batch = detector.batchSize;
    const input = new Float32Array(batch * detector.channels * size * size).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    await detector.detectChips(input, batch);
    t = performance.now();
    for (let done = 0; done < chips; done += batch) await detector.detectChips(input, batch);
    const modelS = (performance.now() - t) / 1000;

    const km2 = SIZE_KM * SIZE_KM;
    const stages = [...stageStarts.entries()].map(([stage, start], i, all) => ({
      stage,
      seconds: +(((all[i + 1]?.[1] ?? doneAt) - start) / 1000).toFixed(1),
    }));
    console.table(stages);
    console.table([
      { path: 'end to end (upload to candidates)', seconds: +endToEndS.toFixed(1), 'km²/h': +((km2 / endToEndS) * 3600).toFixed(1) },
      { path: `reference: model only, ${chips} chips`, seconds: +modelS.toFixed(1), 'km²/h': +((km2 / modelS) * 3600).toFixed(1) },
    ]);
    console.log(`ratio end-to-end / model-only throughput: ${(modelS / endToEndS).toFixed(2)} (aim >= 0.85); peak worker memory ${peak.toFixed(0)} MiB (aim <= 1024)`);
  } finally {
    worker.kill('SIGTERM');
    await pool.end();
    await dropDatabase(url);
  }
}
