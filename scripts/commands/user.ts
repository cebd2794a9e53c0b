/**
 * `cli user add NAME --role ROLE`: creates an account, or resets its role and password, which
 * revokes every session and token it had. `cli user tokens NAME`: its live sessions and tokens.
 * `cli user revoke NAME ID|all`: revokes one of them, or all.
 */
import { parseArgs } from 'node:util';
import { createPool } from '#db/connection.js';
import { listSessions, revokeSession, revokeUserSessions, upsertUser } from '#db/sql/users.js';
import { hashPassword } from '#api/auth/passwords.js';
import { ROLES, type Role } from '#domain/vocabulary.js';

export const USER_USAGE = [
  `user add <name> --role <${ROLES.join('|')}> [--password P]   (or LINGWEI_PASSWORD in the environment; revokes the user's sessions and tokens)`,
  'user tokens <name>                 the user\'s live sessions and tokens',
  'user revoke <name> <id|all>        revokes one session or token of the user, or all of them',
].join('\n  ');

function usage(): number {
  console.error(`usage: npm run cli -- ${USER_USAGE}`);
  return 2;
}

async function withPool<T>(work: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const pool = createPool();
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

async function addUser(name: string, role: string | undefined, password: string | undefined): Promise<number> {
  if (!role) return usage();
  if (!(ROLES as readonly string[]).includes(role)) {
    console.error(`unknown role "${role}": use one of ${ROLES.join(', ')}`);
    return 2;
  }
  if (!password || password.length < 8) {
    console.error('give a password of at least 8 characters with --password or LINGWEI_PASSWORD');
    return 2;
  }
  const id = await withPool(async (pool) => upsertUser(pool, { username: name, role: role as Role, passwordHash: await hashPassword(password) }));
  console.log(`user ${name} (${role}) is id ${id}; any sessions and tokens it had are revoked`);
  return 0;
}

async function listTokens(name: string): Promise<number> {
  const sessions = await withPool((pool) => listSessions(pool, { username: name }));
  if (!sessions.length) {
    console.log(`${name} has no live sessions or tokens`);
    return 0;
  }
  console.log(['id'.padStart(8), 'kind  ', 'created'.padEnd(24), 'expires'.padEnd(24), 'label'].join('  '));
  for (const s of sessions) {
    console.log([s.id.padStart(8), s.kind.padEnd(6), s.created_at.toISOString().padEnd(24), s.expires_at.toISOString().padEnd(24), s.label ?? ''].join('  '));
  }
  return 0;
}

async function revokeTokens(name: string, which: string | undefined): Promise<number> {
  if (which === 'all') {
    const revoked = await withPool((pool) => revokeUserSessions(pool, name));
    if (revoked === null) {
      console.error(`there is no user ${name}`);
      return 1;
    }
    console.log(`revoked ${revoked} session(s) and token(s) of ${name}`);
    return 0;
  }
  if (!which || !/^[0-9]{1,18}$/.test(which)) return usage();
  const done = await withPool(async (pool) => {
    const owner = (await listSessions(pool, { username: name })).find((s) => s.id === which);
    return owner ? revokeSession(pool, which) : false;
  });
  if (!done) {
    console.error(`${name} has no live session or token ${which} (see: npm run cli -- user tokens ${name})`);
    return 1;
  }
  console.log(`revoked ${which} of ${name}`);
  return 0;
}

export async function runUserCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string' }, password: { type: 'string' } } });
  const [verb, name, which] = positionals;
  if (!name) return usage();
  if (verb === 'add') return addUser(name, values.role, values.password ?? process.env.LINGWEI_PASSWORD);
  if (verb === 'tokens') return listTokens(name);
  if (verb === 'revoke') return revokeTokens(name, which);
  return usage();
}
