/**
 * Where and when, in Chromium (issue 22 items 7-9): the map opens on the newest flight over the
 * view, names streets and villages and counts clusters, and asks nothing of the outside world unless
 * a basemap is configured (then it draws that basemap's imagery and labels, from a tile server of
 * the test's own on another origin); the queue's map is tall with the roof's surroundings and a
 * legend; each evidence image says which flight and day it shows; the queue panel and the dossier
 * say village, street and coordinates; the dossier's history and audit name the flights and the
 * days they were flown; a long village name keeps the verdict on screen; queued flights show their
 * place and flight rows link to the map and the files; an upload refusal is in Chinese.
 * Light: no pipeline, the rows written with SQL, evidence chips drawn by sharp.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBasemapConfig } from '#api/basemap-config.js';
import { buildApi } from '#api/server.js';
import { createAccounts } from '#api/testing/accounts.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { ensureViewerBuilt, launchChromium, logIn, mapSettled, ownPipelineConfig, screenshot } from './harness.js';

const pool = createTestPool();
const pipeline = ownPipelineConfig('map-context');
const LONG_VILLAGE = '民建村第十二村民小组东侧安置区域及周边沿河地块';
let offline: FastifyInstance;
let online: FastifyInstance;
let tileServer: http.Server;
let browser: Browser;
let page: Page;
let offlineUrl = '';
let onlineUrl = '';
let tileOrigin = '';
const tileRequests: string[] = [];
let candidateId = '';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-map-context-'));

/** A WebP evidence chip of one colour, stored as the raise stage stores chips. */
async function storeChip(rgb: [number, number, number]): Promise<string> {
  const image = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).webp().toBuffer();
  const digest = createHash('sha256').update(image).digest('hex');
  await pool.query(`INSERT INTO evidence_chip (digest, media_type, image) VALUES ($1, 'image/webp', $2) ON CONFLICT DO NOTHING`, [digest, image]);
  return digest;
}

