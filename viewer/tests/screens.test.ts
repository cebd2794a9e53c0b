/**
 * The upload, villages and reports screens in a real Chromium against the API on the fixture scene
 * with the real pipeline's output, a flight worker running in this process the whole time (so an
 * operator's upload is processed while the page watches). The tests run in order and share state:
 * the operator's flight exists when the assessor looks. Screenshots go to .lingwei/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gdal from '#pipeline/gdal.js';
import { createFlight, setExaminedArea, setFlightFootprint, setFlightStatus } from '#db/sql/flights.js';
import { createTestPool } from '#db/testing/test-database.js';
import { periodOf } from '#domain/report-periods.js';
import { PASSWORD } from '#api/testing/accounts.js';
import { startFlightWorker } from '#pipeline/testing/run-scene.js';
import {
  closeSceneSession, logIn, openSceneSession, ownPipelineConfig, ROOT, type SceneSession, screenshot,
} from './harness.js';

const pool = createTestPool();
const config = ownPipelineConfig('screens-test');
const SCENE = path.join(ROOT, 'fixtures', 'scene');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-screens-test-'));
let baseUrl = '';
let page: Page;
let worker: { close: () => Promise<void> };

let session: SceneSession | undefined;

beforeAll(async () => {
  session = await openSceneSession(pool, config);
  ({ baseUrl, page } = session);
  worker = startFlightWorker(pool, config);
}, 400_000);

afterAll(async () => {
  await worker?.close();
  await closeSceneSession(session ?? {}, config);
  await pool.end();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A session cookie for `username`, logged in through the API as the browser would. */
