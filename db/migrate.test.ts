import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp } from './migrate.js';
import { createTestPool, dropDatabase, recreateDatabase, siblingDatabaseUrl, testDatabaseUrl } from './testing/test-database.js';

describe('migrations on a real PostGIS', () => {
  const pool = createTestPool();
  afterAll(() => pool.end());

  it('give every geometry column a GiST index and store lon/lat', async () => {
    const { rows } = await pool.query<{ table: string; column: string; srid: number; indexed: boolean }>(`
      SELECT f_table_name AS table, f_geometry_column AS column, srid,
             EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                     WHERE i.indrelid = (quote_ident(f_table_name))::regclass AND am.amname = 'gist'
                       AND a.attname = f_geometry_column) AS indexed
        FROM geometry_columns WHERE f_table_schema = 'public' ORDER BY 1, 2`);
    expect(rows.map((r) => `${r.table}.${r.column}`)).toEqual([
      'admin_area.geom', 'baseline_building.footprint', 'candidate.geom', 'candidate_observation.geom', 'detection.geom',
      'flight.examined_area', 'flight.footprint', 'flight_asset.footprint', 'planning_permit.geom', 'register_entry.footprint',
      'sensitive_zone.geom',
    ]);
    for (const row of rows) {
      expect(row.srid, `${row.table}.${row.column}`).toBe(4326);
      expect(row.indexed, `${row.table}.${row.column} has a GiST index`).toBe(true);
    }
  });

  it('compute areas in UTM 51N within 0.5% of the ellipsoidal area anywhere in Shanghai', async () => {
    // 20 m x 30 m squares at the western (Qingpu), central and eastern (Pudong coast) edges.
    for (const [lon, lat] of [[120.9, 31.1], [121.47, 31.23], [121.95, 30.9], [121.5, 31.85]]) {
      const { rows } = await pool.query<{ metric: number; ellipsoid: number }>(
        `WITH g AS (SELECT ST_Transform(ST_MakeEnvelope(x, y, x + 20, y + 30, 32651), 4326) AS geom
                      FROM (SELECT ST_X(p) AS x, ST_Y(p) AS y FROM ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), 32651) p) s)
         SELECT lw_area_m2(geom) AS metric, ST_Area(geom::geography) AS ellipsoid FROM g`,
        [lon, lat],
      );
      const { metric, ellipsoid } = rows[0]!;
      expect(Math.abs(metric - ellipsoid) / ellipsoid).toBeLessThan(0.005);
    }
  });

  it('keep the audit trail append-only', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO candidate (geom, change_type, area_m2)
         VALUES (ST_Multi(ST_MakeEnvelope(121.1, 31.1, 121.1001, 31.1001, 4326)), 'new_structure', 100) RETURNING id`,
      );
      await client.query(`INSERT INTO review_event (candidate_id, action, to_status) VALUES ($1, 'raise', 'pending')`, [rows[0]!.id]);
      await expect(client.query(`UPDATE review_event SET to_status = 'verified'`)).rejects.toThrow('append-only');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  describe('on an empty database', () => {
    const scratch = siblingDatabaseUrl(testDatabaseUrl(), '_migrations');
    beforeAll(() => recreateDatabase(scratch));
    afterAll(() => dropDatabase(scratch));

    it('go up, are idempotent, go down and up again', async () => {
      expect(await migrateUp(scratch)).toEqual(['1763800000000_foundation', '1763900000000_detections', '1764000000000_api-sessions', '1764100000000_tile-generations', '1795321588940_demolition-quota', '1795340160945_tile-generation-random-start', '1795340500000_evidence-chips-in-database', '1795400000000_evidence-chip-sweep-index', '1795500000000_login-throttle-and-token-ids', '1795600000000_finite-measurements', '1795700000000_flight-examined-area', '1795800000000_flight-notices', '1795910000000_model-version', '1795920000000_observation-before-flight', '1795940000000_flight-asset-reduced']);
      expect(await migrateUp(scratch)).toEqual([]);
      expect(await migrateDown(scratch)).toEqual(['1795940000000_flight-asset-reduced', '1795920000000_observation-before-flight', '1795910000000_model-version', '1795800000000_flight-notices', '1795700000000_flight-examined-area', '1795600000000_finite-measurements', '1795500000000_login-throttle-and-token-ids', '1795400000000_evidence-chip-sweep-index', '1795340500000_evidence-chips-in-database', '1795340160945_tile-generation-random-start', '1795321588940_demolition-quota', '1764100000000_tile-generations', '1764000000000_api-sessions', '1763900000000_detections', '1763800000000_foundation']);
      const client = new pg.Client({ connectionString: scratch });
      await client.connect();
      const { rows } = await client.query(`SELECT to_regclass('public.candidate') AS t`);
      await client.end();
      expect(rows[0].t).toBeNull();
      expect(await migrateUp(scratch)).toEqual(['1763800000000_foundation', '1763900000000_detections', '1764000000000_api-sessions', '1764100000000_tile-generations', '1795321588940_demolition-quota', '1795340160945_tile-generation-random-start', '1795340500000_evidence-chips-in-database', '1795400000000_evidence-chip-sweep-index', '1795500000000_login-throttle-and-token-ids', '1795600000000_finite-measurements', '1795700000000_flight-examined-area', '1795800000000_flight-notices', '1795910000000_model-version', '1795920000000_observation-before-flight', '1795940000000_flight-asset-reduced']);
    });

    it('start tile generations where no other database is, so a shared tile cache never serves another database\'s tiles', async () => {
      const generations = async (url: string) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        const { rows } = await client.query<{ layer: string; generation: string }>(`SELECT layer, generation FROM tile_layer_generation ORDER BY layer`);
        await client.end();
        return new Map(rows.map((r) => [r.layer, Number(r.generation)]));
      };
      const [recreated, other] = [await generations(scratch), await generations(testDatabaseUrl())];
      expect([...recreated.keys()]).toEqual([...other.keys()]);
      // Both databases were migrated from nothing; each has written far fewer rows than a million.
      for (const [layer, generation] of recreated) {
        expect(Number.isSafeInteger(generation), layer).toBe(true);
        expect(Math.abs(generation - other.get(layer)!), layer).toBeGreaterThan(1e6);
      }
    });
  });
});
