/**
 * End-to-end throughput of the pipeline on a generated flight of BENCH_FLIGHT_KM km (default 1) a
 * side at BENCH_GSD metres a pixel (default 0.1; patrol drones fly 0.02 to 0.05), orthophoto and
 * surface model, in a worker process like production: an area's first patrol, or with
 * BENCH_PATROL=weekly a patrol against the scene's earlier flight. It prints, separately: the time to the
 * candidates (the raise stage done), the time to the finished full-resolution COGs, each stage's
 * time and CPU seconds, the worker's peak memory (VmHWM, or the resident memory of the worker
 * and its GDAL children together), and the candidates scored against the scene's ground truth. CPU seconds count the worker's children (GDAL runs in child
 * processes). References, same machine and run: the model alone (session.run) on the same number
 * of the serving network's chips, and `gdal_translate -of COG` of the same uploads with ingest's creation options (the
 * peer of the COG work, as a ratio of CPU times). Each stage's peak memory (worker and children)
 * is printed beside its times. On a machine other work shares, wall seconds stretch and CPU seconds
 * do not: the time a worker with two cores of its own would take is estimated from the CPU seconds
 * and the threads asking for a core every 200 ms (scripts/bench/process-usage.ts OwnCoresClock),
 * and printed as km²/h per 2-core worker beside the wall figure. Scratch database, raster store and queue prefix;
 * nothing of the working database is touched. BENCH_WORKER_LOG=1 shows the worker's own output.
 *
 * The scene is generated at 10 cm once and cached; a flight at another BENCH_GSD is that scene's
 * rasters resampled by GDAL (bilinear) to it, written as drone software writes them (tiled, JPEG
 * orthophoto, DEFLATE surface model at twice the pixel size), also once and cached: the rendering
 * of a 1.1 Gpx scene in JavaScript would take longer than the bench.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, databaseUrl } from '#db/connection.js';
import { getFlight, latestDetectionRun } from '#db/sql/flights.js';
import { migrateUp } from '#db/migrate.js';
import { dropDatabase, recreateDatabase, siblingDatabaseUrl } from '#db/testing/test-database.js';
import { generateSceneAsync } from '#fixtures/generator/scene-parallel.js';
import { writeScene } from '#fixtures/generator/write-scene.js';
import { scoreFlight } from '#scripts/eval/score-flight.js';
import { OwnCoresClock, processPeakMemoryMiB, timedCommand, treeCpuSeconds, treePeakMemoryMiB, treeRunnableThreads } from '#scripts/bench/process-usage.js';
import { loadConfig } from './config.js';
import gdal from './gdal.js';
import { sha256Of, takeInFlight } from './flight-intake.js';
import { flightDone } from './flight-settled.js';
import { loadScene } from './import/load-scene.js';
import { ChangeDetector, chipsOf, type Network } from './model/index.js';
import { mirrorAveraged } from './model/mirror-chips.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIZE_KM = Number(process.env.BENCH_FLIGHT_KM ?? 1);
const GSD_M = Number(process.env.BENCH_GSD ?? 0.1);
const SCENE_GSD_M = 0.1;
/** BENCH_UPLOAD=cog uploads the flight as COGs (as ODM's --cog writes them), which ingest stores as they are. */
const UPLOAD_AS_COG = process.env.BENCH_UPLOAD === 'cog';
/**
 * The flight is an area's first patrol by default (no earlier flight: the surface-model-only
 * network serves it). BENCH_PATROL=weekly takes the scene's earlier flight in first, as the
 * reference and not timed, so that the timed flight is a patrol against it, as an office's weekly
 * ones are: the main network, co-registration against the earlier flight and its windows read.
 */
const WEEKLY = process.env.BENCH_PATROL === 'weekly';
const WORK = path.join(ROOT, '.lingwei', 'bench', `flight-${SIZE_KM}km`);
const FLIGHT = path.join(WORK, `gsd-${GSD_M}`);

/** The COG creation options ingest writes with (stages/ingest.ts), for the gdal_translate reference. */
const COG_COMMON = ['-of', 'COG', '-co', 'OVERVIEWS=AUTO', '-co', 'NUM_THREADS=2', '-co', 'BLOCKSIZE=512', '-co', 'RESAMPLING=AVERAGE'];
const COG_OPTIONS = {
  orthophoto: [...COG_COMMON, '-co', 'COMPRESS=JPEG', '-co', 'QUALITY=90'],
  surfaceModel: [...COG_COMMON, '-ot', 'Float32', '-co', 'COMPRESS=DEFLATE', '-co', 'LEVEL=1', '-co', 'PREDICTOR=YES'],
};