async function sessionCookie(username: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  expect(response.status).toBe(200);
  return response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function apiAs<T>(cookie: string, method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${url}`, {
    method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * The scene's patrol orthophoto flown again: the same pixels with one more metadata item written
 * by GDAL, so it is a new file (its SHA-256 differs) that the pipeline processes in full rather
 * than recognising as the scene's patrol.
 */
function reflownOrthophoto(): string {
  const file = path.join(scratch, 'reflight_ortho.tif');
  fs.copyFileSync(path.join(SCENE, 'after_ortho.tif'), file);
  const dataset = gdal.open(file, 'r+');
  dataset.setMetadata({ LINGWEI_TEST: 'second patrol over the fixture scene' });
  dataset.close();
  return file;
}

/** Chooses the form's files and metadata and submits it. */
async function submitUpload(files: { ortho: string; dsm?: string }, capturedAt: string): Promise<void> {
  await page.getByTestId('upload-ortho-input').setInputFiles(files.ortho);
  await page.getByTestId('upload-dsm-input').setInputFiles(files.dsm ? [files.dsm] : []);
  await page.getByTestId('upload-captured-at').fill(capturedAt);
  await page.getByTestId('upload-operator').fill('张飞手');
  await page.getByTestId('upload-submit').click();
}

const PERIOD = { from: '2026-10-01', last: '2026-10-31', to: '2026-11-01' };

describe('upload, villages and reports in a browser', { timeout: 400_000 }, () => {
  it('an operator uploads a flight, survives a dropped connection, and watches it processed to done', async () => {
    await logIn(page, baseUrl, 'operator');
    await page.goto(`${baseUrl}/#/upload`);
    await page.getByTestId('upload-form').waitFor();
    expect(await page.getByTestId('nav-upload').count()).toBe(1);
    expect(await page.getByTestId('nav-villages').count()).toBe(0);

    // Small chunks so the orthophoto takes several PATCH requests; the second one is cut off once.
    await page.evaluate(() => ((window as unknown as { lingwei: Record<string, unknown> }).lingwei = { uploadChunkBytes: 128 * 1024 }));
    const requests: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/api/uploads')) requests.push(r.method()); });
    let patches = 0;
    await page.route('**/api/uploads/*', async (route) => {
      if (route.request().method() === 'PATCH' && ++patches === 2) return route.abort('connectionreset');
      return route.continue();
    });
    // The stage line as the page shows it over time, to see the live stages, not just the end.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { stagesSeen: string[] }).stagesSeen = seen;
      const target = document.querySelector('[data-testid=flight-stage]')!;
      new MutationObserver(() => seen.push(`${(target as HTMLElement).dataset.status ?? ''}|${target.textContent ?? ''}`))
        .observe(target, { childList: true, characterData: true, subtree: true, attributes: true });
    });

    await submitUpload({ ortho: reflownOrthophoto(), dsm: path.join(SCENE, 'after_dsm.tif') }, '2026-10-29T10:30');
    await page.getByTestId('upload-resumed').waitFor({ state: 'visible' });
    await page.waitForSelector('[data-testid=flight-stage][data-status=done]', { timeout: 360_000 });
    await page.unroute('**/api/uploads/*');

    // The cut-off request was followed by a HEAD asking how much had arrived, and the upload went on from there.
    const cut = requests.indexOf('PATCH', requests.indexOf('PATCH') + 1);
    expect(requests.slice(cut + 1)).toContain('HEAD');
    expect(await page.getByTestId('upload-progress-ortho').evaluate((el) => (el as HTMLProgressElement).value)).toBe(1);
    expect(await page.getByTestId('upload-progress-dsm').evaluate((el) => (el as HTMLProgressElement).value)).toBe(1);
    const seen = await page.evaluate(() => (window as unknown as { stagesSeen: string[] }).stagesSeen);
    expect(seen.some((s) => /^(queued|processing)\|/.test(s)), seen.join('\n')).toBe(true);

    const flightId = await page.locator('.upload-progress').getAttribute('data-flight');
    const { rows } = await pool.query<{ status: string; operator: string; captured_at: Date }>(`SELECT status, operator, captured_at FROM flight WHERE id = $1`, [flightId]);
    expect(rows[0]).toMatchObject({ status: 'done', operator: '张飞手' });
    expect(rows[0]!.captured_at.toISOString()).toBe('2026-10-29T02:30:00.000Z');
    await page.locator(`[data-testid=recent-flights] tr[data-flight="${flightId}"][data-status=done]`).waitFor();
    await screenshot(page, 'upload');
  });

  it('a truncated TIFF and a PDF named .tif are refused with the reason in plain words, and make no flight', async () => {
    const flightsBefore = Number((await pool.query(`SELECT count(*) FROM flight`)).rows[0].count);
    const truncated = path.join(scratch, 'truncated.tif');
    const whole = fs.readFileSync(path.join(SCENE, 'after_ortho.tif'));
    fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    await page.goto(`${baseUrl}/#/reports`); // a route change, so the form starts empty
    await page.goto(`${baseUrl}/#/upload`);
    await page.getByTestId('upload-form').waitFor();
    await submitUpload({ ortho: truncated }, '2026-10-30T09:00');
    await page.getByTestId('upload-problem').waitFor({ state: 'visible' });
    // Under the Chinese title, the reason in Chinese (issue 22 item 9).
    expect(await page.getByTestId('upload-problem').textContent()).toMatch(/^文件无法用于航飞正射影像.*文件不完整或已损坏。请重新上传。$/);
    await screenshot(page, 'upload-refused');

    const pdf = path.join(scratch, 'report.tif');
    fs.writeFileSync(pdf, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    await page.goto(`${baseUrl}/#/reports`); // a route change, so the form starts empty
    await page.goto(`${baseUrl}/#/upload`);
    await page.getByTestId('upload-form').waitFor();
    await submitUpload({ ortho: pdf }, '2026-10-30T09:00');
    await page.getByTestId('upload-problem').waitFor({ state: 'visible' });
    expect(await page.getByTestId('upload-problem').textContent()).toBe('文件无法用于航飞正射影像不是 GeoTIFF：该文件看起来是PDF 文档。请将正射影像导出为 GeoTIFF（.tif）后上传。');
    expect(Number((await pool.query(`SELECT count(*) FROM flight`)).rows[0].count)).toBe(flightsBefore);
  });

  it('an assessor sees a village fail, then pass once its blocking items are resolved', async () => {
    const assessor = await sessionCookie('assessor');
    const reviewer = await sessionCookie('reviewer');
    type Assessment = { verdict: string; blocking: Array<{ kind: string; candidateId?: string; registerEntryId?: string }> };
    const query = `from=${PERIOD.from}&to=${PERIOD.to}`;
    const { villages } = await apiAs<{ villages: Array<{ id: string; code: string }> }>(assessor, 'GET', '/api/villages');
    // The village with the most candidates blocking it: the one the scene's flights changed most.
    const assessed = await Promise.all(villages.map(async (v) => ({ ...v, a: await apiAs<Assessment>(assessor, 'GET', `/api/villages/${v.id}/assessment?${query}`) })));
    const village = assessed.sort((x, y) => y.a.blocking.filter((b) => b.kind === 'candidate').length - x.a.blocking.filter((b) => b.kind === 'candidate').length)[0]!;
    const candidates = village.a.blocking.filter((b) => b.kind === 'candidate').map((b) => b.candidateId!);
    expect(village.a.verdict).toBe('fail');
    expect(candidates.length).toBeGreaterThan(0);

    await page.context().clearCookies();
    await logIn(page, baseUrl, 'assessor');
    await page.goto(`${baseUrl}/#/villages`);
    await page.getByTestId('villages-from').fill(PERIOD.from);
    await page.getByTestId('villages-to').fill(PERIOD.last);
    await page.getByTestId('villages-to').dispatchEvent('change');
    const row = page.getByTestId(`village-${village.code}`);
    await page.locator(`[data-testid="village-${village.code}"][data-verdict=fail]`).waitFor();
    await row.click();
    await page.locator(`[data-testid=village-detail][data-village="${village.id}"] [data-testid=village-verdict][data-verdict=fail]`).waitFor();
    // Each blocking candidate links to its review screen.
    for (const id of candidates) expect(await page.locator(`[data-testid=village-blocking] a[href="#/candidate/${id}"]`).count()).toBe(1);
    expect(await page.getByTestId('village-export-html').getAttribute('href')).toBe(`/api/villages/${village.id}/assessment.html?${query}`);
    const html = await page.request.get(`${baseUrl}${await page.getByTestId('village-export-html').getAttribute('href')}`);
    expect(html.status()).toBe(200);
    expect(await page.getByTestId('village-export-pdf').getAttribute('href')).toBe(`/api/villages/${village.id}/assessment.pdf?${query}`);
    await page.waitForFunction(() => {
      const map = (window as unknown as { lingwei: { map?: { isStyleLoaded(): boolean; getSource(id: string): unknown } } }).lingwei.map;
      return !!map?.getSource('assessment-village');
    });
    await screenshot(page, 'villages-fail');

    // The link opens the candidate's review screen.
    await page.locator(`[data-testid=village-blocking] a[href="#/candidate/${candidates[0]}"]`).click();
    await page.waitForFunction((id) => location.hash === `#/candidate/${id}`, candidates[0]);

    // Resolved as the office would: a reviewer decides each open candidate through the API; the
    // register's stock entries are marked demolished (the register is imported from the office's
    // system, there is no API to edit it); and — because the fixture scene is a 200 m square that
    // covers no village completely — a second patrol flight over the whole village is recorded in
    // the period (no imagery): its footprint, then, as its plan stage would, the ground its
    // detection examined (one planned block over the whole footprint). Patrol coverage counts only
    // examined ground, so until then the village still fails on coverage alone.
    expect(village.a.blocking.filter((b) => b.kind === 'coverage')).toHaveLength(1);
    let covering = '';
    for (const blocking of village.a.blocking) {
      if (blocking.kind === 'candidate') {
        const { properties } = await apiAs<{ properties: { version: number; status: string } }>(reviewer, 'GET', `/api/candidates/${blocking.candidateId}`);
        expect(properties.status).toBe('pending');
        await apiAs(reviewer, 'POST', `/api/candidates/${blocking.candidateId}/review`, { action: 'reject', version: properties.version, reasonCode: 'false_detection' });
      } else if (blocking.kind === 'register_entry') {
        await pool.query(`UPDATE register_entry SET status = 'demolished', demolished_on = '2026-10-20' WHERE id = $1`, [blocking.registerEntryId]);
      } else {
        const flightId = await createFlight(pool, { capturedAt: '2026-10-22T10:00:00+08:00', operator: '张飞手' });
        const { rows } = await pool.query<{ geojson: string }>(`SELECT ST_AsGeoJSON(ST_Envelope(ST_Buffer(geom::geography, 30)::geometry)) AS geojson FROM admin_area WHERE id = $1`, [village.id]);
        await setFlightFootprint(pool, flightId, rows[0]!.geojson, 0.1, 'EPSG:4549');
        await setFlightStatus(pool, flightId, 'done');
        covering = flightId;
      }
    }
    // A footprint the detection never examined covers nothing: only the coverage item is left.
    const footprintOnly = await apiAs<Assessment>(assessor, 'GET', `/api/villages/${village.id}/assessment?${query}`);
    expect(footprintOnly.verdict).toBe('fail');
    expect(footprintOnly.blocking.map((b) => b.kind)).toEqual(['coverage']);
    // The plan stage's record: the flight's valid pixels within its planned blocks (extents in its CRS).
    const { rows: [block] } = await pool.query<{ x0: number; y0: number; x1: number; y1: number }>(
      `SELECT ST_XMin(g) AS x0, ST_YMin(g) AS y0, ST_XMax(g) AS x1, ST_YMax(g) AS y1
         FROM (SELECT ST_Transform(footprint, 4549) AS g FROM flight WHERE id = $1) f`, [covering]);
    await setExaminedArea(pool, covering, 'EPSG:4549', [[block!.x0, block!.y0, block!.x1, block!.y1]]);
    expect((await apiAs<Assessment>(assessor, 'GET', `/api/villages/${village.id}/assessment?${query}`)).verdict).toBe('pass');

    await page.goto(`${baseUrl}/#/villages`);
    await page.getByTestId('villages-from').fill(PERIOD.from);
    await page.getByTestId('villages-to').fill(PERIOD.last);
    await page.getByTestId('villages-to').dispatchEvent('change');
    await page.locator(`[data-testid="village-${village.code}"][data-verdict=pass]`).waitFor();
    await page.getByTestId(`village-${village.code}`).click();
    await page.locator(`[data-testid=village-detail][data-village="${village.id}"] [data-testid=village-verdict][data-verdict=pass]`).waitFor();
    expect(await page.locator('[data-testid=village-detail] [data-ok=false]').count()).toBe(0);
    await page.waitForTimeout(500); // let the map draw the new coverage before the screenshot
    await screenshot(page, 'villages');
  });

  it('the reports screen draws the trend chart and its CSV download is the report', async () => {
    // The figures count the office's actions by when they happened: the pipeline raised the scene's
    // candidates and the reviewer rejected some this week, the week the screen opens on.
    const week = periodOf('weekly', new Date()).label;
    await page.goto(`${baseUrl}/#/reports`);
    await page.locator(`[data-testid=report-body][data-period="${week}"] [data-testid=report-trend-chart] svg`).waitFor();

    // Eight weeks ending with this one, one line per charted figure; this week's candidates lift the line.
    const trend = page.locator('[data-testid=report-trend-chart] svg');
    expect(await trend.locator('polyline').count()).toBe(3);
    const ys = (await trend.locator('polyline').first().getAttribute('points'))!.split(' ').map((p) => Number(p.split(',')[1]));
    expect(ys).toHaveLength(8);
    expect(ys[7]).toBeLessThan(Math.max(...ys.slice(0, 7)));
    expect(Number(await page.locator('[data-testid=report-figures] tr[data-figure=newCandidates] td').first().textContent())).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=report-street-chart] svg rect[data-value]').count()).toBeGreaterThan(0);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
    expect(download.suggestedFilename()).toBe(`lingwei-weekly-${week}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\ufeff代码 code,')).toBe(true);
    expect(csv).toContain('新增疑似违建图斑');
    expect(csv.split('\n').length).toBeGreaterThan(2);
    await screenshot(page, 'reports');

    // A bad period is explained, not drawn.
    await page.getByTestId('report-period').fill('2026-W60');
    await page.getByTestId('report-period').dispatchEvent('change');
    await page.getByTestId('report-problem').waitFor();
    expect(await page.getByTestId('report-problem').textContent()).toContain('week 60');
  });
});
