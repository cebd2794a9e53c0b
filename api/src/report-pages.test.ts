/**
 * The printed report pages as a reader sees them, against the real database, Chromium and poppler:
 * the table report and the bulletin, in Chinese and in English, printed to PDF and read back.
 * A district with a street whose name is very long, cases with evidence chips (real WebP images),
 * a quota. Checked: one language per page, numbers that never wrap or overflow their cells, legend
 * entries and words that never print over each other, chart and map text inside its drawing, no
 * heading alone at the foot of a page, the bulletin's masthead, summary, key cases with their
 * thumbnails and the map with scale bar and north arrow.
 * Set LAYOUT_PNG_DIR to keep every page as a PNG to look at.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlight, setFlightFootprint, setFlightStatus } from '#db/sql/flights.js';
import { setQuota } from '#db/sql/quotas.js';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { hashPassword } from './auth/passwords.js';
import { closePdfPrinter } from './pdf/print-pdf.js';
import { orphanedHeadings, overlappingWords, pdfLayout, pdfPagesAsPng, pdfText, probeLayout } from './pdf/testing/layout-probe.js';
import { buildApi } from './server.js';

const run = promisify(execFile);
const pool = createTestPool();
let app: FastifyInstance;
let cookie = '';
const ids: Record<string, string> = {};
const LONG_STREET = '浦东新区高行镇东沟社区居民委员会第一网格';
const LONG_STREET_EN = 'Donggou Community Grid One of Gaohang Town';
const CASES = 8;

async function area(code: string, level: string, name: string, nameEn: string, parent: string | null, [w, s, e, n]: number[]) {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO admin_area (code, level, name, name_en, parent_id, geom) VALUES ($1, $2, $3, $4, $5, ST_Multi(ST_MakeEnvelope($6, $7, $8, $9, 4326))) RETURNING id::text`,
    [code, level, name, nameEn, parent && ids[parent], w, s, e, n],
  );
  ids[code] = rows[0]!.id;
}

/** A WebP chip of one colour, as the raise stage stores them. */
async function chip(red: number): Promise<{ digest: string; image: Buffer }> {
  const image = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: red, g: 110, b: 80 } } }).webp().toBuffer();
  await pool.query(`INSERT INTO evidence_chip (digest, media_type, image) VALUES ($1, 'image/webp', $2) ON CONFLICT DO NOTHING`, [createHash('sha256').update(image).digest('hex'), image]);
  return { digest: createHash('sha256').update(image).digest('hex'), image };
}

