/**
 * Candidate exports read back: the GeoPackage with GDAL, the CSV parsed, the GeoJSON parsed, each
 * compared with the database rows; the filters are GET /api/candidates' own.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCandidateBatches, type CandidateExportRow, type CandidateFilter } from '#db/sql/candidate-reads.js';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import gdal from '#pipeline/gdal.js';
import { hashPassword } from '../auth/passwords.js';
import { writeCandidatesGeoPackage } from '../exports/geopackage.js';
import { buildApi } from '../server.js';
import { seedGisScene } from '../testing/gis-scene.js';
import { candidateFilterOf } from './candidate-query.js';
import { EXPORT_MAX_ROWS } from './export-routes.js';

const pool = createTestPool();
let app: FastifyInstance;
let token = '';
let scratch = '';

interface DbRow { id: string; status: string; change_type: string; priority: number; village: string; street: string; wkt: string; lon: number; lat: number }
let dbRows: DbRow[] = [];

beforeAll(async () => {
  await emptyTables(pool);
  await seedGisScene(pool);
  await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('lingwei-test-pw') });
  app = await buildApi({ pool });
  const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'reviewer', password: 'lingwei-test-pw' } });
  const cookie = login.cookies.find((c) => c.name === 'lingwei_session')!.value;
  token = (await app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: `lingwei_session=${cookie}` }, payload: {} })).json().token;
  ({ rows: dbRows } = await pool.query<DbRow>(
    `SELECT c.id::text, c.status, c.change_type, c.priority, v.name AS village, s.name AS street, ST_AsText(c.geom) AS wkt,
            ST_X(ST_Centroid(c.geom)) AS lon, ST_Y(ST_Centroid(c.geom)) AS lat
       FROM candidate c JOIN admin_area v ON v.id = c.village_id JOIN admin_area s ON s.id = c.street_id
      ORDER BY c.priority DESC`,
  ));
  scratch = await mkdtemp(join(tmpdir(), 'lingwei-export-test-'));
});
afterAll(async () => {
  await app.close();
  await pool.end();
  await rm(scratch, { recursive: true, force: true });
});

const download = (path: string) => app.inject({ url: path, headers: { authorization: `Bearer ${token}` } });
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

/** RFC 4180: quoted cells with doubled quotes, commas and CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  return rows;
}

const exportFolders = async () => (await readdir(tmpdir())).filter((name) => /^lingwei-export-(?!test-)/.test(name));

describe('GeoPackage', () => {
  it('holds every matching candidate with its attributes and outline, and leaves no temporary file', async () => {
    const before = await exportFolders();
    const response = await download('/api/exports/candidates.gpkg');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/geopackage+sqlite3');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="lingwei-candidates-${today()}.gpkg"`);
    const file = join(scratch, 'candidates.gpkg');
    await writeFile(file, response.rawPayload);
    const dataset = gdal.open(file);
    try {
      const layer = dataset.layers.get('candidates');
      expect(layer.srs?.getAuthorityCode()).toBe('4326');
      expect(layer.fields.getNames()).toEqual(expect.arrayContaining(['id', 'status', 'change_type', 'priority', 'village', 'street', 'first_seen_at', 'reasons']));
      const features = layer.features.map((f) => ({ fields: f.fields.toObject() as Record<string, unknown>, geometry: f.getGeometry()! }));
      expect(features.map((f) => String(f.fields.id))).toEqual(dbRows.map((r) => r.id));
      features.forEach((feature, i) => {
        const row = dbRows[i]!;
        expect(feature.fields).toMatchObject({ status: row.status, change_type: row.change_type, priority: row.priority, village: row.village, street: row.street, reasons: 'sensitive_zone' });
        expect(feature.geometry.equals(gdal.Geometry.fromWKT(row.wkt))).toBe(true);
      });
    } finally {
      dataset.close();
    }
    await vi.waitFor(async () => expect(await exportFolders()).toEqual(before));
  });

  it('answers HEAD with the headers of the download, and writes no GeoPackage for it', async () => {
    const before = await exportFolders();
    const response = await app.inject({ method: 'HEAD', url: '/api/exports/candidates.gpkg', headers: { authorization: `Bearer ${token}` } });
    expect([response.statusCode, response.headers['content-type'], response.rawPayload.length]).toEqual([200, 'application/geopackage+sqlite3', 0]);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="lingwei-candidates-${today()}.gpkg"`);
    expect(await exportFolders()).toEqual(before);
  });

  it('is written off the event loop: other callbacks run while GDAL writes it', async () => {
    const scene: CandidateExportRow[] = [];
    for await (const batch of exportCandidateBatches(pool, candidateFilterOf({}) as CandidateFilter, EXPORT_MAX_ROWS)) scene.push(...batch);
    expect(scene.length).toBeGreaterThan(0);
    // Counts event-loop turns, not time. The async writer gives at least one per feature; a
    // synchronous one gives only the idle turns while the layer opens (seen: 2 to ~1,000), which do
    // not grow with the rows, so 10,000 rows keep the two far apart.
    const rows = Array.from({ length: 10_000 }, (_, i) => scene[i % scene.length]!);
    let turns = 0;
    let spinning = true;
    const spin = () => { if (spinning) { turns++; setImmediate(spin); } };
    setImmediate(spin);
    const file = join(scratch, 'direct.gpkg');
    await writeCandidatesGeoPackage(file, (async function* () { for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000); })());
    spinning = false;
    expect(turns).toBeGreaterThan(rows.length);
    const dataset = gdal.open(file);
    try {
      expect(dataset.layers.get('candidates').features.count()).toBe(rows.length);
    } finally {
      dataset.close();
    }
  });
});

describe('CSV', () => {
  it('starts with a BOM and carries attributes, centroid and WKT per candidate', async () => {
    const response = await download('/api/exports/candidates.csv?village=310105001001');
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="lingwei-candidates-${today()}.csv"`);
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, ...rows] = parseCsv(response.body.slice(1));
    expect(header).toEqual(expect.arrayContaining(['id', 'status', 'village', 'lon', 'lat', 'wkt']));
    const records = rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]!])));
    const expected = dbRows.filter((r) => r.village === '北新泾村');
    expect(records.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    records.forEach((record, i) => {
      const row = expected[i]!;
      expect(record).toMatchObject({ status: row.status, village: '北新泾村', street: '新泾镇', priority: String(row.priority) });
      expect(Number(record.lon)).toBeCloseTo(row.lon, 7);
      expect(Number(record.lat)).toBeCloseTo(row.lat, 7);
      expect(gdal.Geometry.fromWKT(record.wkt!).equals(gdal.Geometry.fromWKT(row.wkt))).toBe(true);
    });
  });
});

describe('GeoJSON', () => {
  it('has the filtered candidates with the same properties as the other formats', async () => {
    const response = await download('/api/exports/candidates.geojson?status=pending&bbox=121.0,31.0,121.2,31.2');
    expect(response.headers['content-type']).toContain('application/geo+json');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="lingwei-candidates-${today()}.geojson"`);
    const collection = response.json();
    const expected = dbRows.filter((r) => r.status === 'pending' && r.village === '北新泾村');
    expect(collection.features.map((f: { id: number }) => String(f.id))).toEqual(expected.map((r) => r.id));
    expect(collection.features[0].properties).toMatchObject({ village: '北新泾村', village_code: '310105001001', street_code: '310105001' });
    expect(collection.features[0].geometry.type).toBe('MultiPolygon');
  });
});

describe('bad filters', () => {
  it('treat SQL metacharacters as text or refuse them, changing nothing', async () => {
    const nasty = encodeURIComponent("x'); DROP TABLE candidate; --");
    const none = await download(`/api/exports/candidates.geojson?village=${nasty}&street=${nasty}`);
    expect(none.json().features).toEqual([]);
    const csv = await download(`/api/exports/candidates.csv?village=${nasty}`);
    expect(parseCsv(csv.body.slice(1))).toHaveLength(1); // the header alone
    for (const query of [`status=${nasty}`, `type=${nasty}`, `bbox=${nasty}`, `from=${nasty}`, 'bbox=121,31,200,32']) {
      const response = await download(`/api/exports/candidates.gpkg?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM candidate`);
    expect(rows[0].n).toBe(7);
  });
});
