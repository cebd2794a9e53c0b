/**
 * Logins and sessions against the real database over HTTP (issue 21, items 8-10): back-off per
 * account and per address, unknown names as slow as real ones, a password reset that revokes,
 * tokens listed and revoked (API and CLI), their lifetime capped and never longer than the
 * session that minted them without the password.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';
import { upsertUser } from '#db/sql/users.js';
import { runUserCommand } from '#scripts/commands/user.js';
import { ROLES } from '#domain/vocabulary.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';

// The CLI opens its own pool on DATABASE_URL: point it at the test database (named first).
process.env.TEST_DATABASE_URL = testDatabaseUrl();
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
const pool = createTestPool();
const PASSWORD = 'sessions-test-pw';
let app: FastifyInstance;
let hash = '';

beforeAll(async () => {
  await emptyTables(pool);
  hash = await hashPassword(PASSWORD);
  app = await buildApi({ pool, config: { tokenMaxDays: 30 } });
});
beforeEach(async () => {
  await pool.query(`TRUNCATE login_throttle, api_session`);
  for (const role of ROLES) await upsertUser(pool, { username: role, role, passwordHash: hash });
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

const login = (username: string, password: string, address = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/login', payload: { username, password }, remoteAddress: address });
const cookieOf = (response: Awaited<ReturnType<typeof login>>) => response.cookies.find((c) => c.name === 'lingwei_session')!.value;
const asCookie = (cookie: string) => ({ cookie: `lingwei_session=${cookie}` });
const asBearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** Makes every remembered failure `seconds` older, as if that time had passed. */
const letTimePass = (seconds: number) => pool.query(`UPDATE login_throttle SET last_failure_at = last_failure_at - make_interval(secs => $1)`, [seconds]);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await runUserCommand(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('login back-off (item 8)', () => {
  it('slows an account down after 5 failures, from any address, even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login('reviewer', 'wrong-password', `10.1.0.${i}`)).statusCode).toBe(401);
    const held = await login('reviewer', PASSWORD, '10.1.0.99');
    expect(held.statusCode).toBe(429);
    expect(held.headers['content-type']).toContain('application/problem+json');
    expect(Number(held.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Other accounts are not held back.
    expect((await login('assessor', PASSWORD, '10.1.0.99')).statusCode).toBe(200);
    // Once the wait has passed the right password works, and clears the account's count.
    await letTimePass(2);
    expect((await login('reviewer', PASSWORD, '10.1.0.99')).statusCode).toBe(200);
    expect((await pool.query(`SELECT 1 FROM login_throttle WHERE key = 'account:reviewer'`)).rowCount).toBe(0);
  });

  it('doubles the wait with each further failure', async () => {
    for (let i = 0; i < 5; i++) await login('operator', 'wrong-password');
    await letTimePass(1);
    expect((await login('operator', 'wrong-password')).statusCode).toBe(401);
    const second = await login('operator', 'wrong-password');
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBe(2);
  });

  it('forgets the failures an hour after the last one', async () => {
    for (let i = 0; i < 5; i++) await login('operator', 'wrong-password');
    expect((await login('operator', 'wrong-password')).statusCode).toBe(429);
    await letTimePass(3600);
    expect((await login('operator', 'wrong-password')).statusCode).toBe(401);
    expect((await pool.query(`SELECT failures FROM login_throttle WHERE key = 'account:operator'`)).rows[0].failures).toBe(1);
  });

  it('lets only the free attempts through when 60 guesses arrive at once', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => login('admin', `guess-${i}-wrong`, `10.2.${i}.1`)));
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(55);
  });

  it('slows an address down after 30 failures across names, not other addresses', async () => {
    for (let i = 0; i < 30; i++) expect((await login(`nobody-${i}`, 'wrong-password', '10.3.0.1')).statusCode).toBe(401);
    expect((await login('assessor', PASSWORD, '10.3.0.1')).statusCode).toBe(429);
    expect((await login('assessor', PASSWORD, '10.3.0.2')).statusCode).toBe(200);
  });

  it('does not count successful logins against the address', async () => {
    for (let i = 0; i < 40; i++) expect((await login('assessor', PASSWORD, '10.4.0.1')).statusCode).toBe(200);
  });
});

describe('unknown user names (item 9)', () => {
  /** CPU time of the process (every thread: scrypt runs in libuv's pool) spent on `work`, ms. */
  async function cpuMs(work: () => Promise<unknown>): Promise<number> {
    const before = process.cpuUsage();
    await work();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  }

  it('costs as much work as a real account with a wrong password (the hash is computed anyway)', async () => {
    // CPU time, not wall time: other work on the machine does not change it.
    const attempts = 4;
    const real = await cpuMs(async () => {
      for (let i = 0; i < attempts; i++) expect((await login('reviewer', `wrong-${i}-password`, `10.5.0.${i}`)).statusCode).toBe(401);
    });
    const unknown = await cpuMs(async () => {
      for (let i = 0; i < attempts; i++) expect((await login('no-such-user', `wrong-${i}-password`, `10.5.1.${i}`)).statusCode).toBe(401);
    });
    // scrypt takes tens of ms per attempt; the rest of a login a few ms.
    expect(unknown).toBeGreaterThan(real * 0.6);
  });

  it('answers an unknown name exactly as a wrong password', async () => {
    const unknown = await login('no-such-user', 'wrong-password');
    const wrong = await login('reviewer', 'wrong-password');
    expect([unknown.statusCode, unknown.json()]).toEqual([wrong.statusCode, wrong.json()]);
  });
});

