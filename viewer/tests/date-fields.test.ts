/**
 * Date fields and the schedule list in Chromium with an English browser locale (issue 22 item 9):
 * the schedule list has column headers, and dates read YYYY-MM-DD (times YYYY-MM-DD HH:MM) in the
 * Chinese UI. Chromium draws native date and datetime-local inputs in the browser's locale
 * (mm/dd/yyyy here) whatever the page's language, so the fields must not be native inputs.
 * Light: no pipeline, two schedule rows written with SQL.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '#api/server.js';
import { createAccounts } from '#api/testing/accounts.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { ensureViewerBuilt, launchChromium, logIn, screenshot } from './harness.js';

const pool = createTestPool();
let app: FastifyInstance;
let browser: Browser;
let page: Page;
let baseUrl = '';

beforeAll(async () => {
  await emptyTables(pool);
  await createAccounts(pool);
  await pool.query(
    `INSERT INTO admin_area (code, level, name, geom) VALUES
       ('S1', 'street', '曹路镇', ST_Multi(ST_MakeEnvelope(121.0, 31.0, 121.5, 31.5, 4326))),
       ('V1', 'village', '民建村', ST_Multi(ST_MakeEnvelope(121.0, 31.0, 121.5, 31.5, 4326)))`);
  await pool.query(
    `WITH c AS (INSERT INTO candidate (geom, change_type, status, area_m2, street_id, village_id)
                SELECT ST_Multi(ST_MakeEnvelope(x, 31.1, x + 0.0002, 31.1002, 4326)), 'new_structure', 'scheduled', 120,
                       (SELECT id FROM admin_area WHERE code = 'S1'), (SELECT id FROM admin_area WHERE code = 'V1')
                  FROM (VALUES (121.1), (121.2)) AS v(x) RETURNING id)
     INSERT INTO demolition_schedule (candidate_id, scheduled_for, team, created_by, status)
     SELECT c.id, '2026-11-20', '一队', (SELECT id FROM app_user WHERE username = 'reviewer'), 'scheduled' FROM c`);
  await ensureViewerBuilt();
  app = await buildApi({ pool });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await pool.end();
});

describe('date fields in the Chinese UI with an English browser', () => {
  it('has column headers, and date fields that read YYYY-MM-DD and take a typed 2026/11/1', async () => {
    await logIn(page, baseUrl, 'reviewer');
    await page.goto(`${baseUrl}/#/schedule`);
    const from = page.getByTestId('schedule-from');
    await from.waitFor();
    // What the field shows is its text: a native date input would show mm/dd/yyyy here.
    expect(await from.evaluate((input: HTMLInputElement) => input.type)).toBe('text');
    expect(await from.inputValue()).toMatch(/^\d{4}-\d{2}-01$/);
    await from.fill('2026/11/1');
    await from.dispatchEvent('change');
    expect(await from.inputValue()).toBe('2026-11-01');
    const table = page.locator('.schedule-table').first();
    await table.waitFor();
    expect(await table.locator('thead th').allTextContents()).toEqual(['拆除日期', '图斑', '类型', '面积', '居村', '排期状态', '最近航飞', '操作']);
    expect(await table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator('tbody tr td').first().textContent()).toBe('2026-11-20');
    await screenshot(page, 'schedule-headers');
    // A text that is no day is refused in the field and loads nothing.
    await from.fill('11/20/2026');
    await from.dispatchEvent('change');
    expect(await from.evaluate((input: HTMLInputElement) => input.validity.valid)).toBe(false);
  });

  it('the upload screen takes the flight time as YYYY-MM-DD HH:MM text, not a locale-drawn datetime-local', async () => {
    await page.context().clearCookies();
    await logIn(page, baseUrl, 'operator');
    await page.goto(`${baseUrl}/#/upload`);
    const capturedAt = page.getByTestId('upload-captured-at');
    await capturedAt.waitFor();
    expect(await capturedAt.evaluate((input: HTMLInputElement) => [input.type, input.placeholder])).toEqual(['text', '年-月-日 时:分']);
    await capturedAt.fill('2026/10/15 13:44');
    await capturedAt.dispatchEvent('change');
    expect(await capturedAt.inputValue()).toBe('2026-10-15 13:44');
    await capturedAt.fill('10/15/2026 1:44 PM');
    await capturedAt.dispatchEvent('change');
    expect(await capturedAt.evaluate((input: HTMLInputElement) => input.validity.valid)).toBe(false);
  });
});
