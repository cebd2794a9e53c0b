/**
 * The viewer works under the Content-Security-Policy the API sends (issue 21 item 13): Chromium
 * loads it, logs in, draws the map (MapLibre's workers, vector tiles), opens the review queue and
 * every other screen, and reports no violation. The policy itself is checked in api/src/hardening.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '#api/server.js';
import { createAccounts } from '#api/testing/accounts.js';
import { seedGisScene } from '#api/testing/gis-scene.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { ensureViewerBuilt, launchChromium, logIn, mapSettled } from './harness.js';

const pool = createTestPool();
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let baseUrl = '';
const violations: string[] = [];

beforeAll(async () => {
  await emptyTables(pool);
  await seedGisScene(pool);
  await createAccounts(pool);
  await ensureViewerBuilt();
  app = await buildApi({ pool });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  // Violations in the page and its workers surface as console errors naming the policy.
  page.on('console', (message) => {
    if (/Content[ -]Security[ -]Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`));
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await pool.end();
});

describe('the viewer under its Content-Security-Policy', () => {
  it('is served with the policy', async () => {
    const response = await page.goto(`${baseUrl}/`);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('logs in, draws the map and opens the review queue with no violation', async () => {
    await logIn(page, baseUrl, 'reviewer');
    await page.goto(`${baseUrl}/#/map`);
    await mapSettled(page);
    await page.goto(`${baseUrl}/#/queue`);
    await mapSettled(page);
    expect(violations).toEqual([]);
  });

  it('opens every other screen (as admin, who may open all) with no violation', async () => {
    const { rows } = await pool.query<{ id: string }>(`SELECT id::text FROM candidate ORDER BY id LIMIT 1`);
    await page.getByTestId('logout').click();
    await logIn(page, baseUrl, 'admin');
    for (const screen of ['#/schedule', '#/villages', '#/reports', '#/upload', `#/candidate/${rows[0]!.id}`]) {
      await page.goto(`${baseUrl}/${screen}`);
      // Some screens keep a request open (live flight progress), so the network never idles.
      await page.waitForTimeout(1500);
    }
    expect(violations).toEqual([]);
  });
});
