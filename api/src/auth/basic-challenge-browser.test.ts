/**
 * The Basic challenge in a real browser (Chromium): the viewer's own requests (fetch, images) get
 * 401 without "Basic" in WWW-Authenticate, so the browser never puts its password box over the
 * viewer's login form; opening an API address in a tab does get it, and a browser that answers it
 * with the user name and a token is let in, but not when a page of another site makes the request.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { launchChromium } from '#viewer/tests/harness.js';
import { buildApi } from '../server.js';
import { hashPassword } from './passwords.js';

const pool = createTestPool();
let app: FastifyInstance;
let browser: Browser;
let base = '';
let token = '';
const answered: Array<{ url: string; status: number; mode: string | undefined; challenge: string; basic: boolean }> = [];

beforeAll(async () => {
  await emptyTables(pool);
  token = await openSession(pool, await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('browser-challenge-pw') }), 'bearer', 1);
  app = await buildApi({ pool });
  app.addHook('onResponse', async (request, reply) => void answered.push({
    url: request.url, status: reply.statusCode, mode: request.headers['sec-fetch-mode'] as string | undefined, challenge: String(reply.getHeader('www-authenticate') ?? ''),
    basic: request.headers.authorization?.startsWith('Basic ') ?? false,
  }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await pool.end();
});

describe('the Basic challenge in Chromium', () => {
  it('is left out of the answers to a page\'s own fetch and image requests', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/docs/json`); // a public page of the API's origin, opened without credentials
    answered.length = 0;
    const status = await page.evaluate(async () => (await fetch('/api/me')).status);
    expect(status).toBe(401);
    await page.evaluate(() => new Promise((resolve) => {
      const image = new Image();
      image.onerror = image.onload = resolve;
      image.src = '/api/tiles/candidates/0/0/0.mvt';
    }));
    const refused = answered.filter((a) => a.status === 401);
    expect(refused.map((r) => [r.url, r.mode])).toEqual([['/api/me', 'cors'], ['/api/tiles/candidates/0/0/0.mvt', 'no-cors']]);
    expect(refused.map((r) => r.challenge)).toEqual(['Bearer realm="Lingwei"', 'Bearer realm="Lingwei"']);
    await page.close();
  });

  it('is sent when an API address is opened in a tab, and the user name and token answer it', async () => {
    const anonymous = await browser.newPage();
    // Headless Chromium has nobody to ask for a password: it gives up on the challenge (a browser
    // with a window shows its password box here).
    await expect(anonymous.goto(`${base}/api/me`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    expect(answered.at(-1)).toMatchObject({ status: 401, mode: 'navigate', challenge: expect.stringContaining('Basic realm="Lingwei"') });
    await anonymous.close();
    const context = await browser.newContext({ httpCredentials: { username: 'reviewer', password: token } });
    const page = await context.newPage();
    const response = await page.goto(`${base}/api/me`);
    expect(response!.status()).toBe(200);
    expect(JSON.parse(await response!.text()).user.username).toBe('reviewer');
    // The same browser, remembering the credentials, on a page of another site (localhost is not
    // 127.0.0.1) that sends it to the API with a form: what that page asks is not done as the user.
    await page.goto(`${base.replace('127.0.0.1', 'localhost')}/docs/json`);
    answered.length = 0;
    await page.evaluate((url) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = url;
      document.body.append(form);
      form.submit();
    }, `${base}/api/candidates/1/review`).catch(() => undefined);
    await page.waitForEvent('requestfinished').catch(() => undefined);
    await expect.poll(() => answered.length).toBeGreaterThan(0);
    // Chromium did send the remembered credentials; they were refused, before any body was read.
    const withCredentials = answered.filter((a) => a.basic);
    expect(withCredentials.length).toBeGreaterThan(0);
    expect(withCredentials.filter((a) => a.url !== '/api/candidates/1/review' || a.status !== 401)).toEqual([]);
    await context.close();
  });
});
