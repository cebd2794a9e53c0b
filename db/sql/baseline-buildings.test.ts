import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '../testing/test-database.js';
import { baselineInExtent } from './baseline-buildings.js';

const pool = createTestPool();
afterAll(() => pool.end());
beforeEach(() => emptyTables(pool));

/** Gauss-Krüger, central meridian 120° E (EPSG:4549), as a flight's PROJ string. */
const GK120 = '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs';

async function addBuilding(key: string, wkt: string, heightM: number): Promise<void> {
  await pool.query(
    `INSERT INTO baseline_building (source, source_key, footprint, height_m, survey_date, area_m2)
     VALUES ('test', $1, ST_Multi(ST_GeomFromText($2, 4326)), $3, '2025-06-01', 100)`,
    [key, wkt, heightM],
  );
}

const square = (lon: number, lat: number, d = 0.0002) =>
  `POLYGON((${lon} ${lat}, ${lon + d} ${lat}, ${lon + d} ${lat + d}, ${lon} ${lat + d}, ${lon} ${lat}))`;

describe('baselineInExtent', () => {
  it('returns the buildings in the extent in the flight CRS, each exactly as a per-row transform gives it', async () => {
    await addBuilding('a', square(121.001, 31.001), 9);
    await addBuilding('b', square(121.002, 31.001), 6.5);
    await addBuilding('two-parts', `MULTIPOLYGON(((121.003 31.001, 121.0032 31.001, 121.0032 31.0012, 121.003 31.001)), ((121.004 31.001, 121.0042 31.001, 121.0042 31.0012, 121.004 31.001)))`, 12);
    await addBuilding('far', square(121.2, 31.2), 3);
    const { rows: corners } = await pool.query<{ x0: number; y0: number; x1: number; y1: number }>(
      `SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1
         FROM (SELECT ST_Transform(ST_MakeEnvelope(121.0, 31.0, 121.01, 31.01, 4326), $1::text) AS e) s`,
      [GK120],
    );
    const { x0, y0, x1, y1 } = corners[0]!;
    const found = await baselineInExtent(pool, [x0, y0, x1, y1], GK120);
    const { rows: expected } = await pool.query<{ id: string; geometry: string; height_m: number }>(
      `SELECT id::text, ST_AsGeoJSON(ST_Transform(footprint, $1::text)) AS geometry, height_m
         FROM baseline_building WHERE source_key <> 'far' ORDER BY id`,
      [GK120],
    );
    expect(found).toEqual(expected.map((r) => ({ id: r.id, geometry: JSON.parse(r.geometry) as unknown, heightM: r.height_m })));
    expect(found.map((b) => b.heightM)).toEqual([9, 6.5, 12]);
    expect(found[2]!.geometry.type).toBe('MultiPolygon');
    expect(found[2]!.geometry.coordinates).toHaveLength(2);
    // Metres in the flight's CRS, not degrees: east of the 500 km false easting at 121° E.
    const [x, y] = (found[0]!.geometry.coordinates as number[][][][])[0]![0]![0]!;
    expect(x).toBeGreaterThan(500_000);
    expect(y).toBeGreaterThan(3_000_000);
  });

  it('returns nothing for an extent without buildings', async () => {
    await addBuilding('a', square(121.001, 31.001), 9);
    expect(await baselineInExtent(pool, [0, 0, 100, 100], GK120)).toEqual([]);
  });
});
