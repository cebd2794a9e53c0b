/**
 * Tests never touch the working database: they use a throw-away database on the same server,
 * `<name>_test` (or TEST_DATABASE_URL), recreated and migrated once per `vitest run`.
 */
import pg from 'pg';
import { createPool, databaseUrl } from '../connection.js';

export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? siblingDatabaseUrl(databaseUrl(), '_test');
}

/** `url` with its database name replaced by `<name><suffix>`. */
export function siblingDatabaseUrl(url: string, suffix: string): string {
  const sibling = new URL(url);
  sibling.pathname = `${sibling.pathname.replace(/^\//, '') || 'lingwei'}${suffix}`;
  return sibling.toString();
}

async function onMaintenanceDatabase(url: string, sql: (name: string) => string[]): Promise<void> {
  const target = new URL(url);
  const admin = new URL(target);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (const statement of sql(pg.escapeIdentifier(decodeURIComponent(target.pathname.slice(1))))) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Drops (if present) and creates the empty database named in `url`; the role needs CREATEDB. */
export async function recreateDatabase(url: string): Promise<string> {
  await onMaintenanceDatabase(url, (name) => [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`]);
  return url;
}

export async function dropDatabase(url: string): Promise<void> {
  await onMaintenanceDatabase(url, (name) => [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}

export function recreateTestDatabase(): Promise<string> {
  return recreateDatabase(testDatabaseUrl());
}

const APP_TABLES = [
  'api_session', 'login_throttle',
  'demolition_quota',
  'detection',
  'stored_report', 'demolition_schedule', 'review_event', 'candidate_observation', 'evidence_chip', 'candidate', 'detection_run',
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
