/**
 * HTTP Basic for GIS clients (issue 22 items 1 and 6), against the real database: a user name and
 * a token work wherever a bearer token does, with the same roles; a wrong, foreign, expired or
 * malformed one is refused with a 401 that names Basic in WWW-Authenticate; the password itself is
 * taken only at POST /api/tokens, and slowed down there as a login is.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadApiConfig } from '../api-config.js';
import { buildApi } from '../server.js';
import { MAX_PASSWORD_CHARS } from './credentials.js';
import { hashPassword } from './passwords.js';
import { ROLES } from '#domain/vocabulary.js';

const pool = createTestPool();
const PASSWORD = 'basic-auth-test-pw';
let app: FastifyInstance;
let hash = '';
const tokens: Record<string, string> = {};

beforeAll(async () => {
  await emptyTables(pool);
  hash = await hashPassword(PASSWORD);
  app = await buildApi({ pool });
});
beforeEach(async () => {
  await pool.query(`TRUNCATE login_throttle, api_session`);
  for (const role of ROLES) tokens[role] = await openSession(pool, await upsertUser(pool, { username: role, role, passwordHash: hash }), 'bearer', 1);
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
const get = (url: string, headers: Record<string, string>) => app.inject({ url, headers });
const throttleRows = async () => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM login_throttle`)).rows[0]!.n);

describe('Basic with a user name and a token', () => {
  it('is the token\'s user, as Bearer is', async () => {
    const response = await get('/api/me', { authorization: basic('reviewer', tokens.reviewer!) });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ username: 'reviewer', role: 'reviewer' });
    // The scheme name is case-insensitive (RFC 9110); GDAL and QGIS send "Basic".
    expect((await get('/api/me', { authorization: basic('reviewer', tokens.reviewer!).replace('Basic', 'basic') })).statusCode).toBe(200);
  });

  it('keeps the role checks: a reviewer gets 403 on an admin route, the admin 200', async () => {
    expect((await get('/api/admin/tokens', { authorization: basic('reviewer', tokens.reviewer!) })).statusCode).toBe(403);
    expect((await get('/api/admin/tokens', { authorization: basic('admin', tokens.admin!) })).statusCode).toBe(200);
  });

  it('refuses another user\'s token, an unknown, revoked or expired one, with a Basic challenge', async () => {
    const refused = async (authorization: string) => {
      const response = await get('/api/me', { authorization });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.headers['www-authenticate']).toEqual(['Basic realm="Lingwei", charset="UTF-8"', 'Bearer realm="Lingwei"']);
      return response.json().detail as string;
    };
    expect(await refused(basic('reviewer', tokens.operator!))).toContain('belongs to another user');
    expect(await refused(basic('reviewer', 'not-a-token'))).toContain('API token');
    await pool.query(`DELETE FROM api_session WHERE user_id = (SELECT id FROM app_user WHERE username = 'reviewer')`);
    expect(await refused(basic('reviewer', tokens.reviewer!))).toContain('unknown or has expired');
    await pool.query(`UPDATE api_session SET expires_at = now() - interval '1 second'`);
    expect(await refused(basic('operator', tokens.operator!))).toContain('unknown or has expired');
  });

  it('takes no login password except at POST /api/tokens: nothing is hashed or counted', async () => {
    const response = await get('/api/me', { authorization: basic('reviewer', PASSWORD) });
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toContain('API token');
    expect(await throttleRows()).toBe(0);
  });

  it('answers malformed Basic credentials 401 with what is wrong, never 400 or 500', async () => {
    const cases: Array<[string, string]> = [
      ['Basic !!!not-base64', 'not base64'],
      ['Basic cmV2aWV3ZXI', 'not base64'], // unpadded
      [`Basic ${Buffer.from('reviewer-no-colon').toString('base64')}`, 'no colon'],
      [basic('reviewer', ''), 'both a user name and a password'],
      [basic('', tokens.reviewer!), 'both a user name and a password'],
      [basic('reviewer', 'x'.repeat(MAX_PASSWORD_CHARS + 1)), 'at most'],
      [basic('r'.repeat(65), tokens.reviewer!), 'at most'],
      [basic('review\u0000er', tokens.reviewer!), 'at most'],
      [`Basic ${Buffer.from([0x72, 0x3a, 0xff, 0xfe]).toString('base64')}`, 'at most'], // not UTF-8
      ['Basic', 'Authorization: Bearer'],
      [`Basic ${Buffer.from(`reviewer:${tokens.reviewer!}`).toString('base64')} extra`, 'Authorization: Bearer'],
      ['Digest username="reviewer"', 'Authorization: Bearer'],
    ];
    for (const [authorization, why] of cases) {
      const response = await get('/api/me', { authorization });
      expect([authorization.slice(0, 40), response.statusCode]).toEqual([authorization.slice(0, 40), 401]);
      expect(response.json().detail, authorization).toContain(why);
    }
  });

  it('leaves Basic out of the challenge for the viewer\'s own fetches, so the browser shows no password box', async () => {
    const response = await get('/api/me', { 'sec-fetch-mode': 'cors' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toEqual(['Bearer realm="Lingwei"']);
    expect((await get('/api/me', { 'sec-fetch-mode': 'navigate' })).headers['www-authenticate']).toContain('Basic realm="Lingwei", charset="UTF-8"');
  });

  it('refuses Basic on a request a page of another site made (Sec-Fetch-Site), as the browser would send remembered credentials', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const response = await app.inject({ method: 'POST', url: '/api/candidates/1/review', headers: { authorization: basic('admin', tokens.admin!), 'sec-fetch-site': site }, payload: { action: 'reopen', version: 1 } });
      expect([site, response.statusCode]).toEqual([site, 401]);
      expect(response.json().detail).toContain('another site');
    }
    for (const site of ['same-origin', 'none']) {
      expect((await get('/api/me', { authorization: basic('admin', tokens.admin!), 'sec-fetch-site': site })).statusCode).toBe(200);
    }
  });

  it('refuses a change with the session cookie that a page of another site asked for (a sibling host is the same site to SameSite=Lax)', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'assessor', password: PASSWORD } });
    const cookie = `lingwei_session=${login.cookies.find((c) => c.name === 'lingwei_session')!.value}`;
    for (const site of ['same-site', 'cross-site']) {
      // A form posts text/plain, which the body parser takes; logout reads no body.
      const response = await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie, 'sec-fetch-site': site, 'content-type': 'text/plain' }, payload: 'x=1' });
      expect([site, response.statusCode]).toEqual([site, 403]);
      expect(response.json().detail).toContain('another site');
    }
    expect((await get('/api/me', { cookie, 'sec-fetch-site': 'same-site' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie, 'sec-fetch-site': 'same-origin' } })).statusCode).toBe(200);
    expect((await get('/api/me', { cookie })).statusCode).toBe(401);
  });

  it('refuses the same from a browser that sends no Sec-Fetch-Site but an Origin of another server', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'assessor', password: PASSWORD } });
    const cookie = `lingwei_session=${login.cookies.find((c) => c.name === 'lingwei_session')!.value}`;
    for (const origin of ['https://evil.example', 'http://intranet.example:8080', 'null']) {
      const logout = await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie, origin, 'content-type': 'text/plain' }, payload: 'x=1' });
      expect([origin, logout.statusCode]).toEqual([origin, 403]);
      const review = await app.inject({ method: 'POST', url: '/api/candidates/1/review', headers: { authorization: basic('admin', tokens.admin!), origin }, payload: { action: 'reopen', version: 1 } });
      expect([origin, review.statusCode]).toEqual([origin, 401]);
      expect(review.json().detail).toContain('another site');
    }
    // The server's own origin (the Host it was sent to, or the public base URL), and no Origin at all (GIS clients, scripts).
    const own = new URL(loadApiConfig().publicBaseUrl).origin;
    expect((await get('/api/me', { authorization: basic('admin', tokens.admin!), origin: own })).statusCode).toBe(200);
    expect((await get('/api/me', { authorization: basic('admin', tokens.admin!), host: 'lingwei.example:8443', origin: 'https://lingwei.example:8443' })).statusCode).toBe(200);
    expect((await get('/api/me', { authorization: basic('admin', tokens.admin!) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie, host: 'lingwei.example', origin: 'https://lingwei.example' } })).statusCode).toBe(200);
    expect((await get('/api/me', { cookie })).statusCode).toBe(401);
  });

  it('lets the viewer\'s cookie through a proxy that adds its own Basic login', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'assessor', password: PASSWORD } });
    const cookie = login.cookies.find((c) => c.name === 'lingwei_session')!.value;
    const response = await get('/api/me', { authorization: basic('proxy-user', 'proxy-password'), cookie: `lingwei_session=${cookie}` });
    expect(response.statusCode).toBe(200);
    expect(response.json().user.username).toBe('assessor');
  });
});

describe('POST /api/tokens with Basic user name and password (item 6: no cookie step)', () => {
  const mint = (authorization: string, payload: object = { days: 30, label: 'QGIS' }, remoteAddress = '10.9.0.1') =>
    app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization }, payload, remoteAddress });

  it('mints a token for the days asked, which then works as Basic and as Bearer', async () => {
    const response = await mint(basic('reviewer', PASSWORD));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.expires_in_days).toBeGreaterThan(29.9);
    expect(body.limited_by).toBeUndefined();
    expect((await get('/api/me', { authorization: basic('reviewer', body.token) })).json().user.username).toBe('reviewer');
    expect((await get('/api/me', { authorization: `Bearer ${body.token}` })).json().user.username).toBe('reviewer');
  });

  it('refuses a wrong password 401 and counts it, then slows the account down with 429', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await mint(basic('reviewer', 'wrong-password'), undefined, `10.9.1.${i}`);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('Basic realm="Lingwei", charset="UTF-8"');
    }
    expect(await throttleRows()).toBeGreaterThan(0);
    const slowed = await mint(basic('reviewer', PASSWORD), undefined, '10.9.2.1');
    expect(slowed.statusCode).toBe(429);
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(0);
    // An unknown name is refused the same way, not told apart.
    const unknown = await mint(basic('nobody', PASSWORD), undefined, '10.9.3.1');
    expect([unknown.statusCode, unknown.json().detail]).toEqual([401, (await mint(basic('operator', 'wrong'), undefined, '10.9.3.2')).json().detail]);
  });

  it('takes no password from a page of another site either: a browser sends the name and password it remembers with a foreign page\'s request', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const response = await app.inject({ method: 'POST', url: '/api/tokens', headers: { authorization: basic('reviewer', PASSWORD), 'sec-fetch-site': site }, payload: {} });
      expect([site, response.statusCode]).toEqual([site, 401]);
      expect(response.json().detail).toContain('another site');
    }
    expect((await pool.query(`SELECT count(*)::int AS n FROM api_session WHERE kind = 'bearer' AND user_id = (SELECT id FROM app_user WHERE username = 'reviewer')`)).rows[0].n).toBe(1);
  });

  it('still limits a token asked for with another token (Basic user name and token) to that token\'s life', async () => {
    const response = await mint(basic('reviewer', tokens.reviewer!));
    expect(response.statusCode).toBe(201);
    expect(response.json().limited_by).toContain('session that asked');
  });
});
