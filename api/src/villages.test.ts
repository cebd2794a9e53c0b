/**
 * Villages and the zero-violation village assessment over HTTP, against the real database (with
 * PostGIS computing coverage) and the real Chromium printing the PDF. Each village is a 0.005° square
 * (about 475 m × 555 m) of its own, so each case changes one fact.
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
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { ROLES, type Role } from '#domain/vocabulary.js';
import { hashPassword } from './auth/passwords.js';
import { closePdfPrinter } from './pdf/print-pdf.js';
import { orphanedHeadings, overlappingWords, pdfLayout, pdfPagesAsPng, pdfText, probeLayout } from './pdf/testing/layout-probe.js';
import { buildApi } from './server.js';

const pool = createTestPool();
const PASSWORD = 'lingwei-test-pw';
let app: FastifyInstance;
const tokens: Partial<Record<Role, string>> = {};
const as = (role: Role) => ({ cookie: `lingwei_session=${tokens[role]}` });

const PERIOD = 'from=2026-07-01&to=2026-10-01';
const IN_PERIOD = '2026-08-12T10:00:00+08:00';
const BEFORE_PERIOD = '2026-03-10T09:30:00+08:00';
const SIDE = 0.005;
const villages: Record<string, { id: string; west: number }> = {};
let streetId = '';

const square = (w: number, s: number, e: number, n: number) =>
  JSON.stringify({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });

async function addVillage(code: string, index: number): Promise<void> {
  const west = 121.4 + index * 0.01;
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO admin_area (code, level, name, name_en, parent_id, geom)
     VALUES ($1, 'village', $2, $3, $4, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326))) RETURNING id::text`,
    [code, `测试${index}村`, `Test village ${index}`, streetId, square(west, 31.2, west + SIDE, 31.2 + SIDE)],
  );
  villages[code] = { id: rows[0]!.id, west };
}

/**
 * A flight over the west `share` of the village (plus a margin outside it on the other sides),
 * all of it examined by detection, as the plan stage records it; a reference flight (never
 * searched) examines nothing.
 */
async function addFlight(code: string, share: number, capturedAt: string, status: 'done' | 'processing' = 'done', purpose: 'patrol' | 'reference' = 'patrol'): Promise<string> {
  const { west } = villages[code]!;
  const id = await createFlight(pool, { capturedAt, operator: '张三' });
  await setFlightFootprint(pool, id, square(west - 0.001, 31.199, west + SIDE * share, 31.2 + SIDE + 0.001), 0.1, 'EPSG:32651');
  if (purpose === 'patrol') await pool.query(`UPDATE flight SET examined_area = footprint WHERE id = $1`, [id]);
  await setFlightStatus(pool, id, status);
  return id;
}

let chipColour = 0;
/** A 64 × 64 WebP evidence chip of a colour of its own, as the raise stage stores them. */
const chipImage = () => {
  chipColour += 1;
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r: (chipColour * 53) % 256, g: (chipColour * 97) % 256, b: 90 } } }).webp().toBuffer();
};

/**
 * A 10 m × 10 m-ish candidate in the village's middle (or `at` degrees east and north of it), seen
 * by `flightId` with before and after chips, village found spatially.
 */