async function sceneOnDisk(): Promise<string> {
  const dir = path.join(WORK, 'scene');
  if (fs.existsSync(path.join(dir, 'scene.json'))) return dir;
  const scene = await generateSceneAsync({ sizeM: SIZE_KM * 1000, seed: 4242 });
  writeScene(scene, dir);
  return dir;
}

/** The scene's raster at the bench's pixel size (itself at 10 cm), made once. */
async function atBenchGsd(sceneDir: string, name: string, gsd: number, options: string[]): Promise<string> {
  const source = path.join(sceneDir, name);
  if (GSD_M === SCENE_GSD_M) return source;
  const target = path.join(FLIGHT, name);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(FLIGHT, { recursive: true });
  const input = gdal.open(source);
  try {
    const args = ['-of', 'GTiff', '-r', 'bilinear', '-tr', String(gsd), String(gsd), ...options.flatMap((o) => ['-co', o]), '-co', 'BIGTIFF=IF_SAFER'];
    (await gdal.translateAsync(`${target}.partial`, input, args)).close();
  } finally {
    input.close();
  }
  fs.renameSync(`${target}.partial`, target);
  return target;
}

/** The flight's upload: the flight's GeoTIFF, or a COG of it (made once, not timed). */
async function upload(plain: string, options: string[]): Promise<string> {
  if (!UPLOAD_AS_COG) return plain;
  const cog = path.join(FLIGHT, 'cog-upload', path.basename(plain));
  if (fs.existsSync(cog)) return cog;
  fs.mkdirSync(path.dirname(cog), { recursive: true });
  const input = gdal.open(plain);
  try {
    (await gdal.translateAsync(`${cog}.partial`, input, options)).close();
  } finally {
    input.close();
  }
  fs.renameSync(`${cog}.partial`, cog);
  return cog;
}

const round = (v: number) => +v.toFixed(1);

