/**
 * `npm run worker`: a pipeline worker process. Run as many as you like, on as many machines, against
 * the same Redis, PostgreSQL and raster store. It also keeps the weekly report schedule and runs
 * its job. SIGTERM or SIGINT closes it gracefully: it finishes
 * the job in hand and takes no new one; a second signal stops at once, and the interrupted job is
 * handed to another worker when its lock expires.
 */
import { createPool } from '#db/connection.js';
import { loadConfig } from './config.js';
import { servedDetectors } from './model/served-detectors.js';
import { createFlightWorker } from './queue/flight-worker.js';
import { createRedisConnection } from './queue/redis-connection.js';
import { FLIGHT_STAGE_RUNNERS } from './stages/index.js';
import { createReportWorker, scheduleWeeklyReport } from './queue/weekly-report-job.js';
import { createAdaptWorker } from './queue/adapt-job.js';

/** WORKER_LOCK_MS, a whole number of ms from 1000 (shorter locks expire under a busy event loop). */
function lockDurationOf(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 30_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1000) throw new Error(`WORKER_LOCK_MS must be a whole number of milliseconds, at least 1000, got ${JSON.stringify(raw)}`);
  return ms;
}

const config = loadConfig();
const pool = createPool();
const connection = createRedisConnection(config.redisUrl);
// The promoted model version is read per flight: a promotion or rollback reaches this worker at
// its next flight without a restart (model/served-detectors.ts).
const detectors = servedDetectors({ threads: config.modelThreads });
const worker = createFlightWorker({
  pool,
  connection,
  config,
  stages: FLIGHT_STAGE_RUNNERS,
  detectors,
  lockDurationMs: lockDurationOf(process.env.WORKER_LOCK_MS),
});
worker.on('error', (error) => console.error('[worker]', error.message));
await scheduleWeeklyReport(connection, config.queuePrefix);
const reports = createReportWorker(pool, connection, config.queuePrefix);
// Adaptation jobs hold the CPU for minutes to hours: only where asked (else `npm run model -- worker`).
const adaptations = process.env.ADAPT_ON_DETECTION_WORKERS === '1' ? createAdaptWorker(connection, config.queuePrefix) : null;
reports.on('completed', (job) => console.log(`[worker] weekly reports stored (${job.returnvalue as number} areas)`));
worker.on('completed', (job) => console.log(`[worker] flight ${job.data.flightId}: ${job.name} done`));
worker.on('failed', (job, error) => console.log(`[worker] flight ${job?.data.flightId}: ${job?.name} failed: ${error.message}`));
console.log(`[worker] ${process.pid} serving ${config.redisUrl} (concurrency ${config.concurrency}, raster store ${config.rasterStore})`);

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) {
    console.log(`[worker] ${signal} again: stopping now`);
    process.exit(1);
  }
  closing = true;
  console.log(`[worker] ${signal}: finishing the job in hand, then stopping`);
  await Promise.all([worker.close(), reports.close(), adaptations?.close()]);
  await detectors.close();
  await pool.end();
  connection.disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
