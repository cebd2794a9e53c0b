/**
 * Reports against the real database: a district with two streets and a village, candidates with
 * audit trails and register entries across 2026-W46 and W47 (events near the Shanghai week
 * boundary included), quotas; every figure checked exactly in JSON, CSV, HTML and PDF.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setQuota } from '#db/sql/quotas.js';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { emptyFigures, type Figures } from '#domain/weekly-report.js';
import { storeWeeklyReports } from '#pipeline/queue/weekly-report-job.js';
import { hashPassword } from './auth/passwords.js';
import { closePdfPrinter } from './pdf/print-pdf.js';
import { REPORT_CSV_HEADER } from './reports/report-csv.js';
import { parseCsv } from './csv.js';
import { buildApi } from './server.js';

const pool = createTestPool();
let app: FastifyInstance;
let cookie = '';
const ids: Record<string, string> = {};
const figures = (partial: Partial<Figures>): Figures => ({ ...emptyFigures(), ...partial });

async function area(code: string, level: string, name: string, parent: string | null, [w, s, e, n]: number[]) {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO admin_area (code, level, name, name_en, parent_id, geom) VALUES ($1, $2, $3, $4, $5, ST_Multi(ST_MakeEnvelope($6, $7, $8, $9, 4326))) RETURNING id::text`,
    [code, level, name, `${code} en`, parent && ids[parent], w, s, e, n],
  );
  ids[code] = rows[0]!.id;
}

async function candidate(key: string, lon: number, m2: number, events: Array<[string, string | null, string]>) {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, area_m2) VALUES (ST_Multi(ST_MakeEnvelope($1::float8, 31.1, $1::float8 + 0.0001, 31.1001, 4326)), 'new_structure', $2) RETURNING id::text`,
    [lon, m2],
  );
  ids[key] = rows[0]!.id;
  for (const [action, to, at] of events) {
    await pool.query(`INSERT INTO review_event (candidate_id, action, to_status, at) VALUES ($1, $2, $3, $4)`, [rows[0]!.id, action, to, at]);
  }
}

async function registerEntry(key: string, lon: number, m2: number, demolishedOn: string | null, street: string | null = null) {
  await pool.query(
    `INSERT INTO register_entry (external_id, footprint, area_m2, status, demolished_on, street_id)
     VALUES ($1, ST_Multi(ST_MakeEnvelope($2::float8, 31.05, $2::float8 + 0.0001, 31.0501, 4326)), $3, $4, $5, $6)`,
    [key, lon, m2, demolishedOn ? 'demolished' : 'stock', demolishedOn, street && ids[street]],
  );
}

beforeAll(async () => {
  await emptyTables(pool);
  await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('lingwei-test-pw') });
  await area('D1', 'district', '示范区', null, [121.0, 31.0, 121.4, 31.2]);
  await area('S1', 'street', '华新镇', 'D1', [121.0, 31.0, 121.2, 31.2]);
  await area('S2', 'street', '花木街道', 'D1', [121.2, 31.0, 121.4, 31.2]);
  await area('V1', 'village', '新木桥村', 'S1', [121.0, 31.0, 121.1, 31.2]);
  // W46 is 2026-11-09..15, W47 is 2026-11-16..22 (Shanghai).
  await candidate('c1', 121.05, 100, [
    ['raise', 'pending', '2026-11-10T09:00:00+08:00'], ['verify', 'verified', '2026-11-12T09:00:00+08:00'],
    ['schedule', 'scheduled', '2026-11-17T09:00:00+08:00'], ['mark_demolished', 'demolished', '2026-11-20T09:00:00+08:00'],
    ['confirm_demolished', 'demolition_confirmed', '2026-11-23T00:10:00+08:00'], // already W48
  ]);
  await candidate('c2', 121.15, 50, [
    ['raise', 'pending', '2026-11-11T09:00:00+08:00'], ['verify', 'verified', '2026-11-18T10:00:00+08:00'],
    ['reject', 'rejected', '2026-11-18T11:00:00+08:00'], ['reopen', 'pending', '2026-11-18T12:00:00+08:00'],
    ['verify', 'verified', '2026-11-19T09:00:00+08:00'], // verified twice in W47: counted once
  ]);
  await candidate('c3', 121.25, 30, [
    ['raise', 'pending', '2026-11-15T23:30:00+08:00'], // Sunday night in Shanghai: W46
    ['reject', 'rejected', '2026-11-16T00:30:00+08:00'], // Monday 00:30 in Shanghai (Sunday in UTC): W47
  ]);
  await candidate('c4', 121.35, 200, [
    ['raise', 'in_register', '2026-11-12T09:00:00+08:00'], // set aside by triage: not a new candidate
    ['verify', 'verified', '2026-11-17T09:00:00+08:00'], ['schedule', 'scheduled', '2026-11-18T09:00:00+08:00'],
    ['mark_demolished', 'demolished', '2026-11-21T09:00:00+08:00'], ['confirm_demolished', 'demolition_confirmed', '2026-11-22T23:59:00+08:00'],
  ]);
  await candidate('c5', 121.5, 7, [['raise', 'pending', '2026-11-17T09:00:00+08:00'], ['reject', 'rejected', '2026-11-22T09:00:00+08:00']]);
  await registerEntry('r1', 121.12, 400, '2026-11-16'); // S1, placed by its footprint
  await registerEntry('r2', 121.3, 250, '2026-11-22', 'S2');
  await registerEntry('r3', 121.3, 60, '2026-11-15', 'S2');
  await registerEntry('r4', 121.05, 1000, '2026-03-02'); // V1 in S1, earlier this year
  await registerEntry('r5', 121.15, 5000, '2025-12-30'); // last year: not toward the 2026 quota
  await registerEntry('r6', 121.15, 800, null);
  for (const quota of [
    { street: 'S1', year: 2026, targetM2: 10000, targetCount: 20 }, { street: 'S2', year: 2026, targetM2: 2000, targetCount: null },
    { street: 'S1', year: 2025, targetM2: 999, targetCount: null },
  ]) expect(await setQuota(pool, quota)).toMatchObject({ code: quota.street });
  app = await buildApi({ pool });
  const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'reviewer', password: 'lingwei-test-pw' } });
  cookie = `lingwei_session=${login.cookies.find((c) => c.name === 'lingwei_session')!.value}`;
});
afterAll(async () => {
  await app?.close();
  await closePdfPrinter();
  await pool.end();
});

const get = (url: string) => app.inject({ url, headers: { cookie } });

const W47_S1 = figures({ verified: { count: 1, m2: 50 }, rejected: { count: 1, m2: 50 }, scheduled: { count: 1, m2: 100 }, demolished: { count: 1, m2: 100 }, registerReduction: { count: 1, m2: 400 } });
const W47_S2 = figures({ verified: { count: 1, m2: 200 }, rejected: { count: 1, m2: 30 }, scheduled: { count: 1, m2: 200 }, demolished: { count: 1, m2: 200 }, confirmedDemolished: { count: 1, m2: 200 }, registerReduction: { count: 1, m2: 250 } });
const W47_D1 = figures({
  verified: { count: 2, m2: 250 }, rejected: { count: 2, m2: 80 }, scheduled: { count: 2, m2: 300 }, demolished: { count: 2, m2: 300 },
  confirmedDemolished: { count: 1, m2: 200 }, registerReduction: { count: 2, m2: 650 },
});
const W46_D1 = figures({ newCandidates: { count: 3, m2: 180 }, verified: { count: 1, m2: 100 }, registerReduction: { count: 1, m2: 60 } });

describe('the weekly report', () => {
  it('gives a district every figure, the change against the week before, streets with quota progress, and the trend', async () => {
    const response = await get(`/api/reports/weekly/2026-W47?area=${ids.D1}`);
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report.period).toEqual({ kind: 'weekly', label: '2026-W47', start: '2026-11-16', end: '2026-11-22' });
    expect(report.previousPeriod.label).toBe('2026-W46');
    expect(report.area).toMatchObject({ code: 'D1', level: 'district' });
    expect(report.total.figures).toEqual(W47_D1);
    expect(report.total.previous).toEqual(W46_D1);
    expect(report.total.change).toEqual(figures({
      newCandidates: { count: -3, m2: -180 }, verified: { count: 1, m2: 150 }, rejected: { count: 2, m2: 80 }, scheduled: { count: 2, m2: 300 },
      demolished: { count: 2, m2: 300 }, confirmedDemolished: { count: 1, m2: 200 }, registerReduction: { count: 1, m2: 590 },
    }));
    expect(report.rows.map((r: { area: { code: string } }) => r.area.code)).toEqual(['S1', 'S2']);
    const [s1, s2] = report.rows;
    expect(s1.figures).toEqual(W47_S1);
    expect(s1.previous).toEqual(figures({ newCandidates: { count: 2, m2: 150 }, verified: { count: 1, m2: 100 } }));
    expect(s2.figures).toEqual(W47_S2);
    expect(s2.previous).toEqual(figures({ newCandidates: { count: 1, m2: 30 }, registerReduction: { count: 1, m2: 60 } }));
    // Year to date: S1 = c1 (100) + r1 (400) + r4 (1000); S2 = c4 (200) + r2 (250) + r3 (60).
    expect(s1.quota).toEqual({ year: 2026, targetM2: 10000, targetCount: 20, done: { count: 3, m2: 1500 }, progressM2: 0.15, progressCount: 0.15 });
    expect(s2.quota).toEqual({ year: 2026, targetM2: 2000, targetCount: null, done: { count: 3, m2: 510 }, progressM2: 0.255, progressCount: null });
    expect(report.total.quota).toEqual({ year: 2026, targetM2: 12000, targetCount: 20, done: { count: 6, m2: 2010 }, progressM2: 0.1675, progressCount: 0.3 });
    expect(report.trend.map((p: { label: string }) => p.label)).toEqual(['2026-W40', '2026-W41', '2026-W42', '2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47']);
    expect(report.trend[6].figures).toEqual(W46_D1);
    expect(report.trend[7].figures).toEqual(W47_D1);
    expect(report.trend[0].figures).toEqual(emptyFigures());
  });

  it('covers everywhere without an area, counting candidates outside every street', async () => {
    const report = (await get('/api/reports/weekly/2026-W47')).json();
    expect(report.area).toBeNull();
    expect(report.total.figures).toEqual({ ...W47_D1, newCandidates: { count: 1, m2: 7 }, rejected: { count: 3, m2: 87 } });
    expect(report.rows.map((r: { area: { code: string } }) => r.area.code)).toEqual(['S1', 'S2']);
  });

  it('reports on a street or a village as its own single row', async () => {
    const street = (await get(`/api/reports/weekly/2026-W47?area=${ids.S1}`)).json();
    expect(street.total.figures).toEqual(W47_S1);
    expect(street.rows).toHaveLength(1);
    expect(street.total.quota).toEqual(street.rows[0].quota);
    const village = (await get(`/api/reports/weekly/2026-W47?area=${ids.V1}`)).json();
    expect(village.total.figures).toEqual(figures({ scheduled: { count: 1, m2: 100 }, demolished: { count: 1, m2: 100 } }));
    expect(village.rows[0]).toMatchObject({ area: { code: 'V1', level: 'village' }, quota: null });
  });

  it('writes CSV with a BOM, one row per street and a total', async () => {
    const response = await get(`/api/reports/weekly/2026-W47?area=${ids.D1}&format=csv`);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="lingwei-weekly-2026-W47-D1.csv"');
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parseCsv(response.body);
    expect(rows[0]).toEqual(REPORT_CSV_HEADER);
    expect(rows.map((r) => r[1])).toEqual(['区域 area', '华新镇', '花木街道', '合计 Total 示范区']);
    // S1: new, verified, rejected, scheduled, demolished, confirmed, register (count, m², change count, change m²), then quota.
    expect(rows[1]).toEqual(['S1', '华新镇',
      '0', '0', '-2', '-150', '1', '50', '0', '-50', '1', '50', '1', '50', '1', '100', '1', '100', '1', '100', '1', '100', '0', '0', '0', '0', '1', '400', '1', '400',
      '10000', '20', '1500', '3', '15', '15']);
    expect(rows[3]!.slice(-6)).toEqual(['12000', '20', '2010', '6', '16.8', '30']);
  });

  it('renders a self-contained printable HTML page with charts, in Chinese or in English, never both', async () => {
    const response = await get(`/api/reports/weekly/2026-W47?area=${ids.D1}&format=html`);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.body;
    expect(html).toContain('违法建筑治理周报 · 2026年第47周');
    expect(html).toContain('存量违建减量');
    // Register reduction of the district: 2 cases, 650 m², each number in a cell of its own.
    expect(html).toMatch(/<th scope="row">存量违建减量<\/th><td class="num">2<\/td><td class="num">650<\/td>/);
    expect(html.match(/<svg /g)).toHaveLength(3); // new candidates per street, quota, trend
    expect(html).toContain('1,500 / 10,000');
    // Nothing loaded from outside: no scripts, sources, links or CSS URLs.
    expect(html).not.toMatch(/<script|\ssrc=|\shref=|url\(|@import|<link/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:/);
    const visible = (page: string) => page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]*>/g, ' ');
    expect(visible(html)).not.toMatch(/[A-Za-z]{3,}/);
    const english = (await get(`/api/reports/weekly/2026-W47?area=${ids.D1}&format=html&lang=en`)).body;
    expect(english).toContain('Weekly report on illegal construction · Week 47, 2026');
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('S1 en'); // the streets' English names
    expect(visible(english)).not.toMatch(/[\u2e80-\u9fff]/);
    expect((await get(`/api/reports/weekly/2026-W47?format=html&lang=fr`)).statusCode).toBe(400);
  });

  it('prints the page to PDF with Chromium', async () => {
    const response = await get(`/api/reports/weekly/2026-W47?area=${ids.S2}&format=pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const head = await app.inject({ method: 'HEAD', url: `/api/reports/weekly/2026-W47?area=${ids.S2}&format=pdf`, headers: { cookie } });
    expect([head.statusCode, head.headers['content-type'], head.headers['content-disposition'], head.rawPayload.length])
      .toEqual([200, 'application/pdf', response.headers['content-disposition'], 0]);
  });
});

describe('monthly and quarterly roll-ups', () => {
  const NOVEMBER_D1 = figures({
    newCandidates: { count: 3, m2: 180 }, verified: { count: 3, m2: 350 }, rejected: { count: 2, m2: 80 }, scheduled: { count: 2, m2: 300 },
    demolished: { count: 2, m2: 300 }, confirmedDemolished: { count: 2, m2: 300 }, registerReduction: { count: 3, m2: 710 },
  });

  it('gives a month the same figures over its days, against the month before', async () => {
    const report = (await get(`/api/reports/monthly/2026-11?area=${ids.D1}`)).json();
    expect(report.period).toEqual({ kind: 'monthly', label: '2026-11', start: '2026-11-01', end: '2026-11-30' });
    expect(report.total.figures).toEqual(NOVEMBER_D1);
    expect(report.total.previous).toEqual(emptyFigures());
    expect(report.total.change).toEqual(NOVEMBER_D1);
    expect(report.rows[0].quota.done).toEqual({ count: 3, m2: 1500 });
  });

  it('gives a quarter the same figures, and March register demolitions to the first quarter', async () => {
    const q4 = (await get(`/api/reports/quarterly/2026-Q4?area=${ids.D1}`)).json();
    expect(q4.total.figures).toEqual(NOVEMBER_D1);
    expect(q4.previousPeriod.label).toBe('2026-Q3');
    const q1 = (await get(`/api/reports/quarterly/2026-Q1?area=${ids.S1}&format=json`)).json();
    expect(q1.total.figures).toEqual(figures({ registerReduction: { count: 1, m2: 1000 } }));
    expect(q1.total.previous).toEqual(figures({ registerReduction: { count: 1, m2: 5000 } }));
    expect(q1.rows[0].quota.done).toEqual({ count: 1, m2: 1000 });
  });
});

describe('bad input', () => {
  const cases: Array<[string, number, string]> = [
    ['/api/reports/weekly/2026-W54', 400, 'week 54 does not exist: 2026 has 53 ISO weeks (01 to 53)'],
    ['/api/reports/weekly/2026-W00', 400, 'week 00 does not exist: 2026 has 53 ISO weeks (01 to 53)'],
    ['/api/reports/weekly/2025-W53', 400, 'week 53 does not exist: 2025 has 52 ISO weeks (01 to 52)'],
    ['/api/reports/weekly/last-week', 400, '"last-week" is not a week: write it like 2026-W47'],
    ['/api/reports/monthly/2026-13', 400, 'month 13 does not exist: months are 01 to 12'],
    ['/api/reports/quarterly/2026-Q5', 400, 'quarter Q5 does not exist: quarters are Q1 to Q4'],
    ['/api/reports/weekly/2026-W47?area=999999', 404, 'admin area 999999 does not exist'],
    ['/api/reports/stored/999999', 404, 'stored report 999999 does not exist'],
  ];
  for (const [url, status, detail] of cases) {
    it(`answers ${url} with ${status} and why`, async () => {
      const response = await get(url);
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().detail).toBe(detail);
    });
  }

  it('refuses an unsupported format, a malformed area and an unknown kind', async () => {
    for (const url of ['/api/reports/weekly/2026-W47?format=xlsx', "/api/reports/weekly/2026-W47?area=1'%3B--", '/api/reports/stored?kind=yearly', '/api/reports/stored/1?format=docx']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('stored reports', () => {
  it('lists what the Monday job stored and gives each back in every format', async () => {
    await pool.query('TRUNCATE stored_report');
    // Monday 2026-11-23: W47 for everywhere, the district and both streets.
    expect(await storeWeeklyReports(pool, new Date('2026-11-23T06:00:00+08:00'))).toBe(4);
    const list = (await get('/api/reports/stored')).json();
    expect(list.matched).toBe(4);
    expect(list.reports.map((r: { kind: string; label: string; area: { code: string } | null }) => [r.kind, r.label, r.area?.code ?? null]))
      .toEqual([['weekly', '2026-W47', null], ['weekly', '2026-W47', 'D1'], ['weekly', '2026-W47', 'S1'], ['weekly', '2026-W47', 'S2']]);
    const district = list.reports[1];
    expect(district).toMatchObject({ periodStart: '2026-11-16', periodEnd: '2026-11-22' });
    const live = await get(`/api/reports/weekly/2026-W47?area=${ids.D1}`);
    expect((await get(`/api/reports/stored/${district.id}`)).json()).toEqual(live.json());
    expect((await get(`/api/reports/stored/${district.id}?format=csv`)).body).toBe((await get(`/api/reports/weekly/2026-W47?area=${ids.D1}&format=csv`)).body);
    expect((await get(`/api/reports/stored/${district.id}?format=html`)).body).toContain('<svg');
    expect((await get(`/api/reports/stored?area=${ids.S1}`)).json().matched).toBe(1);
    // A page past the end still reports the true total, not the count of its (no) rows.
    expect((await get('/api/reports/stored?offset=10')).json()).toEqual({ reports: [], matched: 4 });
    expect((await get(`/api/reports/stored?area=${ids.S1}&offset=1`)).json()).toEqual({ reports: [], matched: 1 });
    expect((await get('/api/reports/stored?area=0')).json().reports[0].area).toBeNull();

    // Monday 2026-12-07 closes W49, which holds 30 November: November's bulletin is stored too.
    expect(await storeWeeklyReports(pool, new Date('2026-12-07T06:00:00+08:00'))).toBe(8);
    const monthly = (await get('/api/reports/stored?kind=monthly')).json();
    expect(monthly.reports.map((r: { label: string }) => r.label)).toEqual(['2026-11', '2026-11', '2026-11', '2026-11']);
    const novemberDistrict = monthly.reports.find((r: { area: { code: string } | null }) => r.area?.code === 'D1');
    expect((await get(`/api/reports/stored/${novemberDistrict.id}`)).json().total.figures.registerReduction).toEqual({ count: 3, m2: 710 });
  });
});