async function addCandidate(code: string, status: string, firstSeenAt: string, flightId: string, changeType = 'new_structure', at: [number, number] = [0, 0]): Promise<string> {
  const x = villages[code]!.west + SIDE / 2 + at[0];
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, status, area_m2, first_flight_id, last_flight_id, first_seen_at, last_seen_at)
     VALUES (ST_Multi(ST_MakeEnvelope($1::float8, 31.2025 + $6::float8, $1::float8 + 0.0001, 31.2026 + $6::float8, 4326)), $2, $3, 95, $4, $4, $5, $5) RETURNING id::text`,
    [x, changeType, status, flightId, firstSeenAt, at[1]],
  );
  const [before, after] = [await chipImage(), await chipImage()];
  const digest = (image: Buffer) => createHash('sha256').update(image).digest('hex');
  await pool.query(`INSERT INTO evidence_chip (digest, media_type, image) VALUES ($1, 'image/webp', $2), ($3, 'image/webp', $4)`,
    [digest(before!), before, digest(after!), after]);
  await pool.query(
    `INSERT INTO candidate_observation (candidate_id, flight_id, geom, area_m2, evidence_before, evidence_after)
     SELECT id, $2, geom, area_m2, $3, $4 FROM candidate WHERE id = $1::bigint`,
    [rows[0]!.id, flightId, digest(before!), digest(after!)],
  );
  return rows[0]!.id;
}

async function addRegisterEntry(code: string, externalId: string, status: string, linked: boolean): Promise<string> {
  const x = villages[code]!.west + 0.001;
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO register_entry (external_id, footprint, area_m2, category, measure, status, village_id, registered_on)
     VALUES ($1, ST_Multi(ST_MakeEnvelope($2::float8, 31.201, $2::float8 + 0.0002, 31.2012, 4326)), 400, 'production_business_storage',
             'registration', $3, $4, '2023-05-01') RETURNING id::text`,
    [externalId, x, status, linked ? villages[code]!.id : null],
  );
  return rows[0]!.id;
}

const assess = (code: string, suffix = '', period = PERIOD) =>
  app.inject({ url: `/api/villages/${villages[code]!.id}/assessment${suffix}?${period}`, headers: as('assessor') });

const ids: Record<string, string> = {};