/** A candidate raised (and, for the first ones, verified) in 2026-W47, seen by `flight` with before/after chips. */
async function candidate(i: number, flight: string) {
  const lon = 121.02 + i * 0.045;
  const lat = 31.03 + (i % 4) * 0.04;
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, status, area_m2, first_seen_at, last_seen_at)
     VALUES (ST_Multi(ST_MakeEnvelope($1::float8, $2::float8, $1::float8 + 0.0002, $2::float8 + 0.0002, 4326)), 'rooftop_addition', $3, $4, '2026-11-17T01:00:00Z', '2026-11-17T01:00:00Z') RETURNING id::text`,
    [lon, lat, i < 3 ? 'verified' : 'pending', 400 - i * 30],
  );
  const id = rows[0]!.id;
  ids[`c${i}`] = id;
  await pool.query(`INSERT INTO review_event (candidate_id, action, to_status, at) VALUES ($1, 'raise', 'pending', '2026-11-17T09:00:00+08:00')`, [id]);
  if (i < 3) await pool.query(`INSERT INTO review_event (candidate_id, action, to_status, at) VALUES ($1, 'verify', 'verified', '2026-11-18T09:00:00+08:00')`, [id]);
  const [before, after] = [await chip(20 + i * 20), await chip(230 - i * 10)];
  await pool.query(
    `INSERT INTO candidate_observation (candidate_id, flight_id, geom, area_m2, evidence_before, evidence_after, before_flight_id)
     SELECT id, $2, geom, area_m2, $3, $4, $5 FROM candidate WHERE id = $1::bigint`,
    [id, flight, i === 1 ? null : before.digest, after.digest, i === 1 ? null : ids.earlierFlight],
  );
}

let pngDir: string | null = null;

beforeAll(async () => {
  await emptyTables(pool);
  await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('lingwei-test-pw') });
  await area('D1', 'district', '示范区', 'Demo District', null, [121.0, 31.0, 121.4, 31.2]);
  await area('S1', 'street', '华新镇', 'Huaxin Town', 'D1', [121.0, 31.0, 121.2, 31.2]);
  await area('S2', 'street', LONG_STREET, LONG_STREET_EN, 'D1', [121.2, 31.0, 121.4, 31.2]);
  await area('V1', 'village', '新木桥村', 'Xinmuqiao Village', 'S1', [121.0, 31.0, 121.1, 31.2]);
  // The flight the before chips were cut from, and the week's flight.
  for (const [key, capturedAt] of [['earlierFlight', '2026-10-01T10:00:00+08:00'], ['flight', '2026-11-17T10:00:00+08:00']] as const) {
    ids[key] = await createFlight(pool, { capturedAt, operator: '张三' });
    await setFlightFootprint(pool, ids[key]!, JSON.stringify({ type: 'Polygon', coordinates: [[[121, 31], [121.4, 31], [121.4, 31.2], [121, 31.2], [121, 31]]] }), 0.1, 'EPSG:32651');
    await setFlightStatus(pool, ids[key]!, 'done');
  }
  const flight = ids.flight!;
  for (let i = 0; i < CASES; i += 1) await candidate(i, flight);
  await pool.query(`INSERT INTO register_entry (external_id, footprint, area_m2, status, demolished_on) VALUES ('r1', ST_Multi(ST_MakeEnvelope(121.3, 31.05, 121.3001, 31.0501, 4326)), 12345, 'demolished', '2026-11-19')`);
  await setQuota(pool, { street: 'S1', year: 2026, targetM2: 10000, targetCount: 20 });
  await setQuota(pool, { street: 'S2', year: 2026, targetM2: 200000, targetCount: null });
  app = await buildApi({ pool });
  const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'reviewer', password: 'lingwei-test-pw' } });
  cookie = `lingwei_session=${login.cookies.find((c) => c.name === 'lingwei_session')!.value}`;
  if (process.env.LAYOUT_PNG_DIR) {
    pngDir = process.env.LAYOUT_PNG_DIR;
    await mkdir(pngDir, { recursive: true });
  }
});
afterAll(async () => {
  await app?.close();
  await closePdfPrinter();
  await pool.end();
});

const get = (url: string) => app.inject({ url, headers: { cookie } });
const week = (query: string) => `/api/reports/weekly/2026-W47?area=${ids.D1}&${query}`;

/** Latin words of three letters or more that are not units or codes: English on a Chinese page. */
const englishWords = (text: string) => (text.match(/[A-Za-z]{3,}/g) ?? []);
const cjk = (text: string) => (text.match(/[\u2e80-\u9fff]+/g) ?? []);

const FORMS = [
  { form: 'report', lang: 'zh', paper: 'A4 landscape', headings: ['汇总', '各街镇情况', '图表'] },
  { form: 'report', lang: 'en', paper: 'A4 landscape', headings: ['Summary', 'By street', 'Charts'] },
  { form: 'bulletin', lang: 'zh', paper: 'A4 portrait', headings: ['一、总体情况', '二、主要指标', '三、各街镇情况', '四、重点案件', '五、分布图', '六、近期趋势'] },
  { form: 'bulletin', lang: 'en', paper: 'A4 portrait', headings: ['1. Overview', '2. Key figures', '3. By street', '4. Key cases', '5. Overview map', '6. Recent trend'] },
] as const;

describe('the printed report pages', () => {
  for (const { form, lang, paper, headings } of FORMS) {
    it(`lays out the ${form} in ${lang === 'zh' ? 'Chinese' : 'English'} without overflow, overlap, cut labels or orphaned headings`, async () => {
      const html = (await get(week(`format=html&form=${form}&lang=${lang}`))).body;
      const layout = await probeLayout(html, paper);
      expect(layout.overflowingCells).toEqual([]);
      expect(layout.wrappedNumbers).toEqual([]);
      expect(layout.overlappingLegendEntries).toEqual([]);
      expect(layout.textOutsideDrawing).toEqual([]);
      expect(layout.widerThanPage).toEqual([]);
      // The probe saw the tables, the legends and the drawings' text.
      expect(layout.measured.cells).toBeGreaterThan(40);
      expect(layout.measured.legendEntries).toBeGreaterThanOrEqual(4);
      expect(layout.measured.svgTexts).toBeGreaterThan(20);
      // Every figure is a number in a cell of its own.
      expect(html.match(/<td class="num/g)!.length).toBeGreaterThan(40);

      const response = await get(week(`format=pdf&form=${form}&lang=${lang}`));
      expect(response.statusCode).toBe(200);
      const pdf = response.rawPayload;
      if (pngDir) await pdfPagesAsPng(pdf, pngDir, `${form}-${lang}`);
      const { pages, words, lines } = await pdfLayout(pdf);
      expect(pages[0]!.width > pages[0]!.height).toBe(paper === 'A4 landscape');
      expect(overlappingWords(words)).toEqual([]);
      expect(orphanedHeadings(lines, headings)).toEqual([]);
      for (const heading of headings) expect(lines.map((l) => l.text)).toContain(heading);
      // No page holds a stray line or two (the signature alone on the last page): footers aside, every page carries content.
      for (let n = 1; n <= pages.length; n += 1) {
        expect(lines.filter((l) => l.page === n && !/^(第 \d+ 页 \/ 共 \d+ 页|Page \d+ of \d+)$/.test(l.text)).length, `page ${n}`).toBeGreaterThan(5);
      }

      // One language: no English words on a Chinese page, no Chinese on an English one.
      const text = await pdfText(pdf);
      const unspaced = text.replace(/\s+/g, '');
      for (let n = 1; n <= pages.length; n += 1) expect(unspaced).toContain(lang === 'zh' ? `第${n}页/共${pages.length}页` : `Page${n}of${pages.length}`);
      if (lang === 'zh') {
        expect(englishWords(text)).toEqual([]);
        expect(text).toContain(LONG_STREET);
      } else {
        expect(cjk(text)).toEqual([]);
        expect(text.replace(/\s+/g, ' ')).toContain('Huaxin Town');
      }
    });
  }

  it('prints the bulletin with its office and number, a summary from the figures, key cases with thumbnails and a map', async () => {
    const html = (await get(week(`format=html&form=bulletin&office=${encodeURIComponent('示范区拆除违法建筑工作办公室')}&number=${encodeURIComponent('2026年第12期')}`))).body;
    expect(html).toContain('<div class="title">违法建筑治理周报</div>');
    expect(html).toContain('<div class="number">2026年第12期</div>');
    expect(html).toContain('<span>示范区拆除违法建筑工作办公室</span><span>2026年11月23日</span>');
    // The summary, from the figures: 8 new (8 × 400 − 30 × 28 = 2,360 m²), 3 verified (400 + 370 + 340 m²), the register's 12,345 m².
    expect(html).toContain('2026年第47周，示范区航飞巡查新增疑似违建图斑8宗（2,360平方米），较上周增加8宗；经核查确认违建3宗（1,110平方米）');
    expect(html).toContain('存量违建减量1宗（12,345平方米）');
    expect(html).toContain('2026年度拆违指标210,000平方米，累计完成12,345平方米，完成率5.9%。');
    // Six key cases, the verified first: eleven thumbnails (c1 has no before chip), every one a WebP data URL.
    expect(html.match(/<div class="case">/g)).toHaveLength(6);
    expect(html.match(/<img src="data:image\/webp;base64,/g)).toHaveLength(11);
    expect(html).toContain('无影像');
    // Each image dated: the before chip by the earlier flight it was cut from, the after chip by the week's flight.
    expect(html).toContain(`<figcaption>前期影像 · <span class="nowrap">航飞 #${ids.earlierFlight}</span> · <span class="nowrap">2026-10-01</span></figcaption>`);
    expect(html).toContain(`<figcaption>后期影像 · <span class="nowrap">航飞 #${ids.flight}</span> · <span class="nowrap">2026-11-17</span></figcaption>`);
    expect(html).toContain('另有2宗见分布图。');
    // The map: both streets named, six numbered markers, two more cases as dots, a scale bar and a north arrow.
    expect(html).toContain('class="scale-bar"');
    expect(html).toMatch(/class="north-arrow">.*>北<\/text>/);
    expect(html.match(/<g class="map-marker">/g)).toHaveLength(6);
    expect(html).toContain(`>${LONG_STREET}</text>`);

    const pdf = (await get(week('format=pdf&form=bulletin'))).rawPayload;
    const dir = await mkdtemp(path.join(tmpdir(), 'lingwei-bulletin-'));
    try {
      await writeFile(path.join(dir, 'b.pdf'), pdf);
      const listed = (await run('pdfimages', ['-list', path.join(dir, 'b.pdf')])).stdout.trim().split('\n').slice(2);
      expect(listed.filter((row) => / image\s+96\s+96 /.test(row))).toHaveLength(11);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const text = (await pdfText(pdf)).replace(/\s+/g, '');
    expect(text).toContain('违法建筑治理工作办公室'); // the configured default office
    expect(text).toContain('2026年第47期'); // the default number: the week's
    expect(text).toMatch(/\d+km/);
  });

  it('writes the English bulletin in English words, the streets by their English names', async () => {
    const html = (await get(week('format=html&form=bulletin&lang=en'))).body;
    expect(html).toContain('<div class="number">No. 47, 2026</div>');
    expect(html).toContain('<span>Office for the Control of Illegal Construction</span><span>23 November 2026</span>');
    expect(html).toContain('In Week 47, 2026, patrol flights over Demo District found 8 new candidates (2,360 m²), 8 more than the week before. 3 cases (1,110 m²) were verified as illegal');
    expect(html).toContain(`>${LONG_STREET_EN}</text>`);
  });

  it('prints a bulletin for everywhere, for a street (its villages on the map) and for a week with no case', async () => {
    const everywhere = (await get('/api/reports/weekly/2026-W47?format=html&form=bulletin')).body;
    expect(everywhere).toContain('2026年第47周，全区域航飞巡查新增疑似违建图斑8宗');
    expect(everywhere.match(/<g class="map-marker">/g)).toHaveLength(6);
    const street = (await get(`/api/reports/weekly/2026-W47?area=${ids.S1}&format=html&form=bulletin`)).body;
    expect(street).toContain('>新木桥村</text>'); // the street's village named on its map
    expect(street.match(/<div class="case">/g)).toHaveLength(4); // c0..c3 lie in 华新镇 (west of 121.2)
    const quiet = (await get(week('format=html&form=bulletin').replace('2026-W47', '2026-W40'))).body;
    expect(quiet).toContain('未发现新增疑似违建图斑');
    expect(quiet).toContain('本期实现新建违建零增长。');
    expect(quiet).toContain('<p>本期无新增或确认的违建案件。</p>');
    expect(quiet).not.toContain('class="map-marker"');
    expect((await get('/api/reports/weekly/2026-W40?format=pdf&form=bulletin')).statusCode).toBe(200);
  });

  it('prints an office and number that look like markup as text', async () => {
    const html = (await get(week(`format=html&form=bulletin&office=${encodeURIComponent('<img src=x onerror=alert(1)>')}&number=${encodeURIComponent('"><script>')}`))).body;
    expect(html).toContain('<span>&lt;img src=x onerror=alert(1)&gt;</span>');
    expect(html).toContain('<div class="number">&quot;&gt;&lt;script&gt;</div>');
    expect(html).not.toMatch(/<script|<img src=x/);
  });

  it('refuses an office or number too long to print, and another form', async () => {
    for (const query of [`form=bulletin&office=${'办'.repeat(61)}`, `form=bulletin&number=${'9'.repeat(41)}`, 'form=poster', 'form=bulletin&office=']) {
      const response = await get(week(`format=html&${query}`));
      expect(response.statusCode, query).toBe(400);
    }
  });
});
