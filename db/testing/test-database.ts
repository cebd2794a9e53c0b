/**
 * Tests never touch the working database: they use a throw-away database on the same server,
 * `<name>_test` (or TEST_DATABASE_URL), recreated and migrated once per `vitest run`.
 */
import pg from 'pg';
import { createPool, databaseUrl } from '../connection.js';

export function testDatabaseUrl(): string {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const url = new URL(databaseUrl());
  url.pathname = `${url.pathname.replace(/^\//, '') || 'lingwei'}_test`;
  return url.toString();
}

/** Drops and creates the test database (the server's role needs CREATEDB). */
export async function recreateTestDatabase(): Promise<string> {
  const target = new URL(testDatabaseUrl());
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(target);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  return target.toString();
}

const APP_TABLES = [
  'stored_report', 'demolition_schedule', 'review_event', 'candidate_observation', 'candidate', 'detection_run',
  'flight_asset', 'flight', 'app_user', 'sensitive_zone', 'planning_permit', 'register_entry', 'baseline_building',
  'admin_area',
];

/** A pool on the test database. */
export function createTestPool(): pg.Pool {
  return createPool(testDatabaseUrl(), 4);
}

/** Empties every application table (TRUNCATE bypasses the audit trail's append-only trigger by design). */
export async function emptyTables(pool: pg.Pool): Promise<void> {
  await pool.query(`TRUNCATE ${APP_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
}
