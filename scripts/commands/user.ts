/** `cli user add NAME --role ROLE`: creates an account (or resets its role and password). */
import { parseArgs } from 'node:util';
import { createPool } from '../../db/connection.js';
import { ROLES, upsertUser, type Role } from '../../db/sql/users.js';
import { hashPassword } from '../../api/src/auth/passwords.js';

export const USER_USAGE = `user add <name> --role <${ROLES.join('|')}> [--password P]   (or LINGWEI_PASSWORD in the environment)`;

export async function runUserCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string' }, password: { type: 'string' } } });
  const [verb, name] = positionals;
  const password = values.password ?? process.env.LINGWEI_PASSWORD;
  if (verb !== 'add' || !name || !values.role) {
    console.error(`usage: npm run cli -- ${USER_USAGE}`);
    return 2;
  }
  if (!(ROLES as readonly string[]).includes(values.role)) {
    console.error(`unknown role "${values.role}": use one of ${ROLES.join(', ')}`);
    return 2;
  }
  if (!password || password.length < 8) {
    console.error('give a password of at least 8 characters with --password or LINGWEI_PASSWORD');
    return 2;
  }
  const pool = createPool();
  try {
    const id = await upsertUser(pool, { username: name, role: values.role as Role, passwordHash: await hashPassword(password) });
    console.log(`user ${name} (${values.role}) is id ${id}`);
    return 0;
  } finally {
    await pool.end();
  }
}
