/** SQL of the login back-off: failed-attempt counts per account name and per client address. */
import type pg from 'pg';
import type { Queryable } from './queryable.js';

export interface ThrottleRow {
  key: string;
  failures: number;
  lastFailureAt: Date | null;
}

/**
 * Locks the counts of `keys` (creating empty ones) until the transaction ends, in key order so
 * that two logins never wait on each other crosswise, and returns them with the database's clock.
 * Concurrent attempts on one key are thereby decided one after another: 400 guesses sent at once
 * see each other's failures.
 */
export async function lockThrottleRows(client: pg.PoolClient, keys: string[]): Promise<{ now: Date; rows: Map<string, ThrottleRow> }> {
  const sorted = [...new Set(keys)].sort();
  await client.query(`INSERT INTO login_throttle (key) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (key) DO NOTHING`, [sorted]);
  const { rows } = await client.query<{ key: string; failures: number; last_failure_at: Date | null }>(
    `SELECT key, failures, last_failure_at FROM login_throttle WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
    [sorted],
  );
  // The clock after the locks are held (a transaction's now() would be from before the wait).
  const { rows: clock } = await client.query<{ now: Date }>(`SELECT clock_timestamp() AS now`);
  return {
    now: clock[0]!.now,
    rows: new Map(rows.map((r) => [r.key, { key: r.key, failures: r.failures, lastFailureAt: r.last_failure_at }])),
  };
}

export async function setThrottleRow(client: pg.PoolClient, row: ThrottleRow): Promise<void> {
  await client.query(`UPDATE login_throttle SET failures = $2, last_failure_at = $3 WHERE key = $1`, [row.key, row.failures, row.lastFailureAt]);
}

/** Takes back one failure counted in advance for an attempt that succeeded. */
export async function takeBackFailure(db: Queryable, key: string): Promise<void> {
  await db.query(`UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1`, [key]);
}

export async function clearThrottle(db: Queryable, key: string): Promise<void> {
  await db.query(`DELETE FROM login_throttle WHERE key = $1`, [key]);
}

/** Removes counts whose last failure is older than `seconds` (they no longer hold anyone back). */
export async function sweepThrottle(db: Queryable, seconds: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM login_throttle WHERE last_failure_at IS NULL OR last_failure_at < clock_timestamp() - make_interval(secs => $1)`,
    [seconds],
  );
  return rowCount ?? 0;
}
