/**
 * The viewer in a real Chromium against the API on the fixture scene with the real pipeline's
 * output. One file shares one state (the pipeline runs once): the tests run in order, each
 * building on the decisions before it, and write a screenshot of every screen to
 * .lingwei/screenshots/. The review-loop timing is printed, never asserted.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool } from '#db/testing/test-database.js';
import { PASSWORD } from '#api/testing/accounts.js';
import {
  closeSceneSession, describeTiming, logIn, mapSettled, measureReviewLoop, openSceneSession, ownPipelineConfig, type SceneSession, screenshot, shownCandidate,
} from './harness.js';

const pool = createTestPool();
const config = ownPipelineConfig('viewer-test');
let baseUrl = '';
let page: Page;
/** Candidates decided through the viewer, by decision. */
const decided: Record<'verified' | 'rejected' | 'scheduled', string> = { verified: '', rejected: '', scheduled: '' };

let session: SceneSession | undefined;

beforeAll(async () => {
  session = await openSceneSession(pool, config);
  ({ baseUrl, page } = session);
  page.on('request', (request) => {
    if (!request.url().startsWith(baseUrl) && !request.url().startsWith('blob:') && !request.url().startsWith('data:')) outside.push(request.url());
  });
}, 400_000);

/** Requests to anywhere but the API: the viewer must work with no internet. */
const outside: string[] = [];

afterAll(async () => {
  await closeSceneSession(session ?? {}, config);
  await pool.end();
});

const statusOf = async (id: string) => (await pool.query<{ status: string }>(`SELECT status FROM candidate WHERE id = $1`, [id])).rows[0]!.status;
const statuses = async () => new Map((await pool.query<{ id: string; status: string }>(`SELECT id::text, status FROM candidate`)).rows.map((r) => [r.id, r.status]));
const waitForNextCandidate = (from: string) =>
  page.waitForFunction((before) => {
    const id = document.querySelector('[data-testid=candidate-panel]')?.getAttribute('data-candidate-id');
    return !!id && id !== before;
  }, from);

/** Status of a candidate as the map's candidate layer holds it (from the vector tiles the API rendered). */
const mapStatus = (id: string) => page.evaluate((candidate) => {
  const map = (window as unknown as { lingwei: { map: { querySourceFeatures: (s: string, o: object) => Array<{ properties: { id: number; status: string } }> } } }).lingwei.map;
  return map.querySourceFeatures('candidates', { sourceLayer: 'candidates' }).find((f) => String(f.properties.id) === candidate)?.properties.status ?? null;
}, id);

/** Pixels of the map canvas as the screen shows them: how many distinct colours, and how many near `rgb`. */
async function canvasPixels(selector: string, rgb?: [number, number, number]) {
  const png = await page.locator(`${selector} canvas`).first().screenshot();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const colours = new Set<number>();
  let near = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    if (rgb && Math.abs(data[i]! - rgb[0]) + Math.abs(data[i + 1]! - rgb[1]) + Math.abs(data[i + 2]! - rgb[2]) < 40) near += 1;
  }
  return { distinct: colours.size, near };
}