export default async function bench(): Promise<void> {
  let t = performance.now();
  const sceneDir = await sceneOnDisk();
  const orthophotoAt = (name: string) => atBenchGsd(sceneDir, name, GSD_M, ['COMPRESS=JPEG', 'PHOTOMETRIC=YCBCR', 'JPEG_QUALITY=85', 'TILED=YES', 'BLOCKXSIZE=256', 'BLOCKYSIZE=256']);
  const surfaceAt = (name: string) => atBenchGsd(sceneDir, name, 2 * GSD_M, ['COMPRESS=DEFLATE', 'PREDICTOR=3', 'ZLEVEL=6', 'TILED=YES', 'BLOCKXSIZE=256', 'BLOCKYSIZE=256']);
  const orthophotoFile = await orthophotoAt('after_ortho.tif');
  const surfaceFile = await surfaceAt('after_dsm.tif');
  const earlier = WEEKLY ? { orthophoto: await orthophotoAt('before_ortho.tif'), surfaceModel: await surfaceAt('before_dsm.tif') } : null;
  const px = (file: string) => {
    const d = gdal.open(file);
    const { x, y } = d.rasterSize;
    d.close();
    return x * y;
  };
  const orthoMpx = px(orthophotoFile) / 1e6;
  console.log(`flight: ${SIZE_KM} km x ${SIZE_KM} km at ${GSD_M * 100} cm, orthophoto ${orthoMpx.toFixed(0)} Mpx, surface model ${(px(surfaceFile) / 1e6).toFixed(0)} Mpx (${path.relative(ROOT, FLIGHT)}, ready in ${((performance.now() - t) / 1000).toFixed(0)} s)`);

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
    const orthophoto = await upload(orthophotoFile, COG_OPTIONS.orthophoto);
    const surfaceModel = await upload(surfaceFile, COG_OPTIONS.surfaceModel);
    console.log(`upload: ${UPLOAD_AS_COG ? 'COGs (BENCH_UPLOAD=cog), stored as uploaded' : 'tiled GeoTIFFs, re-encoded as COGs'}`);
    if (earlier) {
      const reference = { orthophoto: await upload(earlier.orthophoto, COG_OPTIONS.orthophoto), surfaceModel: await upload(earlier.surfaceModel, COG_OPTIONS.surfaceModel) };
      const started = performance.now();
      const { flightId } = await takeInFlight(pool, config, { ...reference, capturedAt: '2026-04-15T13:44:00+08:00', link: true, purpose: 'reference' });
      await flightDone(pool, flightId, { timeoutMs: Infinity, pollMs: 200 });
      console.log(`patrol: weekly (BENCH_PATROL=weekly), against the scene's earlier flight taken in first as the reference (${((performance.now() - started) / 1000).toFixed(1)} s, not timed)`);
    } else {
      console.log('patrol: an area\'s first, no earlier flight (BENCH_PATROL=weekly: against one)');
    }
    // The worker's start (the model's load) is not the flight's.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // Checksummed before the clock starts: the API's upload computes them as the bytes arrive.
    const sha256 = { orthophoto: await sha256Of(orthophoto), surfaceModel: await sha256Of(surfaceModel) };
    t = performance.now();
    const cpuAtUpload = treeCpuSeconds(worker.pid!);
    const { flightId } = await takeInFlight(pool, config, { orthophoto, surfaceModel, capturedAt: '2026-10-15T13:44:00+08:00', link: true, sha256 });
    const stageStarts = new Map<string, { at: number; cpu: number; peak: number }>();
    // Two cores of its own: the bench's 2-core figure, from CPU seconds and the threads asking.
    const ownCores = new OwnCoresClock(2);
    let cpuAtLastPoll = cpuAtUpload;
    let peak = 0;
    let workerPeak = 0;
    let doneAt = 0;
    let cpuAtDone = 0;
    let candidatesAt: { s: number; cpu: number; ownCoresS: number } | null = null;
    let cogsAt: { s: number; cpu: number } | null = null;
    for (;;) {
      const runnable = treeRunnableThreads(worker.pid!);
      const flight = (await getFlight(pool, flightId))!;
      const cpu = treeCpuSeconds(worker.pid!);
      ownCores.add(cpu - cpuAtLastPoll, runnable);
      cpuAtLastPoll = cpu;
      const now = { s: (performance.now() - t) / 1000, cpu: cpu - cpuAtUpload, ownCoresS: ownCores.seconds };
      if (flight.stage && !stageStarts.has(flight.stage)) stageStarts.set(flight.stage, { at: performance.now(), cpu, peak: 0 });
      const treeNow = treePeakMemoryMiB(worker.pid!);
      peak = Math.max(peak, treeNow);
      const running = flight.stage ? stageStarts.get(flight.stage) : undefined;
      if (running) running.peak = Math.max(running.peak, treeNow);
      workerPeak = Math.max(workerPeak, processPeakMemoryMiB(worker.pid!));
      if (!cogsAt && flight.assets.filter((a) => a.role === 'cog').length === 2) cogsAt = now;
      if (!candidatesAt && (await pool.query(`SELECT 1 FROM detection_run WHERE flight_id = $1 AND status = 'done'`, [flightId])).rowCount) candidatesAt = now;
      if (flight.status === 'failed') throw new Error(`bench flight failed: ${flight.failure_reason}`);
      if (flight.status === 'done') {
        doneAt = performance.now();
        cpuAtDone = cpu;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const endToEndS = (doneAt - t) / 1000;
    const run = (await latestDetectionRun(pool, flightId))!;
    const chips = run.chip_count ?? 0;
    const { rows: raised } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM candidate_observation WHERE flight_id = $1`, [flightId]);

    // Stages are seen by polling every 200 ms, so each stage's figures are within that of the truth.
    const stages = [...stageStarts.entries()].map(([stage, start], i, all) => ({
      stage,
      seconds: round(((all[i + 1]?.[1].at ?? doneAt) - start.at) / 1000),
      'CPU s': round((all[i + 1]?.[1].cpu ?? cpuAtDone) - start.cpu),
      'peak MiB (with children)': Math.round(start.peak),
    }));
    console.table(stages);
    console.log(`candidates raised: ${raised[0]!.n}`);
    // The candidates scored against the scene's ground truth, as the demo scores its own: a change
    // that makes the pipeline quicker must not make it find other things (larger chips did, with a
    // network that read blank ground far from a chip's edge as change; MODEL_CARD.md).
    const score = await scoreFlight(pool, flightId, path.join(sceneDir, 'ground_truth.geojson'));
    const o = score.object;
    console.log(`against the scene's ground truth: object precision ${o.precision.toFixed(3)}, recall ${o.recall.toFixed(3)} (${o.tp} found, ${o.fp} false, ${o.fn} missed of ${score.truths} changes of ${score.minAreaM2} m² or more)`);

    // References, after the flight so that nothing competes with it.
    const detector = await ChangeDetector.load({ threads: 2 });
    const batch = detector.batchSize;
    // The network that served the flight (the surface-model-only one for a first patrol), on its
    // chips, with as many mirrored looks a chip as it takes.
    const network = (typeof run.params.network === 'string' ? run.params.network : 'main') as Network;
    const { chip: size, mirrors } = chipsOf(detector.spec, network);
    const input = new Float32Array(batch * detector.channels * size * size).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    const looks = () => mirrorAveraged(input, size, mirrors, (chipsNow) => detector.detectChips(chipsNow, batch, size, network));
    await looks();
    const m = performance.now();
    const cpuBefore = process.cpuUsage();
    for (let done = 0; done < chips; done += batch) await looks();
    const modelS = (performance.now() - m) / 1000;
    const used = process.cpuUsage(cpuBefore);
    const modelCpuS = (used.user + used.system) / 1e6;
    const peerDir = path.join(WORK, 'peer');
    fs.mkdirSync(peerDir, { recursive: true });
    const peers = [
      timedCommand('gdal_translate', ['-q', ...COG_OPTIONS.orthophoto, orthophoto, path.join(peerDir, 'orthophoto.tif')]),
      timedCommand('gdal_translate', ['-q', ...COG_OPTIONS.surfaceModel, surfaceModel, path.join(peerDir, 'surface-model.tif')]),
    ];
    fs.rmSync(peerDir, { recursive: true, force: true });
    const peer = { cpuS: peers[0]!.cpuS + peers[1]!.cpuS, wallS: peers[0]!.wallS + peers[1]!.wallS };

    const km2 = SIZE_KM * SIZE_KM;
    const perHour = (s: number) => round((km2 / s) * 3600);
    console.table([
      { path: 'time to candidates (upload to raised)', seconds: round(candidatesAt!.s), 'CPU s': round(candidatesAt!.cpu), 'km²/h': perHour(candidatesAt!.s) },
      { path: 'time to full-resolution COGs', seconds: round(cogsAt?.s ?? Number.NaN), 'CPU s': round(cogsAt?.cpu ?? Number.NaN), 'km²/h': perHour(cogsAt?.s ?? Number.NaN) },
      { path: 'end to end (flight done)', seconds: round(endToEndS), 'CPU s': round(cpuAtDone - cpuAtUpload), 'km²/h': perHour(endToEndS) },
      { path: `reference: model only (${network}), ${chips} chips`, seconds: round(modelS), 'CPU s': round(modelCpuS), 'km²/h': perHour(modelS) },
      { path: 'reference: gdal_translate -of COG, both uploads', seconds: round(peer.wallS), 'CPU s': round(peer.cpuS), 'km²/h': perHour(peer.wallS) },
    ]);
    const cogStage = stages.find((s) => s.stage === 'cog') ?? stages.find((s) => s.stage === 'ingest');
    console.log(`COG work (${cogStage?.stage} stage) CPU / gdal_translate CPU: ${cogStage ? (cogStage['CPU s'] / peer.cpuS).toFixed(2) : 'n/a'} (aim <= 1.1)`);
    console.log(`time to candidates / model-only time: ${(candidatesAt!.s / modelS).toFixed(2)}; peak memory of the worker ${workerPeak.toFixed(0)} MiB, with its GDAL children ${peak.toFixed(0)} MiB (aim <= 1024)`);
    // On a machine whose cores other work shares, wall seconds stretch; CPU seconds do not. A worker
    // with two cores of its own takes at least CPU s / 2 (every core busy) and at most CPU s.
    const bound = (cpu: number) => `${perHour(cpu)} to ${perHour(cpu / 2)} km²/h`;
    console.log(`from CPU time, a worker with 2 cores of its own: to candidates ${bound(candidatesAt!.cpu)}, end to end ${bound(cpuAtDone - cpuAtUpload)}`);
    // Within those bounds: each 200 ms interval's CPU seconds over the cores its threads asked for
    // (runnable threads, 1 to 2), which other work on the machine does not change. PostgreSQL's
    // and Redis's work is not in it (it is not in the CPU seconds either).
    const endToEndOwnS = ownCores.seconds;
    console.table([
      { path: 'time to candidates', 'wall s (this machine)': round(candidatesAt!.s), 'km²/h (wall)': perHour(candidatesAt!.s), '2-core worker s (from CPU)': round(candidatesAt!.ownCoresS), 'km²/h per 2-core worker': perHour(candidatesAt!.ownCoresS) },
      { path: 'end to end', 'wall s (this machine)': round(endToEndS), 'km²/h (wall)': perHour(endToEndS), '2-core worker s (from CPU)': round(endToEndOwnS), 'km²/h per 2-core worker': perHour(endToEndOwnS) },
    ]);
    // The worker's own CPU only: PostgreSQL's and Redis's work for the flight comes on top.
    console.log(`CPU time model-only / to candidates (worker and its children): ${(modelCpuS / candidatesAt!.cpu).toFixed(2)} (${os.availableParallelism()} cores)`);
  } finally {
    worker.kill('SIGTERM');
    await pool.end();
    await dropDatabase(url);
  }
}