beforeAll(async () => {
  await emptyTables(pool);
  const hash = await hashPassword(PASSWORD);
  for (const role of ROLES) await upsertUser(pool, { username: role, role, passwordHash: hash });
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO admin_area (code, level, name, geom)
     VALUES ('310106', 'district', '静安区', ST_Multi(ST_MakeEnvelope(121.3, 31.1, 121.6, 31.3, 4326))) RETURNING id::text`,
  );
  const street = await pool.query<{ id: string }>(
    `INSERT INTO admin_area (code, level, name, parent_id, geom)
     VALUES ('310106013', 'street', '大宁路街道', $1, ST_Multi(ST_MakeEnvelope(121.35, 31.15, 121.55, 31.25, 4326))) RETURNING id::text`,
    [rows[0]!.id],
  );
  streetId = street.rows[0]!.id;
  for (const [i, code] of ['clear', 'stock', 'outside', 'new', 'unreviewed', 'partial'].entries()) await addVillage(code, i);

  // Every village but "partial" is fully flown in the period by one done flight.
  for (const code of ['clear', 'stock', 'outside', 'new', 'unreviewed']) ids[`flight:${code}`] = await addFlight(code, 1, IN_PERIOD);
  ids['flight:partial'] = await addFlight('partial', 0.6, IN_PERIOD);
  // None of these count: a flight still processing, one before the period, one after it, and a
  // done reference flight over all of it, whose footprint no detection examined.
  await addFlight('partial', 1, IN_PERIOD, 'processing');
  await addFlight('partial', 1, IN_PERIOD, 'done', 'reference');
  await addFlight('partial', 1, BEFORE_PERIOD);
  await addFlight('partial', 1, '2026-10-01T00:00:00+08:00');

  // The clear village holds only what must not block: resolved, set aside, or seen after the period.
  const clearFlight = ids['flight:clear']!;
  await addRegisterEntry('clear', 'JA-DONE', 'demolished', true);
  for (const status of ['rejected', 'demolition_confirmed', 'permitted', 'in_register', 'previously_rejected']) await addCandidate('clear', status, IN_PERIOD, clearFlight);
  await addCandidate('clear', 'pending', IN_PERIOD, clearFlight, 'demolished');
  await addCandidate('clear', 'verified', '2026-11-02T10:00:00+08:00', clearFlight);

  ids.stock = await addRegisterEntry('stock', 'JA-STOCK', 'stock', false);
  ids.outside = await addCandidate('outside', 'verified', BEFORE_PERIOD, ids['flight:outside']!);
  ids.new = await addCandidate('new', 'verified', IN_PERIOD, ids['flight:new']!);
  ids.unreviewed = await addCandidate('unreviewed', 'pending', IN_PERIOD, ids['flight:unreviewed']!);

  app = await buildApi({ pool });
  for (const role of ROLES) {
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: role, password: PASSWORD } });
    tokens[role] = login.cookies.find((c) => c.name === 'lingwei_session')!.value;
  }
});
afterAll(async () => {
  await app?.close();
  await closePdfPrinter();
  await pool.end();
});

describe('GET /api/villages', () => {
  it('lists the villages with their street, and filters by street code', async () => {
    const all = await app.inject({ url: '/api/villages', headers: as('reviewer') });
    expect(all.statusCode).toBe(200);
    expect(all.json().numberMatched).toBe(6);
    expect(all.json().villages[0]).toEqual({ id: villages.clear!.id, code: 'clear', name: '测试0村', name_en: 'Test village 0', street: { id: streetId, code: '310106013', name: '大宁路街道' } });
    expect((await app.inject({ url: '/api/villages?street=nowhere', headers: as('reviewer') })).json().numberMatched).toBe(0);
  });

  it('reports the true total on a page past the end', async () => {
    const past = await app.inject({ url: '/api/villages?limit=2&offset=10', headers: as('reviewer') });
    expect(past.statusCode).toBe(200);
    expect(past.json()).toMatchObject({ numberMatched: 6, villages: [] });
    expect((await app.inject({ url: '/api/villages?street=310106013&offset=100', headers: as('reviewer') })).json().numberMatched).toBe(6);
  });
});

describe('GET /api/villages/:id/assessment', () => {
  it('passes a village with nothing unresolved, fully flown in the period, ignoring resolved and set-aside items', async () => {
    const response = await assess('clear');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      verdict: 'pass', blocking: [], period: { from: '2026-07-01', to: '2026-10-01' },
      criteria: { no_illegal_in_register: true, no_illegal_outside_register: true, zero_new_construction: true, full_coverage: true },
      village: { code: 'clear', street: '大宁路街道' },
    });
    expect(body.coverage.percent).toBe(100);
    expect(body.coverage.flights.map((f: { id: string }) => f.id)).toEqual([ids['flight:clear']]);
    // 0.005° × 0.005° at 31.2° N, measured in UTM 51N.
    expect(body.coverage.villageAreaM2).toBeGreaterThan(255_000);
    expect(body.coverage.villageAreaM2).toBeLessThan(270_000);
  });

  it('fails a village with a stock register entry, found by its place though it names no village', async () => {
    const body = (await assess('stock')).json();
    expect(body.verdict).toBe('fail');
    expect(body.criteria).toEqual({ no_illegal_in_register: false, no_illegal_outside_register: true, zero_new_construction: true, full_coverage: true });
    expect(body.blocking).toMatchObject([{ kind: 'register_entry', registerEntryId: ids.stock, externalId: 'JA-STOCK', status: 'stock', areaM2: 400, reasonZh: '存量违建未拆除' }]);
    expect(body.map.items).toMatchObject([{ kind: 'register_entry', id: ids.stock, geometry: { type: expect.stringMatching(/Polygon$/) } }]);
  });

  it('fails a village with a confirmed illegal building outside the register from before the period', async () => {
    const body = (await assess('outside')).json();
    expect(body.criteria).toEqual({ no_illegal_in_register: true, no_illegal_outside_register: false, zero_new_construction: true, full_coverage: true });
    expect(body.blocking).toEqual([expect.objectContaining({
      kind: 'candidate', criterion: 'no_illegal_outside_register', candidateId: ids.outside, changeType: 'new_structure', status: 'verified',
      areaM2: 95, firstSeenAt: '2026-03-10T01:30:00Z',
      evidence: [{ flightId: ids['flight:outside'], observedAt: '2026-08-12T02:00:00Z', before: `/api/candidates/${ids.outside}/evidence/${ids['flight:outside']}/before`, after: `/api/candidates/${ids.outside}/evidence/${ids['flight:outside']}/after` }],
    })]);
  });

  it('fails a village with new illegal construction in the period', async () => {
    const body = (await assess('new')).json();
    expect(body.criteria).toEqual({ no_illegal_in_register: true, no_illegal_outside_register: true, zero_new_construction: false, full_coverage: true });
    expect(body.blocking).toMatchObject([{ candidateId: ids.new, criterion: 'zero_new_construction', status: 'verified' }]);
  });

  it('fails a village with a change in the period still awaiting review', async () => {
    const body = (await assess('unreviewed')).json();
    expect(body.criteria.zero_new_construction).toBe(false);
    expect(body.blocking).toMatchObject([{ candidateId: ids.unreviewed, criterion: 'zero_new_construction', status: 'pending' }]);
    expect(body.blocking[0].reason).toContain('awaiting review');
  });

  it('fails a village only 60% flown by done flights in the period, and says how much', async () => {
    const body = (await assess('partial')).json();
    expect(body.verdict).toBe('fail');
    expect(body.criteria).toEqual({ no_illegal_in_register: true, no_illegal_outside_register: true, zero_new_construction: true, full_coverage: false });
    expect(body.coverage.percent).toBeGreaterThan(59.9);
    expect(body.coverage.percent).toBeLessThan(60.1);
    expect(body.coverage.flights.map((f: { id: string }) => f.id)).toEqual([ids['flight:partial']]);
    expect(body.blocking).toMatchObject([{ kind: 'coverage', coveragePercent: body.coverage.percent, requiredPercent: 99.5 }]);
    expect(body.blocking[0].reason).toContain(`${body.coverage.percent}%`);
    expect(body.map.covered.type).toMatch(/Polygon/);
  });

  it('counts flights by the period: a later period sees the flight captured at its start', async () => {
    const body = (await assess('partial', '', 'from=2026-10-01&to=2026-10-02')).json();
    expect(body.coverage.percent).toBe(100);
    expect(body.verdict).toBe('pass');
  });
});

describe('the OpenAPI document', () => {
  it('describes the village routes', async () => {
    const paths = Object.keys((await app.inject({ url: '/docs/json' })).json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/villages', '/api/villages/{id}/assessment', '/api/villages/{id}/assessment.html', '/api/villages/{id}/assessment.pdf']));
  });
});

describe('bad input', () => {
  it('answers 404 for an unknown village and for an area that is not a village', async () => {
    for (const id of ['99999999', streetId]) {
      for (const suffix of ['', '.html', '.pdf']) {
        const response = await app.inject({ url: `/api/villages/${id}/assessment${suffix}?${PERIOD}`, headers: as('assessor') });
        expect(response.statusCode).toBe(404);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    }
  });

  it('answers 400 for a reversed, empty, malformed, impossible, missing or too long period', async () => {
    const cases: Array<[string, string]> = [
      ['from=2026-10-01&to=2026-07-01', 'from must be before to'],
      ['from=2026-07-01&to=2026-07-01', 'from must be before to'],
      ['from=2026-02-30&to=2026-07-01', 'from is not a calendar day'],
      ['from=2026-07-01&to=2026-13-01', 'to is not a calendar day'],
      ['from=2024-01-01&to=2025-01-02', 'longer than 366 days'],
      ['from=yesterday&to=2026-07-01', ''],
      ['from=2026-07-01', ''],
      [`from=2026-07-01&to=${encodeURIComponent("2026-07-02'; DROP TABLE candidate; --")}`, ''],
    ];
    for (const [query, detail] of cases) {
      for (const suffix of ['', '.html', '.pdf']) {
        const response = await assess('clear', suffix, query);
        expect([query, response.statusCode]).toEqual([query, 400]);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json().detail).toContain(detail);
      }
    }
    // A whole leap year is allowed.
    expect((await assess('clear', '', 'from=2024-01-01&to=2025-01-01')).statusCode).toBe(200);
    expect((await pool.query(`SELECT count(*)::int AS n FROM candidate`)).rows[0].n).toBe(10);
  });
});

describe('what lies in a village', () => {
  it('takes the village a register entry records over where its footprint lies: one entry never blocks two villages', async () => {
    // Recorded in the register under the "stock" village, its footprint inside the "clear" one.
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO register_entry (external_id, footprint, area_m2, category, measure, status, village_id, registered_on)
       VALUES ('JA-ELSEWHERE', ST_Multi(ST_MakeEnvelope($1::float8, 31.201, $1::float8 + 0.0002, 31.2012, 4326)), 50,
               'production_business_storage', 'registration', 'stock', $2, '2023-05-01') RETURNING id::text`,
      [villages.clear!.west + 0.002, villages.stock!.id],
    );
    try {
      expect((await assess('clear')).json()).toMatchObject({ verdict: 'pass', blocking: [] });
      expect((await assess('stock')).json().blocking.map((b: { registerEntryId?: string }) => b.registerEntryId)).toContain(rows[0]!.id);
    } finally {
      await pool.query('DELETE FROM register_entry WHERE id = $1', [rows[0]!.id]);
    }
  });
});