describe('the viewer in a browser', { timeout: 120_000 }, () => {
  it('serves the built viewer at / and asks who is there, in Chinese', async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('login').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.getByTestId('login-submit').textContent()).toBe('登录');
    await screenshot(page, 'login');
    await page.getByTestId('login-username').fill('reviewer');
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('用户名或密码错误');
  });

  it('logs a reviewer in to the review queue, most urgent first, with a map that is not blank', async () => {
    await logIn(page, baseUrl, 'reviewer');
    expect(page.url()).toContain('#/queue');
    await page.getByTestId('candidate-panel').locator('[data-status]').waitFor();
    const { rows: pending } = await pool.query<{ id: string }>(`SELECT id::text FROM candidate WHERE status = 'pending' ORDER BY priority DESC, area_m2 DESC, id`);
    expect(pending.length).toBeGreaterThanOrEqual(6);
    const listed = await page.getByTestId('queue-list').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-id')));
    expect(listed).toEqual(pending.map((r) => r.id));
    expect(await shownCandidate(page)).toBe(pending[0]!.id);
    await page.waitForFunction(() => (window as unknown as { lingwei: { map: { loaded: () => boolean; areTilesLoaded: () => boolean } } }).lingwei.map.loaded());
    await expect.poll(() => mapStatus(pending[0]!.id), { timeout: 20_000 }).toBe('pending');
    await mapSettled(page);
    const { distinct } = await canvasPixels('[data-testid=queue-map]');
    expect(distinct).toBeGreaterThan(200); // the orthophoto and the layers, not one flat colour
    await screenshot(page, 'queue');
  });

  it('verifies with V, rejects with R and a reason, schedules with S; the database and the audit trail hold exactly that', async () => {
    const before = await statuses();
    decided.verified = await shownCandidate(page);
    await page.keyboard.press('v');
    await waitForNextCandidate(decided.verified);

    decided.rejected = await shownCandidate(page);
    await page.keyboard.press('r');
    await page.getByTestId('dialog').waitFor();
    await screenshot(page, 'reject-reason');
    await page.keyboard.press('4'); // not a structure
    await page.keyboard.press('Enter');
    await waitForNextCandidate(decided.rejected);

    decided.scheduled = await shownCandidate(page);
    await page.keyboard.press('s');
    await page.getByTestId('schedule-team').fill('一队');
    await page.getByTestId('schedule-date').fill('2026-12-01');
    await page.keyboard.press('Enter');
    await waitForNextCandidate(decided.scheduled);

    const after = await statuses();
    const changed = [...after].filter(([id, status]) => before.get(id) !== status);
    expect(new Map(changed)).toEqual(new Map([[decided.verified, 'verified'], [decided.rejected, 'rejected'], [decided.scheduled, 'scheduled']]));
    const { rows: trail } = await pool.query(
      `SELECT e.candidate_id::text AS id, e.action, e.from_status, e.to_status, e.reason_code, u.username
         FROM review_event e JOIN app_user u ON u.id = e.actor_id ORDER BY e.id`);
    expect(trail).toEqual([
      { id: decided.verified, action: 'verify', from_status: 'pending', to_status: 'verified', reason_code: null, username: 'reviewer' },
      { id: decided.rejected, action: 'reject', from_status: 'pending', to_status: 'rejected', reason_code: 'not_a_structure', username: 'reviewer' },
      { id: decided.scheduled, action: 'verify', from_status: 'pending', to_status: 'verified', reason_code: null, username: 'reviewer' },
      { id: decided.scheduled, action: 'schedule', from_status: 'verified', to_status: 'scheduled', reason_code: null, username: 'reviewer' },
    ]);
    const { rows: schedule } = await pool.query(`SELECT candidate_id::text AS id, to_char(scheduled_for, 'YYYY-MM-DD') AS day, team, status FROM demolition_schedule`);
    expect(schedule).toEqual([{ id: decided.scheduled, day: '2026-12-01', team: '一队', status: 'scheduled' }]);
  });

  it('recolours the candidate layer after a decision', async () => {
    // Back to the verified one: the map flies there and draws it in the verified colour. The tile
    // under it was loaded before the decision, and the flight to the next candidate changed a layer
    // filter right after the refresh: MapLibre would drop that refresh and keep the old tile.
    await page.getByTestId('queue-list').locator(`li[data-id="${decided.verified}"]`).click();
    await expect.poll(() => mapStatus(decided.verified), { timeout: 20_000 }).toBe('verified');
    await mapSettled(page);
    await expect.poll(async () => (await canvasPixels('[data-testid=queue-map]', [0xe4, 0x1a, 0x1c])).near, { timeout: 10_000 }).toBeGreaterThan(30);
    await screenshot(page, 'queue-after-decisions');
  });

  it('compares the flight with the one before it, orthophoto and surface model', async () => {
    const { rows: flights } = await pool.query<{ id: string; captured: string }>(`SELECT id::text, captured_at::text AS captured FROM flight ORDER BY captured_at`);
    const [reference, patrol] = flights.map((f) => f.id);
    const imageryTiles = () => page.evaluate(() => (window as unknown as { lingwei: { map: { getSource: (id: string) => { tiles?: string[] } | undefined } } })
      .lingwei.map.getSource('flight-imagery')?.tiles?.[0] ?? null);
    await expect.poll(imageryTiles).toContain(`/api/flights/${patrol}/tiles/ortho/`);
    await page.getByTestId('imagery-before-dsm').click();
    await expect.poll(imageryTiles).toContain(`/api/flights/${reference}/tiles/dsm/`);
    await page.getByTestId('imagery-after-dsm').click();
    await expect.poll(imageryTiles).toContain(`/api/flights/${patrol}/tiles/dsm/`);
    await mapSettled(page);
    await screenshot(page, 'queue-surface-model');
    await page.getByTestId('imagery-after-ortho').click();
    await page.getByTestId('mode-side').click();
    expect(await page.getByTestId('evidence').locator('.side-by-side img').count()).toBe(2);
    await page.getByTestId('mode-swipe').click();
  });

  it('moves with J and K, and U undoes the last decision', async () => {
    const here = await shownCandidate(page);
    await page.keyboard.press('j');
    await waitForNextCandidate(here);
    await page.keyboard.press('k');
    await expect.poll(() => shownCandidate(page)).toBe(here);

    await page.keyboard.press('u'); // the schedule of decided.scheduled
    await expect.poll(() => shownCandidate(page)).toBe(decided.scheduled);
    await expect.poll(() => statusOf(decided.scheduled)).toBe('pending');
    const { rows } = await pool.query(`SELECT status FROM demolition_schedule WHERE candidate_id = $1`, [decided.scheduled]);
    expect(rows).toEqual([{ status: 'cancelled' }]);
    // and schedule it again, by the button this time
    await page.getByTestId('do-schedule').click();
    await page.getByTestId('schedule-team').fill('一队');
    await page.getByTestId('schedule-date').fill('2026-12-01');
    await page.getByTestId('dialog-confirm').click();
    await expect.poll(() => statusOf(decided.scheduled)).toBe('scheduled');
  });

  it('explains a 409 from a concurrent reviewer, shows the fresh state and overwrites nothing', async () => {
    const id = await shownCandidate(page);
    const other = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'reviewer2', password: PASSWORD }) });
    const cookie = other.headers.get('set-cookie')!.split(';')[0]!;
    const { rows: [current] } = await pool.query<{ version: number }>(`SELECT version FROM candidate WHERE id = $1`, [id]);
    const rejected = await fetch(`${baseUrl}/api/candidates/${id}/review`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ action: 'reject', version: current!.version, reasonCode: 'false_detection' }),
    });
    expect(rejected.status).toBe(200);

    await page.keyboard.press('v'); // the page still holds the old version
    await page.getByTestId('notice').waitFor();
    expect(await page.getByTestId('notice').textContent()).toContain('其他审核员已先修改了该图斑');
    expect(await page.getByTestId('notice').textContent()).toContain('排除');
    expect(await shownCandidate(page)).toBe(id);
    await expect.poll(() => page.getByTestId('candidate-panel').locator('[data-status]').first().getAttribute('data-status')).toBe('rejected');
    expect(await statusOf(id)).toBe('rejected');
    const { rows } = await pool.query(`SELECT u.username, e.action FROM review_event e JOIN app_user u ON u.id = e.actor_id WHERE e.candidate_id = $1`, [id]);
    expect(rows).toEqual([{ username: 'reviewer2', action: 'reject' }]);
    await screenshot(page, 'queue-conflict');
  });

  it('applies a batch decision to a selection', async () => {
    const { rows } = await pool.query<{ id: string }>(`SELECT id::text FROM candidate WHERE status = 'pending' ORDER BY priority DESC, area_m2 DESC, id LIMIT 2`);
    for (const { id } of rows) await page.getByTestId(`select-${id}`).check();
    await page.getByTestId('batch-verify').click();
    for (const { id } of rows) await expect.poll(() => statusOf(id)).toBe('verified');
  });

  it('switches between Chinese and English', async () => {
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('nav-queue').textContent()).toBe('Review queue');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByTestId('candidate-panel').locator('[data-status]').first().waitFor();
    await screenshot(page, 'queue-english');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('nav-queue').textContent()).toBe('审核队列');
  });

  it('shows the map with imagery, layers, filters, a legend and the measure tool', async () => {
    await page.goto(`${baseUrl}/#/map`);
    await page.getByTestId('legend').waitFor();
    await page.waitForFunction(() => (window as unknown as { lingwei: { map: { getLayer: (id: string) => unknown; loaded: () => boolean } } }).lingwei.map.getLayer('flight-imagery') !== undefined);
    await page.waitForFunction(() => (window as unknown as { lingwei: { map: { loaded: () => boolean } } }).lingwei.map.loaded(), undefined, { timeout: 30_000 });
    await expect.poll(() => mapStatus(decided.verified), { timeout: 20_000 }).toBe('verified');
    expect((await canvasPixels('[data-testid=map]')).distinct).toBeGreaterThan(500);
    await page.getByTestId('layer-permits').check();
    await page.getByTestId('layer-zones').check();
    await page.getByTestId('measure-toggle').click();
    const box = (await page.getByTestId('map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width / 2 + 100, box.y + box.height / 2);
    await expect.poll(() => page.getByTestId('measure-readout').textContent()).toMatch(/距离 \d+\.\d m/);
    await page.getByTestId('measure-toggle').click();
    await mapSettled(page);
    await screenshot(page, 'map');
    // hide everything but the verified candidates: the filter reaches the map
    for (const status of ['pending', 'scheduled', 'rejected', 'permitted', 'in_register']) await page.getByTestId(`filter-status-${status}`).uncheck();
    const filter = await page.evaluate(() => JSON.stringify((window as unknown as { lingwei: { map: { getFilter: (id: string) => unknown } } }).lingwei.map.getFilter('candidates-fill')));
    expect(filter).toContain('verified');
    expect(filter).not.toContain('"pending"');
  });

  it('keeps one dossier per structure with its evidence, decisions and demolition', async () => {
    await page.goto(`${baseUrl}/#/candidate/${decided.scheduled}`);
    await page.getByTestId('dossier').waitFor();
    const audit = await page.getByTestId('audit').textContent();
    for (const word of ['发现', '确认', '排期', '撤销/重开', 'reviewer']) expect(audit).toContain(word);
    expect(await page.getByTestId('dossier-schedule').textContent()).toContain('2026-12-01');
    await mapSettled(page);
    await screenshot(page, 'dossier');
  });

  it('lists the demolition schedule by street and team, as a calendar too, and marks a demolition done', async () => {
    await page.goto(`${baseUrl}/#/schedule`);
    await page.getByTestId('schedule-from').fill('2026-12-01');
    await page.getByTestId('schedule-from').dispatchEvent('change');
    await page.getByTestId(`demolished-${decided.scheduled}`).waitFor();
    expect(await page.getByTestId('schedule-body').textContent()).toContain('一队');
    await screenshot(page, 'schedule');
    await page.getByTestId('view-calendar').click();
    await page.getByTestId('calendar').waitFor();
    expect(await page.getByTestId('calendar').textContent()).toContain(`#${decided.scheduled}`);
    await screenshot(page, 'schedule-calendar');
    await page.getByTestId('view-list').click();
    await page.getByTestId(`demolished-${decided.scheduled}`).click();
    await expect.poll(() => statusOf(decided.scheduled)).toBe('demolished');
    const { rows } = await pool.query(`SELECT status, demolished_at IS NOT NULL AS done FROM demolition_schedule WHERE candidate_id = $1 AND status <> 'cancelled'`, [decided.scheduled]);
    expect(rows).toEqual([{ status: 'done', done: true }]);
  });

  it('shows each role only what it may use', async () => {
    const assessor = await session!.browser.newPage();
    await logIn(assessor, baseUrl, 'assessor');
    expect(await assessor.getByTestId('nav-queue').count()).toBe(0);
    expect(await assessor.getByTestId('nav-map').count()).toBe(1);
    await assessor.goto(`${baseUrl}/#/queue`);
    await assessor.getByTestId('not-allowed').waitFor();
    await assessor.close();
    const operator = await session!.browser.newPage();
    await logIn(operator, baseUrl, 'operator');
    expect(operator.url()).toContain('#/map');
    expect(await operator.getByTestId('nav-schedule').count()).toBe(0);
    await operator.close();
  });

  it('asked nothing of the internet on any screen', () => {
    expect(outside).toEqual([]);
  });

  it('times the review loop (printed, not asserted)', async () => {
    await page.goto(`${baseUrl}/#/queue`);
    await page.getByTestId('candidate-panel').locator('[data-status]').waitFor();
    const timing = await measureReviewLoop(page, 10);
    console.log(`[viewer bench] ${describeTiming(timing)}`);
    expect(timing.samples).toHaveLength(10);
  });
});