describe('sessions and tokens (item 10)', () => {
  it('revokes old cookies and tokens when the password is set again (cli user add)', async () => {
    const cookie = cookieOf(await login('assessor', PASSWORD));
    const token = (await app.inject({ method: 'POST', url: '/api/tokens', headers: asCookie(cookie), payload: { label: 'QGIS', password: PASSWORD } })).json().token;
    expect((await app.inject({ url: '/api/me', headers: asBearer(token) })).statusCode).toBe(200);
    const added = await cli(['add', 'assessor', '--role', 'assessor', '--password', 'a-new-password']);
    expect(added.code).toBe(0);
    expect((await app.inject({ url: '/api/me', headers: asCookie(cookie) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/me', headers: asBearer(token) })).statusCode).toBe(401);
    expect((await login('assessor', 'a-new-password')).statusCode).toBe(200);
  });

  it('lists and revokes one\'s own tokens over the API, and nobody else\'s', async () => {
    const cookie = cookieOf(await login('reviewer', PASSWORD));
    const made = (await app.inject({ method: 'POST', url: '/api/tokens', headers: asCookie(cookie), payload: { label: 'script' } })).json();
    const list = (await app.inject({ url: '/api/tokens', headers: asCookie(cookie) })).json().tokens as Array<Record<string, unknown>>;
    expect(list.map((t) => [t.kind, t.label, t.current])).toEqual([['bearer', 'script', false], ['cookie', null, true]]);
    expect(JSON.stringify(list)).not.toContain(made.token);
    const otherCookie = cookieOf(await login('operator', PASSWORD));
    expect((await app.inject({ method: 'DELETE', url: `/api/tokens/${made.id}`, headers: asCookie(otherCookie) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/me', headers: asBearer(made.token) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/api/tokens/${made.id}`, headers: asCookie(cookie) })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/me', headers: asBearer(made.token) })).statusCode).toBe(401);
  });

  it('lets an admin list anyone\'s tokens and revoke all of a user\'s', async () => {
    const reviewer = cookieOf(await login('reviewer', PASSWORD));
    const token = (await app.inject({ method: 'POST', url: '/api/tokens', headers: asCookie(reviewer), payload: {} })).json().token;
    const admin = cookieOf(await login('admin', PASSWORD));
    const listed = (await app.inject({ url: '/api/admin/tokens?user=reviewer', headers: asCookie(admin) })).json().tokens as Array<{ username: string }>;
    expect(listed.map((t) => t.username)).toEqual(['reviewer', 'reviewer']);
    expect((await app.inject({ url: '/api/admin/tokens', headers: asCookie(reviewer) })).statusCode).toBe(403);
    const revoked = await app.inject({ method: 'DELETE', url: '/api/admin/users/reviewer/tokens', headers: asCookie(admin) });
    expect(revoked.json()).toEqual({ revoked: 2 });
    expect((await app.inject({ url: '/api/me', headers: asBearer(token) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/me', headers: asCookie(reviewer) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/me', headers: asCookie(admin) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/api/admin/users/nobody/tokens', headers: asCookie(admin) })).statusCode).toBe(404);
  });

  it('lists and revokes tokens from the command line', async () => {
    const cookie = cookieOf(await login('operator', PASSWORD));
    const made = (await app.inject({ method: 'POST', url: '/api/tokens', headers: asCookie(cookie), payload: { label: 'drone-pc' } })).json();
    const listed = await cli(['tokens', 'operator']);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('drone-pc');
    expect(listed.out).toMatch(new RegExp(`^\\s*${made.id}\\s+bearer`, 'm'));
    expect((await cli(['revoke', 'reviewer', made.id])).code).toBe(1);
    expect((await cli(['revoke', 'operator', made.id])).code).toBe(0);
    expect((await app.inject({ url: '/api/me', headers: asBearer(made.token) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/me', headers: asCookie(cookie) })).statusCode).toBe(200);
    expect((await cli(['revoke', 'operator', 'all'])).out).toContain('revoked 1');
    expect((await app.inject({ url: '/api/me', headers: asCookie(cookie) })).statusCode).toBe(401);
  });

  it('caps a token\'s lifetime at TOKEN_MAX_DAYS', async () => {
    const cookie = cookieOf(await login('assessor', PASSWORD));
    const long = await app.inject({ method: 'POST', url: '/api/tokens', headers: asCookie(cookie), payload: { days: 365, password: PASSWORD } });
    expect(long.statusCode).toBe(400);
    expect(long.json().detail).toContain('30');
    const ok = await app.inject({ method: 'POST', url: '/api/tokens', headers: asCookie(cookie), payload: { days: 30, password: PASSWORD } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().expires_in_days).toBeGreaterThan(29.9);
  });

  it('never mints a token that outlives the 12-hour cookie that asks for it without the password', async () => {
    const cookie = cookieOf(await login('assessor', PASSWORD));
    const short = await app.inject({ method: 'POST', url: '/api/tokens', headers: asCookie(cookie), payload: { days: 30 } });
    expect(short.statusCode).toBe(201);
    const hours = (Date.parse(short.json().expires_at) - Date.now()) / 3_600_000;
    expect(hours).toBeLessThanOrEqual(12);
    expect(hours).toBeGreaterThan(11.9);
    // A token cannot mint a longer one either.
    const chained = await app.inject({ method: 'POST', url: '/api/tokens', headers: asBearer(short.json().token), payload: { days: 30 } });
    expect(Date.parse(chained.json().expires_at)).toBeLessThanOrEqual(Date.parse(short.json().expires_at));
    // The wrong password mints nothing, and counts as a failed login.
    const wrong = await app.inject({ method: 'POST', url: '/api/tokens', headers: asCookie(cookie), payload: { days: 30, password: 'wrong-password' } });
    expect(wrong.statusCode).toBe(401);
    expect((await pool.query(`SELECT failures FROM login_throttle WHERE key = 'account:assessor'`)).rows[0].failures).toBe(1);
  });
});
