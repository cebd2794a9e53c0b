/** vitest globalSetup: one fresh, migrated test database per run. */
import { migrateUp } from '../migrate.js';
import { recreateTestDatabase } from './test-database.js';

export default async function setup(): Promise<void> {
  const url = await recreateTestDatabase();
  await migrateUp(url);
}
