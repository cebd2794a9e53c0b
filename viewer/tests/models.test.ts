/**
 * The model-version screen and the dossier's model version (issue 19) in a real Chromium against
 * the API, the real database, Redis and a real model store in a temporary folder: an admin sees
 * the versions with their held-back scores, a worse version's promotion is refused with by how
 * much and can then be forced, rollback undoes it, an adaptation is queued; a reviewer sees none
 * of it. The dossier says which version raised a candidate and which saw it later.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '#db/connection.js';
import { raiseCandidate } from '#db/sql/candidates.js';
import { createFlight, startDetectionRun } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { createAccounts } from '#api/testing/accounts.js';
import { storeCopiedVersion } from '#pipeline/model/testing/store-version.js';
import { promotedVersion } from '#pipeline/model-store.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { deleteKeysUnder } from '#pipeline/queue/testing/redis-keys.js';
import { ensureViewerBuilt, launchChromium, logIn, ownPipelineConfig, screenshot, startApi } from './harness.js';

const pool = createTestPool();
const config = ownPipelineConfig('models-test');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-models-test-'));
const store = path.join(tmp, 'models');
const saved = process.env.MODEL_STORE;
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let baseUrl = '';
let candidate = '';
let laterFlight = '';

const square = (lon: number, lat: number) =>
  JSON.stringify({ type: 'Polygon', coordinates: [[[lon, lat], [lon + 0.0001, lat], [lon + 0.0001, lat + 0.0001], [lon, lat + 0.0001], [lon, lat]]] });

beforeAll(async () => {
  await emptyTables(pool);
  await createAccounts(pool);
  process.env.MODEL_STORE = store;
  // "better" has a patrol check; "worse" stands for a version made before patrol checks.
  storeCopiedVersion(store, 'better', { before: 0.4, after: 0.6, patrol: { before: 0.7, after: 0.72 } });
  storeCopiedVersion(store, 'worse', { before: 0.5, after: 0.3 });
  // A candidate raised by office-1 and seen again by office-2 in a later flight.
  const change = { changeType: 'new_structure', status: 'pending', priority: 40, triage: {}, heightGainM: 3, score: 0.9, evidenceBefore: null, evidenceAfter: null } as const;
  const first = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00' });
  const run = await startDetectionRun(pool, first, 'change-detector.onnx', 'a'.repeat(64), { gsd: 0.5 }, 'office-1');
  candidate = (await inTransaction(pool, (c) => raiseCandidate(c, first, run, { ...change, geometry: square(121.1, 31.1) }))).candidateId;
  laterFlight = await createFlight(pool, { capturedAt: '2026-10-22T10:00:00+08:00' });
  const later = await startDetectionRun(pool, laterFlight, 'change-detector.onnx', 'b'.repeat(64), { gsd: 0.5 }, 'office-2');
  await inTransaction(pool, (c) => raiseCandidate(c, laterFlight, later, { ...change, geometry: square(121.10001, 31.1) }));
  await ensureViewerBuilt();
  ({ app, url: baseUrl } = await startApi(pool, config));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 300_000);

afterAll(async () => {
  if (saved === undefined) delete process.env.MODEL_STORE;
  else process.env.MODEL_STORE = saved;
  await browser?.close();
  await app?.close();
  const redis = createRedisConnection(config.redisUrl);
  await deleteKeysUnder(redis, config.queuePrefix);
  redis.disconnect();
  await pool.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const served = () => page.getByTestId('models-served').getAttribute('data-served');

describe('model versions in the viewer', { timeout: 120_000 }, () => {
  it('are not for reviewers: no navigation entry, the screen not allowed, the API 403', async () => {
    await logIn(page, baseUrl, 'reviewer');
    expect(await page.getByTestId('nav-models').count()).toBe(0);
    await page.goto(`${baseUrl}/#/models`);
    await page.getByTestId('not-allowed').waitFor();
    expect(await page.evaluate(async () => (await fetch('/api/models')).status)).toBe(403);
    expect(await page.evaluate(async () => (await fetch('/api/models/versions/better/promote', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status)).toBe(403);
    expect(promotedVersion(store)).toBe('shipped');
    await page.getByTestId('logout').click();
  });

  it('lists the versions with their scores; a worse one is refused with by how much, forced, rolled back; a better one promoted', async () => {
    await logIn(page, baseUrl, 'admin');
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-versions').waitFor();
    expect(await served()).toBe('shipped');
    const row = (v: string) => page.locator(`[data-testid=model-versions] tr[data-version="${v}"]`);
    expect(await row('better').textContent()).toMatch(/better.*shipped.*0\.400.*0\.600.*\+0\.200/);
    expect(await row('worse').textContent()).toMatch(/worse.*0\.500.*0\.300.*-0\.200/);
    // the patrol check's object F1, base → version; a dash for a version without one
    expect(await page.getByTestId('patrol-better').textContent()).toBe('0.700 → 0.720');
    expect(await page.getByTestId('patrol-worse').textContent()).toBe('–');

    await page.getByTestId('promote-worse').click();
    await expect.poll(() => page.getByTestId('models-message').textContent()).toMatch(/refused: worse scores .*0\.300.* 0\.200 below shipped/);
    expect(promotedVersion(store)).toBe('shipped');
    await screenshot(page, 'models-refused');
    await page.getByTestId('promote-force').click();
    await expect.poll(served).toBe('worse');
    expect(promotedVersion(store)).toBe('worse');
    await page.getByTestId('models-rollback').click();
    await expect.poll(served).toBe('shipped');
    await page.getByTestId('promote-better').click();
    await expect.poll(served).toBe('better');
    expect(await row('better').textContent()).toContain('★');
    expect(promotedVersion(store)).toBe('better');
  });

  it('queues an adaptation on folders on the server and lists the job', async () => {
    const folder = path.join(tmp, 'office');
    fs.mkdirSync(folder, { recursive: true });
    await page.getByTestId('adapt-folders').fill(folder);
    await page.getByTestId('adapt-steps').fill('5');
    await page.getByTestId('adapt-submit').click();
    // No adaptation worker runs here: the job waits.
    await expect.poll(() => page.locator('[data-testid=model-jobs] tr[data-state=waiting]').count()).toBe(1);
    expect(await page.getByTestId('model-jobs').textContent()).toContain(folder);
    await screenshot(page, 'models');
  });

  it('shows in the dossier which version raised the candidate and which saw it later', async () => {
    await page.goto(`${baseUrl}/#/candidate/${candidate}`);
    await page.getByTestId('dossier').waitFor();
    expect(await page.getByTestId('dossier-model-version').textContent()).toBe(`模型版本: office-1 (#${laterFlight}: office-2)`);
  });
});
