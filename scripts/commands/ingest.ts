/** `cli ingest <ortho.tif> [--dsm dsm.tif]`: queues a flight and shows its progress until it ends. */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type pg from 'pg';
import { createPool } from '#db/connection.js';
import { tallyOfFlight } from '#db/sql/candidate-reads.js';
import { getFlight } from '#db/sql/flights.js';
import { loadConfig } from '#pipeline/config.js';
import { capturedAtProblem } from '#pipeline/core/captured-at.js';
import { takeInFlight } from '#pipeline/flight-intake.js';

export const INGEST_USAGE =
  'ingest <ortho.tif | tiles-folder> [--dsm dsm.tif] [--zoom Z [--scheme xyz|tms]] [--captured-at ISO] [--operator NAME] [--reference]';

/** How long the database may stay unreachable while a flight is awaited (it restarts; workers retry). */
export const DATABASE_OUTAGE_MS = 120_000;

/**
 * Polls the flight row until it is done or failed, drawing a progress bar with the stage. A
 * database that goes away for a while (a restart) is waited for, as the workers wait for it.
 */
export async function waitForFlight(
  pool: pg.Pool,
  flightId: string,
  label = `flight ${flightId}`,
  outageMs = DATABASE_OUTAGE_MS,
): Promise<NonNullable<Awaited<ReturnType<typeof getFlight>>>> {
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {stage}`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { stage: 'queued' });
  let unreachableSince: number | null = null;
  try {
    for (;;) {
      let flight: Awaited<ReturnType<typeof getFlight>>;
      try {
        flight = await getFlight(pool, flightId);
        unreachableSince = null;
      } catch (error) {
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince >= outageMs) {
          throw new Error(`the database has been unreachable for ${(outageMs / 1000).toFixed(1)} s; the flight goes on in the workers (${(error as Error).message})`, { cause: error });
        }
        bar.update({ stage: 'database unreachable, waiting' });
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (!flight) throw new Error(`flight ${flightId} does not exist`);
      bar.update(Math.round(flight.progress * 100), { stage: flight.stage ?? flight.status });
      if (flight.status === 'done' || flight.status === 'failed') return flight;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    bar.stop();
  }
}

export async function summariseFlight(pool: pg.Pool, flightId: string): Promise<string> {
  const rows = await tallyOfFlight(pool, flightId);
  if (!rows.length) return '  no changes found';
  return rows.map((r) => `  ${r.status.padEnd(20)} ${r.change_type.padEnd(17)} ${String(r.n).padStart(4)}  ${r.m2} m²`).join('\n');
}

export async function runIngestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dsm: { type: 'string' },
      'captured-at': { type: 'string' },
      operator: { type: 'string' },
      reference: { type: 'boolean', default: false },
      zoom: { type: 'string' },
      scheme: { type: 'string', default: 'xyz' },
    },
  });
  if (values.scheme !== 'xyz' && values.scheme !== 'tms') {
    console.error(`--scheme must be xyz or tms, not ${values.scheme}`);
    return 2;
  }
  const zoom = values.zoom === undefined ? undefined : Number(values.zoom);
  if (zoom !== undefined && !(Number.isInteger(zoom) && zoom >= 0 && zoom <= 24)) {
    console.error(`--zoom must be a whole number from 0 to 24, not ${values.zoom}`);
    return 2;
  }
  if (positionals.length !== 1) {
    console.error(`usage: npm run cli -- ${INGEST_USAGE}`);
    return 2;
  }
  for (const file of [positionals[0]!, values.dsm]) {
    if (file !== undefined && !fs.existsSync(file)) {
      console.error(`${file}: no such file or folder`);
      return 2;
    }
  }
  const capturedAtRefusal = values['captured-at'] === undefined ? null : capturedAtProblem(values['captured-at']);
  if (capturedAtRefusal) {
    console.error(capturedAtRefusal);
    return 2;
  }
  const pool = createPool();
  try {
    const { flightId, duplicate } = await takeInFlight(pool, loadConfig(), {
      orthophoto: positionals[0]!,
      surfaceModel: values.dsm,
      capturedAt: values['captured-at'],
      operator: values.operator,
      purpose: values.reference ? 'reference' : 'patrol',
      tiles: zoom === undefined ? undefined : { zoom, scheme: values.scheme },
    });
    console.log(duplicate ? `this orthophoto is flight ${flightId} already` : `queued flight ${flightId}; a worker (npm run worker) processes it`);
    const flight = await waitForFlight(pool, flightId);
    if (flight.status === 'failed') {
      console.error(`flight ${flightId} failed: ${flight.failure_reason}`);
      return 1;
    }
    console.log(`flight ${flightId} done (drift corrected: ${(flight.shift_dx_m ?? 0).toFixed(2)} m east, ${(flight.shift_dy_m ?? 0).toFixed(2)} m north)`);
    for (const notice of flight.notices ?? []) console.warn(`notice: ${notice}`);
    console.log(await summariseFlight(pool, flightId));
    return 0;
  } finally {
    await pool.end();
  }
}
