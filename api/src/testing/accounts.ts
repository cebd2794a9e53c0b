/** Test accounts: one per role, and a second reviewer for races. */
import type pg from 'pg';
import { upsertUser } from '#db/sql/users.js';
import type { Role } from '#domain/vocabulary.js';
import { hashPassword } from '../auth/passwords.js';

export const PASSWORD = 'lingwei-viewer-pw';

/** One account per role, user name = role (and a second reviewer for races), password PASSWORD. */
export async function createAccounts(pool: pg.Pool): Promise<void> {
  const hash = await hashPassword(PASSWORD);
  for (const role of ['operator', 'reviewer', 'assessor', 'admin'] as Role[]) await upsertUser(pool, { username: role, role, passwordHash: hash });
  await upsertUser(pool, { username: 'reviewer2', role: 'reviewer', passwordHash: hash });
}

