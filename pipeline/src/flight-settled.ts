/**
 * Waiting for a flight the workers process: its row is polled until the flight is done or failed.
 * The scene runner, the bench and the tests that fly scenes wait through here; the CLI's
 * waitForFlight (scripts/commands/ingest.ts) draws a progress bar and rides out a database
 * restart, so it polls on its own.
 */
import type { Queryable } from '#db/sql/queryable.js';
import { getFlight } from '#db/sql/flights.js';

export type SettledFlight = NonNullable<Awaited<ReturnType<typeof getFlight>>>;

export interface SettleOptions {
  /** Give up after this long, ms (default 300 000; Infinity waits as long as it takes). */
  timeoutMs?: number;
  /** Between two looks at the row, ms (default 250). */
  pollMs?: number;
}

/** The flight's row once it is done or failed. */
export async function flightSettled(db: Queryable, flightId: string, options: SettleOptions = {}): Promise<SettledFlight> {
  const { timeoutMs = 300_000, pollMs = 250 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const flight = await getFlight(db, flightId);
    if (!flight) throw new Error(`flight ${flightId} does not exist`);
    if (flight.status === 'done' || flight.status === 'failed') return flight;
    if (Date.now() > deadline) throw new Error(`flight ${flightId} did not finish within ${timeoutMs / 1000} s (status ${flight.status}, stage ${flight.stage})`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** flightSettled, and an error when the flight failed. */
export async function flightDone(db: Queryable, flightId: string, options: SettleOptions = {}): Promise<SettledFlight> {
  const flight = await flightSettled(db, flightId, options);
  if (flight.status === 'failed') throw new Error(`flight ${flightId} failed: ${flight.failure_reason}`);
  return flight;
}
