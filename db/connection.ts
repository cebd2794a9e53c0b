/**
 * The one place that knows how to reach PostgreSQL. Every module takes a `pg.Pool` (or a client in
 * a transaction) from here, so tests can point the whole project at a throw-away database.
 */
import pg from 'pg';

/** Default when `DATABASE_URL` is unset: the local server that `scripts/setup.sh` starts. */
export const DEFAULT_DATABASE_URL = 'postgres://lingwei:lingwei@127.0.0.1:5432/lingwei';

export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

export function createPool(connectionString: string = databaseUrl(), max = 8): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'lingwei' });
  // An idle connection dropped by a server restart must not crash the process: the pool discards
  // it and the next query opens a new one (a query in flight fails and its job is retried).
  pool.on('error', (error) => console.error(`[db] idle connection lost: ${error.message}`));
  return pool;
}

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back when it throws, so a
 * killed worker or a rejected import never leaves half-written rows behind.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Runs `work` in one read-only snapshot (repeatable read): every query sees the database as it
 * was at the first, so figures read one after another agree with each other. Always rolled back.
 */
export async function inReadOnlySnapshot<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return await work(client);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