describe('the assessment as HTML and PDF', () => {
  it('renders a self-contained page with the verdict, the coverage, the blocking items with their evidence, and a map', async () => {
    const response = await assess('outside', '.html');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.body;
    expect(html).toContain('id="verdict">未通过<');
    expect(html).toContain('库外违建');
    expect(html).toContain('航飞覆盖 100.00%');
    expect(html).toMatch(/<svg[^>]*>.*<path d="M/s);
    expect(html).toContain('class="scale-bar"');
    expect(html).toMatch(/class="north-arrow">.*>北<\/text>/);
    // The evidence as two thumbnails, the flight and its capture day under the "after" one.
    expect(html.match(/<img src="data:image\/webp;base64,[A-Za-z0-9+/=]+" alt="">/g)).toHaveLength(2);
    expect(html).toContain(`航飞 #${ids['flight:outside']}</span> <span class="nowrap">2026-08-12</span>`);
    // Nothing loaded from elsewhere: no scripts, links or url(); images only as data: URLs.
    expect(html).not.toMatch(/<script|<link|\bhref=|url\(/i);
    expect([...html.matchAll(/\bsrc="([^"]*)"/g)].every((m) => m[1]!.startsWith('data:image/webp;base64,'))).toBe(true);
    expect((await assess('clear', '.html')).body).toContain('id="verdict">通过<');
    const english = (await assess('outside', '.html', `${PERIOD}&lang=en`)).body;
    expect(english).toContain('id="verdict">FAIL<');
    expect(english).toContain('Zero-violation village assessment — Test village 2');
    expect(english.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]*>/g, ' ')).not.toMatch(/[\u2e80-\u9fff]/);
    expect((await assess('outside', '.html', `${PERIOD}&lang=de`)).statusCode).toBe(400);
  });

  it('escapes names that look like markup', async () => {
    await pool.query(`UPDATE admin_area SET name = '<script>alert(1)</script>' WHERE id = $1`, [villages.new!.id]);
    const html = (await assess('new', '.html')).body;
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('prints the page to a PDF with pages, twice with the same browser', async () => {
    for (const code of ['partial', 'clear']) {
      const response = await assess(code, '.pdf');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['content-disposition']).toContain(`village-assessment-${code}-2026-07-01-2026-10-01.pdf`);
      const pdf = response.rawPayload;
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
    }
  });

  it('answers HEAD on the PDF with its headers, without printing one', async () => {
    const head = await app.inject({ method: 'HEAD', url: `/api/villages/${villages.partial!.id}/assessment.pdf?${PERIOD}`, headers: as('assessor') });
    expect([head.statusCode, head.headers['content-type'], head.rawPayload.length]).toEqual([200, 'application/pdf', 0]);
    expect(head.headers['content-disposition']).toContain('village-assessment-partial-2026-07-01-2026-10-01.pdf');
  });
});

describe('the printed assessment as a reader sees it', () => {
  it('lays out a village with many blocking items: thumbnails, a map with scale bar and north arrow, no orphaned heading, one language', async () => {
    await addVillage('crowded', 6);
    const flight = await addFlight('crowded', 1, IN_PERIOD);
    await addRegisterEntry('crowded', 'JA-CROWDED-LONG-EXTERNAL-IDENTIFIER-0001', 'stock', true);
    const spots: Array<[number, number]> = [[-0.0018, -0.0015], [-0.0009, 0.0012], [0, -0.0005], [0.0009, 0.0014], [0.0016, -0.0016], [-0.0016, 0.0019], [0.0012, 0.0002]];
    for (const [i, at] of spots.entries()) await addCandidate('crowded', i % 2 ? 'pending' : 'verified', i < 3 ? BEFORE_PERIOD : IN_PERIOD, flight, 'rooftop_addition', at);
    const headings = {
      zh: ['考核标准', '地图', '未通过项（8）'],
      en: ['Criteria', 'Map', 'Blocking items (8)'],
    };
    const dir = process.env.LAYOUT_PNG_DIR;
    if (dir) await mkdir(dir, { recursive: true });
    for (const lang of ['zh', 'en'] as const) {
      const html = (await assess('crowded', '.html', `${PERIOD}&lang=${lang}`)).body;
      const layout = await probeLayout(html, 'A4 portrait');
      expect(layout.overflowingCells).toEqual([]);
      expect(layout.wrappedNumbers).toEqual([]);
      expect(layout.overlappingLegendEntries).toEqual([]);
      expect(layout.textOutsideDrawing).toEqual([]);
      expect(layout.widerThanPage).toEqual([]);
      expect(layout.measured.legendEntries).toBe(4);

      const response = await assess('crowded', '.pdf', `${PERIOD}&lang=${lang}`);
      expect(response.statusCode).toBe(200);
      const pdf = response.rawPayload;
      if (dir) await pdfPagesAsPng(pdf, dir, `village-${lang}`);
      const { words, lines, pages } = await pdfLayout(pdf);
      expect(pages.length).toBeGreaterThan(1);
      expect(overlappingWords(words)).toEqual([]);
      expect(orphanedHeadings(lines, headings[lang])).toEqual([]);
      for (const heading of headings[lang]) expect(lines.map((l) => l.text)).toContain(heading);
      const text = await pdfText(pdf);
      // Chinese only, but for the village's code and the register's own identifier.
      if (lang === 'zh') expect(text.replace(/\s+/g, '').replace(/JA-?CROWDED-?LONG-?EXTERNAL-?IDENTIFIER-?0001/, '').replace('crowded', '').match(/[A-Za-z]{3,}/g) ?? []).toEqual([]);
      else expect(text.match(/[\u2e80-\u9fff]+/g) ?? []).toEqual([]);
      expect(text).toMatch(lang === 'zh' ? /北/ : /\bN\b/);
      expect(text).toMatch(/\b\d+ m\b/); // the scale bar's length
      expect(text.replace(/\s+/g, '')).toContain(lang === 'zh' ? `第1页/共${pages.length}页` : `Page1of${pages.length}`);

      // Every blocking candidate's two chips are in the PDF as images.
      const work = await mkdtemp(path.join(tmpdir(), 'lingwei-village-'));
      try {
        await writeFile(path.join(work, 'v.pdf'), pdf);
        const listed = (await promisify(execFile)('pdfimages', ['-list', path.join(work, 'v.pdf')])).stdout.trim().split('\n').slice(2);
        expect(listed.filter((row) => / image\s+64\s+64 /.test(row))).toHaveLength(2 * spots.length);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
  });
});
