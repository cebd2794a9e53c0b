/**
 * Versioned migrations with node-pg-migrate over plain SQL files in db/migrations/
 * (`-- Up Migration` / `-- Down Migration` sections). Run by scripts/setup.sh and by the tests.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import { databaseUrl } from './connection.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies every pending migration in one transaction; returns the names it applied. */
export async function migrateUp(connectionString: string = databaseUrl()): Promise<string[]> {
  const applied = await runner({
    databaseUrl: connectionString,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    singleTransaction: true,
    checkOrder: true,
    log: () => undefined,
  });
  return applied.map((migration) => migration.name);
}

/** Reverts the last `count` migrations (tests use it to prove every migration can go down). */
export async function migrateDown(connectionString: string = databaseUrl(), count = Infinity): Promise<string[]> {
  const reverted = await runner({
    databaseUrl: connectionString,
    dir: MIGRATIONS_DIR,
    direction: 'down',
    count,
    migrationsTable: 'schema_migrations',
    singleTransaction: true,
    log: () => undefined,
  });
  return reverted.map((migration) => migration.name);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const applied = await migrateUp();
  console.log(applied.length ? `[migrate] applied ${applied.join(', ')}` : '[migrate] schema up to date');
}
