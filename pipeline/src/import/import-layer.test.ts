import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { ImportRejectedError, importLayer } from './import-layer.js';
import { VectorSourceError } from '../raster/vector-source.js';
import { rectangleWkt, writeLayer } from './testing/write-layer.js';

const pool = createTestPool();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-import-'));
afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emptyTables(pool));

// Qingpu, Shanghai (121.10E), in CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549), easting/northing metres.
const E = 604_900;
const N = 3_446_300;
const building = (i: number, extra: Record<string, string | number> = {}) => ({
  wkt: rectangleWkt(E + i * 30, N, 10, 12),
  properties: { building_id: `B${i}`, height_m: 6 + i, ground_elev_m: 4, survey_date: '2026-04-10', ...extra },
});

async function baselineRows() {
  const { rows } = await pool.query<{ source_key: string; area_m2: number; height_m: number; lon: number; lat: number }>(
    `SELECT source_key, area_m2, height_m, ST_X(ST_Centroid(footprint)) AS lon, ST_Y(ST_Centroid(footprint)) AS lat
       FROM baseline_building ORDER BY source_key`,
  );
  return rows;
}

describe('importLayer', () => {
  it('loads a GeoPackage in CGCS2000 Gauss-Kruger as lon/lat with metric areas, and re-imports without duplicates', async () => {
    const file = writeLayer(path.join(dir, 'baseline.gpkg'), 4549, [building(0), building(1), building(2)]);
    const report = await importLayer(pool, { kind: 'baseline', file });
    expect(report).toMatchObject({ read: 3, imported: 3, rejected: [], repaired: [] });
    expect(report.sourceCrs).toBe('CGCS2000 / 3-degree Gauss-Kruger CM 120E');
    const rows = await baselineRows();
    expect(rows.map((r) => r.source_key)).toEqual(['B0', 'B1', 'B2']);
    for (const row of rows) {
      expect(row.area_m2).toBeGreaterThan(120 * 0.995);
      expect(row.area_m2).toBeLessThan(120 * 1.005);
      // x is longitude: 105 km east of the 120E meridian at 31.1N is about 121.10E.
      expect(row.lon).toBeGreaterThan(121.0);
      expect(row.lon).toBeLessThan(121.2);
      expect(row.lat).toBeGreaterThan(31.0);
      expect(row.lat).toBeLessThan(31.3);
    }
    expect(rows.map((r) => r.height_m)).toEqual([6, 7, 8]);

    const again = await importLayer(pool, { kind: 'baseline', file });
    expect(again.imported).toBe(3);
    expect(await baselineRows()).toHaveLength(3);
  });

  it('reads GeoJSON (WGS84) and Shapefile (UTM 51N) to the same place', async () => {
    const geojson = path.join(dir, 'b.geojson');
    fs.writeFileSync(geojson, JSON.stringify({
      type: 'FeatureCollection',
      features: [{
        type: 'Feature',
        properties: { building_id: 'G1', height_m: 9, survey_date: '2026-04-10' },
        geometry: { type: 'Polygon', coordinates: [[[121.1, 31.1], [121.1001, 31.1], [121.1001, 31.1001], [121.1, 31.1001], [121.1, 31.1]]] },
      }],
    }));
    await importLayer(pool, { kind: 'baseline', file: geojson });
    const shp = writeLayer(path.join(dir, 'b.shp'), 32651, [{ wkt: rectangleWkt(318_000, 3_442_000, 20, 20), properties: { building_id: 'S1', height_m: 3, survey_date: '2026-04-10' } }]);
    await importLayer(pool, { kind: 'baseline', file: shp });
    const rows = await baselineRows();
    expect(rows.map((r) => r.source_key)).toEqual(['G1', 'S1']);
    expect(rows[0]!.lon).toBeCloseTo(121.10005, 5);
    expect(rows[1]!.area_m2).toBeCloseTo(400, 0);
  });

  it('repairs a self-intersecting footprint and reports it', async () => {
    const bowTie = `POLYGON((${E} ${N},${E + 10} ${N + 10},${E + 10} ${N},${E} ${N + 10},${E} ${N}))`;
    const file = writeLayer(path.join(dir, 'bowtie.gpkg'), 4549, [building(0), { ...building(1), wkt: bowTie }]);
    const report = await importLayer(pool, { kind: 'baseline', file });
    expect(report.imported).toBe(2);
    expect(report.repaired).toEqual([{ index: 1, reason: expect.stringContaining('Self-intersection') }]);
    const rows = await baselineRows();
    expect(rows[1]!.area_m2).toBeCloseTo(50, 0);
  });

  it('rejects the whole file, naming each bad feature, and writes nothing', async () => {
    const file = writeLayer(path.join(dir, 'bad.gpkg'), 4549, [
      building(0),
      { wkt: `LINESTRING(${E} ${N},${E + 5} ${N + 5})`, properties: { building_id: 'L', height_m: 3, survey_date: '2026-04-10' } },
      { ...building(2), properties: { building_id: 'B2', survey_date: '2026-04-10' } },
      building(0),
    ]);
    const error = await importLayer(pool, { kind: 'baseline', file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejectedError);
    expect((error as ImportRejectedError).rejected).toEqual([
      { index: 1, reason: 'not a polygon: LINESTRING' },
      { index: 2, reason: 'missing property "height_m" (or both "roof_elev_m" and "ground_elev_m")' },
      { index: 3, reason: 'duplicate key B0 (also feature 0)' },
    ]);
    expect((error as Error).message).toContain('nothing was written');
    expect(await baselineRows()).toEqual([]);
  });

  it('imports the usable features with skipInvalid and lists the skipped ones', async () => {
    const file = writeLayer(path.join(dir, 'partly.gpkg'), 4549, [
      building(0),
      { ...building(1), properties: { building_id: 'B1', height_m: 5, survey_date: 'yesterday' } },
    ]);
    const report = await importLayer(pool, { kind: 'baseline', file, skipInvalid: true });
    expect(report.imported).toBe(1);
    expect(report.rejected).toEqual([{ index: 1, reason: 'property "survey_date" is not a date (YYYY-MM-DD): "yesterday"' }]);
  });

  it('says clearly when a file has no CRS, is not vector data, or does not exist', async () => {
    const noPrj = writeLayer(path.join(dir, 'noprj.shp'), null, [building(0)]);
    await expect(importLayer(pool, { kind: 'baseline', file: noPrj })).rejects.toThrow(/has no coordinate reference system.*\.prj/);
    const garbage = path.join(dir, 'garbage.geojson');
    fs.writeFileSync(garbage, '{"type": "FeatureCollection", "features": [');
    await expect(importLayer(pool, { kind: 'baseline', file: garbage })).rejects.toThrow(VectorSourceError);
    await expect(importLayer(pool, { kind: 'baseline', file: path.join(dir, 'missing.gpkg') })).rejects.toThrow('no such file');
  });

  it('links admin areas to their parents and places register entries in their village', async () => {
    const areas = writeLayer(path.join(dir, 'areas.gpkg'), 4549, [
      { wkt: rectangleWkt(E, N, 400, 200), properties: { code: 'D', level: 'district', name: '青浦区' } },
      { wkt: rectangleWkt(E, N, 200, 200), properties: { code: 'S1', level: 'street', name: '华新镇', parent_code: 'D' } },
      { wkt: rectangleWkt(E, N, 200, 100), properties: { code: 'V1', level: 'village', name: '凤溪村', parent_code: 'S1' } },
      { wkt: rectangleWkt(E, N + 100, 200, 100), properties: { code: 'V2', level: '居村', name: '杨家庄村', parent_code: 'S1' } },
    ]);
    expect((await importLayer(pool, { kind: 'admin-areas', file: areas })).imported).toBe(4);
    const register = writeLayer(path.join(dir, 'register.gpkg'), 4549, [
      { wkt: rectangleWkt(E + 10, N + 150, 8, 6), properties: { register_id: 'R-1', category: '个人居住', status: 'deferred', measure: 'registration' } },
    ]);
    await importLayer(pool, { kind: 'register', file: register });
    const { rows } = await pool.query(
      `SELECT r.external_id, v.code AS village, s.code AS street, r.category, round(r.area_m2) AS area
         FROM register_entry r JOIN admin_area v ON v.id = r.village_id JOIN admin_area s ON s.id = r.street_id`,
    );
    expect(rows).toEqual([{ external_id: 'R-1', village: 'V2', street: 'S1', category: 'personal_residence', area: 48 }]);
    const { rows: parents } = await pool.query(
      `SELECT a.code, p.code AS parent FROM admin_area a LEFT JOIN admin_area p ON p.id = a.parent_id ORDER BY a.code`,
    );
    expect(parents).toEqual([
      { code: 'D', parent: null }, { code: 'S1', parent: 'D' }, { code: 'V1', parent: 'S1' }, { code: 'V2', parent: 'S1' },
    ]);
  });

  it('rejects an area whose parent is unknown', async () => {
    const areas = writeLayer(path.join(dir, 'orphan.gpkg'), 4549, [
      { wkt: rectangleWkt(E, N, 200, 100), properties: { code: 'V9', level: 'village', name: '孤村', parent_code: 'NOPE' } },
    ]);
    await expect(importLayer(pool, { kind: 'admin-areas', file: areas })).rejects.toThrow('parent_code NOPE is not a known area');
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM admin_area');
    expect(rows[0].n).toBe(0);
  });

  it('imports permits and zones, keyed by permit number and zone id', async () => {
    const permits = writeLayer(path.join(dir, 'permits.geojson'), 4326, [
      { wkt: 'POLYGON((121.1 31.1,121.101 31.1,121.101 31.101,121.1 31.1))', properties: { permit_no: '沪规建(2026)0123', valid_from: '2026-01-01', valid_to: '2027-01-01' } },
    ]);
    const zones = writeLayer(path.join(dir, 'zones.geojson'), 4326, [
      { wkt: 'POLYGON((121.1 31.1,121.101 31.1,121.101 31.101,121.1 31.1))', properties: { zone_id: 'Z1', kind: 'river_bank', name: '油墩港' } },
    ]);
    await importLayer(pool, { kind: 'permits', file: permits });
    await importLayer(pool, { kind: 'permits', file: permits });
    await importLayer(pool, { kind: 'zones', file: zones });
    const { rows } = await pool.query(`SELECT (SELECT count(*)::int FROM planning_permit) AS permits, (SELECT kind FROM sensitive_zone) AS kind`);
    expect(rows).toEqual([{ permits: 1, kind: 'river_bank' }]);
  });
});