/** The office's basemap stand-in: green imagery tiles, and label tiles with a red square, on another origin. */
async function startTileServer(): Promise<void> {
  const imagery = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 46, g: 125, b: 50 } } }).png().toBuffer();
  const labels = await sharp({ create: { width: 256, height: 256, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 220, g: 20, b: 60, alpha: 1 } } }).png().toBuffer(), left: 108, top: 108 }])
    .png().toBuffer();
  tileServer = http.createServer((request, response) => {
    tileRequests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
    response.end(request.url?.startsWith('/wmts') ? labels : imagery);
  });
  await new Promise<void>((resolve) => tileServer.listen(0, '127.0.0.1', resolve));
  tileOrigin = `http://127.0.0.1:${(tileServer.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  await emptyTables(pool);
  await createAccounts(pool);
  await pool.query(
    `INSERT INTO admin_area (id, code, level, name, geom) VALUES
       (1, 'S1', 'street', '曹路镇', ST_Multi(ST_MakeEnvelope(121.600, 31.272, 121.630, 31.282, 4326))),
       (2, 'V1', 'village', $1, ST_Multi(ST_MakeEnvelope(121.611, 31.271, 121.619, 31.279, 4326)))`, [LONG_VILLAGE]);
  // Flight 3 has the highest number but was flown first, elsewhere: the map must not open on it.
  // Flights 4 and 5 wait in the queue.
  await pool.query(
    `INSERT INTO flight (id, kind, status, captured_at, footprint, operator) VALUES
       (1, 'drone', 'done', '2026-09-01T02:00:00Z', ST_Multi(ST_MakeEnvelope(121.610, 31.270, 121.620, 31.280, 4326)), '张飞手'),
       (2, 'drone', 'done', '2026-10-15T02:00:00Z', ST_Multi(ST_MakeEnvelope(121.6125, 31.2725, 121.6175, 31.2775, 4326)), '张飞手'),
       (3, 'drone', 'done', '2026-08-01T02:00:00Z', ST_Multi(ST_MakeEnvelope(121.40, 31.10, 121.41, 31.11, 4326)), '李飞手'),
       (4, 'drone', 'queued', '2026-11-02T02:00:00Z', NULL, '张飞手'),
       (5, 'drone', 'queued', '2026-11-03T02:00:00Z', NULL, '张飞手');
     SELECT setval('flight_id_seq', 5);
     INSERT INTO flight_asset (flight_id, kind, role, uri) VALUES (2, 'orthophoto', 'cog', '/nowhere/ortho.tif')`);
  // Three candidates within a few metres of each other (one cluster at zoom 12), the first under review.
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, status, area_m2, priority, street_id, village_id, first_flight_id, last_flight_id, first_seen_at, last_seen_at)
     SELECT ST_Multi(ST_MakeEnvelope(121.6150 + d, 31.2750, 121.61515 + d, 31.27512, 4326)), 'new_structure', 'pending', 180, 10 - i, 1, 2, 1, 2,
            '2026-09-01T02:00:00Z', '2026-10-15T02:00:00Z'
       FROM unnest(ARRAY[0, 0.0003, 0.0006]) WITH ORDINALITY AS t(d, i) ORDER BY i RETURNING id::text`);
  candidateId = rows[0]!.id;
  // The first flight had nothing earlier to compare with: an after chip only.
  const [after1, before2, after2] = await Promise.all([storeChip([120, 110, 100]), storeChip([110, 105, 100]), storeChip([200, 60, 40])]);
  // Rows written on 1 December, long after the flights were flown: the screens must show the flight days.
  await pool.query(
    `INSERT INTO candidate_observation (candidate_id, flight_id, geom, area_m2, score, evidence_before, evidence_after, before_flight_id, observed_at)
     SELECT c.id, o.flight, c.geom, 180, 0.9, o.b, o.a, o.before, '2026-12-01T08:00:00Z'
       FROM candidate c, (VALUES (1, NULL, $2, NULL::bigint), (2, $3, $4, 1)) AS o(flight, b, a, before) WHERE c.id = $1`,
    [candidateId, after1, before2, after2]);
  await pool.query(
    `INSERT INTO review_event (candidate_id, action, to_status, candidate_version, payload, at) VALUES
       ($1, 'raise', 'pending', 1, '{"flightId": "1"}', '2026-12-01T08:00:00Z'),
       ($1, 'observe', NULL, 2, '{"flightId": "2"}', '2026-12-01T08:05:00Z')`, [candidateId]);
  await ensureViewerBuilt();
  await startTileServer();
  offline = await buildApi({ pool, pipeline, config: { basemap: null } });
  offlineUrl = await offline.listen({ host: '127.0.0.1', port: 0 });
  online = await buildApi({ pool, pipeline, config: { basemap: loadBasemapConfig({
    LINGWEI_BASEMAP_URL: `${tileOrigin}/xyz/{z}/{x}/{y}.png`,
    LINGWEI_BASEMAP_LABELS_URL: `${tileOrigin}/wmts?LAYER=cia&TILEMATRIXSET=w&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}`,
    LINGWEI_BASEMAP_ATTRIBUTION: '© 测试底图',
  }) } });
  onlineUrl = await online.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await offline?.close();
  await online?.close();
  await new Promise((resolve) => tileServer?.close(resolve));
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(pipeline.rasterStore, { recursive: true, force: true });
  await pool.end();
});

type MapHandle = { queryRenderedFeatures: (q?: unknown, o?: { layers: string[] }) => Array<{ properties: Record<string, unknown>; layer: { id: string } }>; jumpTo: (o: object) => void; getZoom: () => number };
const renderedProperties = (layers: string[]) => page.evaluate((ids) => {
  const map = (window as unknown as { lingwei: { map: MapHandle } }).lingwei.map;
  return map.queryRenderedFeatures(undefined, { layers: ids }).map((f) => ({ layer: f.layer.id, ...f.properties }));
}, layers) as Promise<Array<Record<string, unknown>>>;

describe('where and when, in a browser', { timeout: 120_000 }, () => {
  it('offline by default: the map opens on the newest flight over the view, names streets and villages, counts clusters, and asks nothing outside', async () => {
    const outside: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(offlineUrl) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
    });
    await logIn(page, offlineUrl, 'reviewer');
    await page.goto(`${offlineUrl}/#/map`);
    const mapBox = page.getByTestId('map');
    await expect.poll(() => mapBox.getAttribute('data-flight'), { timeout: 20_000 }).toBe('2');
    expect(await page.getByTestId('flight-select').inputValue()).toBe('auto');
    await mapSettled(page);
    await expect.poll(async () => (await renderedProperties(['street-labels', 'village-labels'])).map((f) => String(f.name)).sort(), { timeout: 15_000 })
      .toEqual(['曹路镇', LONG_VILLAGE].sort());
    await screenshot(page, 'map-context-labels');

    // Out to zoom 12: the three candidates are one circle that says 3.
    await page.evaluate(() => (window as unknown as { lingwei: { map: MapHandle } }).lingwei.map.jumpTo({ center: [121.6153, 31.2751], zoom: 12 }));
    await mapSettled(page);
    await expect.poll(async () => (await renderedProperties(['candidates-cluster-count'])).map((f) => f.count), { timeout: 15_000 }).toEqual([3]);
    await screenshot(page, 'map-context-clusters');
    // Over flight 3's ground the imagery follows to flight 3.
    await page.evaluate(() => (window as unknown as { lingwei: { map: MapHandle } }).lingwei.map.jumpTo({ center: [121.405, 31.105], zoom: 16 }));
    await expect.poll(() => mapBox.getAttribute('data-flight'), { timeout: 15_000 }).toBe('3');
    expect(outside).toEqual([]);
    page.removeAllListeners('request');
  });

  it('with a basemap configured, draws its imagery under everything and its labels over the flights, with the attribution', async () => {
    await page.context().clearCookies();
    await logIn(page, onlineUrl, 'reviewer');
    await page.goto(`${onlineUrl}/#/map`);
    await expect.poll(() => page.getByTestId('map').getAttribute('data-flight'), { timeout: 20_000 }).toBe('2');
    await mapSettled(page);
    await expect.poll(() => tileRequests.some((url) => /^\/xyz\/\d+\/\d+\/\d+\.png$/.test(url)), { timeout: 15_000 }).toBe(true);
    expect(tileRequests.some((url) => /^\/wmts\?LAYER=cia&TILEMATRIXSET=w&TILEMATRIX=\d+&TILEROW=\d+&TILECOL=\d+$/.test(url))).toBe(true);
    const order = await page.evaluate(() => (window as unknown as { lingwei: { map: { getStyle: () => { layers: Array<{ id: string }> } } } }).lingwei.map.getStyle().layers.map((l) => l.id));
    expect(order.slice(0, 2)).toEqual(['background', 'basemap-imagery']);
    expect(order.indexOf('flight-imagery')).toBeLessThan(order.indexOf('basemap-labels'));
    expect(order.indexOf('basemap-labels')).toBeLessThan(order.indexOf('villages-line'));
    expect(await page.locator('.maplibregl-ctrl-attrib').textContent()).toContain('© 测试底图');
    await screenshot(page, 'map-context-basemap');
  });

  it('the queue: a tall map with the surroundings and a legend; each image says which flight and day; village, street and coordinates', async () => {
    await page.goto(`${offlineUrl}/#/queue`);
    await page.context().clearCookies();
    await logIn(page, offlineUrl, 'reviewer');
    await page.goto(`${offlineUrl}/#/queue`);
    await page.locator(`[data-testid=candidate-panel][data-candidate-id="${candidateId}"]`).waitFor();
    expect(await page.getByTestId('evidence-label-before').textContent()).toBe('前期 · #1 · 2026-09-01');
    expect(await page.getByTestId('evidence-label-after').textContent()).toBe('后期 · #2 · 2026-10-15');
    expect(await page.getByTestId('fact-village').textContent()).toBe(`居村 ${LONG_VILLAGE}`);
    expect(await page.getByTestId('fact-street').textContent()).toBe('街镇 曹路镇');
    expect(await page.getByTestId('fact-coordinates').textContent()).toMatch(/^坐标 31\.2750\d\d°N 121\.6150\d\d°E$/);
    const mapBox = (await page.getByTestId('queue-map').boundingBox())!;
    expect(mapBox.height).toBeGreaterThanOrEqual(0.55 * 900);
    const legendBox = (await page.getByTestId('queue-map').getByTestId('legend').boundingBox())!;
    expect(legendBox.x + legendBox.width).toBeLessThanOrEqual(mapBox.x + mapBox.width);
    expect(legendBox.y + legendBox.height).toBeLessThanOrEqual(mapBox.y + mapBox.height);
    await mapSettled(page);
    // Surroundings: at least 100 m of ground across the map, not one roof filling it.
    const metresAcross = await page.evaluate(() => {
      const map = (window as unknown as { lingwei: { map: { getBounds: () => { getWest: () => number; getEast: () => number } } } }).lingwei.map;
      const b = map.getBounds();
      return (b.getEast() - b.getWest()) * 111_320 * Math.cos((31.275 * Math.PI) / 180);
    });
    expect(metresAcross).toBeGreaterThan(100);
    await page.getByTestId('mode-side').click();
    expect(await page.locator('.side-by-side figcaption').allTextContents()).toEqual(['前期 · #1 · 2026-09-01', '后期 · #2 · 2026-10-15']);
    await page.getByTestId('mode-swipe').click();
    await screenshot(page, 'map-context-queue');
  });

  it('the dossier: history by the day each flight was flown, every image labelled, audit rows naming the flight', async () => {
    await page.goto(`${offlineUrl}/#/candidate/${candidateId}`);
    await page.getByTestId('dossier').waitFor();
    const history = await page.getByTestId('history').locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).slice(0, 2).map((td) => td.textContent)));
    expect(history).toEqual([['#1', '2026-09-01'], ['#2', '2026-10-15']]);
    expect(await page.locator('.chip-pairs figcaption').allTextContents()).toEqual(['后期 · #1 · 2026-09-01', '前期 · #1 · 2026-09-01', '后期 · #2 · 2026-10-15']);
    expect(await page.getByTestId('audit').locator('tr[data-action=observe]').textContent()).toContain('航飞 #2（2026-10-15）');
    expect(await page.getByTestId('audit').locator('tr[data-action=raise]').textContent()).toContain('航飞 #1（2026-09-01）');
    expect(await page.getByTestId('dossier').getByTestId('fact-street').textContent()).toBe('街镇 曹路镇');
    await mapSettled(page);
    await screenshot(page, 'map-context-dossier');
  });

  it('in English: the same labels, and the names from the import where it has them', async () => {
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('audit').waitFor();
    expect(await page.locator('.chip-pairs figcaption').allTextContents()).toEqual(['After · #1 · 2026-09-01', 'Before · #1 · 2026-09-01', 'After · #2 · 2026-10-15']);
    expect(await page.getByTestId('audit').locator('tr[data-action=observe]').textContent()).toContain('flight #2 (2026-10-15)');
    expect(await page.getByTestId('dossier').getByTestId('fact-coordinates').textContent()).toMatch(/^Coordinates 31\.2750\d\d°N 121\.6150\d\d°E$/);
    await mapSettled(page);
    await screenshot(page, 'map-context-dossier-en');
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('audit').waitFor();
  });

  it('a village with a long name keeps its verdict, coverage and count on screen', async () => {
    await page.goto(`${offlineUrl}/#/villages`);
    const row = page.getByTestId('village-V1');
    await row.locator('[data-testid=village-verdict][data-verdict]:not([data-verdict=""])').waitFor({ timeout: 20_000 });
    const side = (await page.locator('.villages-side').boundingBox())!;
    for (const cell of ['.verdict-cell', '.coverage-cell', '.blocking-cell']) {
      const box = (await row.locator(cell).boundingBox())!;
      expect(box.x + box.width, cell).toBeLessThanOrEqual(side.x + side.width + 1);
    }
    expect(await row.locator('.blocking-cell').textContent()).toMatch(/^\d+$/);
    await screenshot(page, 'map-context-villages');
  });

  it("the operator's flights: queue places, links to the map and the files; a refused file is explained in Chinese", async () => {
    await page.context().clearCookies();
    await logIn(page, offlineUrl, 'operator');
    await page.goto(`${offlineUrl}/#/upload`);
    const table = page.getByTestId('recent-flights');
    await table.waitFor();
    expect(await table.locator('tr[data-flight="4"] [data-testid=queue-position]').textContent()).toBe(' · 第 1 位');
    expect(await table.locator('tr[data-flight="5"] [data-testid=queue-position]').textContent()).toBe(' · 第 2 位');
    expect(await table.locator('tr[data-flight="2"] [data-testid=flight-ortho-link]').getAttribute('href')).toBe('/api/flights/2/assets/ortho.tif');
    expect(await table.locator('tr[data-flight="1"] [data-testid=flight-ortho-link]').count()).toBe(0);
    expect(await table.locator('tr[data-flight="4"] [data-testid=flight-map-link]').count()).toBe(0);
    await screenshot(page, 'map-context-flights');

    const notes = path.join(scratch, 'notes.tif');
    fs.writeFileSync(notes, 'flight notes 2026-10-15, sunny\n');
    await page.getByTestId('upload-ortho-input').setInputFiles(notes);
    await page.getByTestId('upload-captured-at').fill('2026-10-30 09:00');
    await page.getByTestId('upload-submit').click();
    const problem = page.getByTestId('upload-problem');
    await problem.waitFor({ state: 'visible' });
    expect(await problem.textContent()).toBe('文件无法用于航飞正射影像不是 GeoTIFF：该文件看起来是文本文件。请将正射影像导出为 GeoTIFF（.tif）后上传。');
    await screenshot(page, 'map-context-refused');

    await table.locator('tr[data-flight="1"] [data-testid=flight-map-link]').click();
    await expect.poll(() => page.getByTestId('map').getAttribute('data-flight'), { timeout: 20_000 }).toBe('1');
    expect(await page.getByTestId('flight-select').inputValue()).toBe('1');
  });
});
