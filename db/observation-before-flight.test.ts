/**
 * The before_flight_id backfill of migration 1795920000000 (issue 22 item 8) on the real PostGIS:
 * an observation written before the column existed is given the flight its "before" chip was cut
 * from by earlierFlight's rule, among the flights that existed when the row was written. The
 * migration's own text runs (down, then up) inside a transaction that is rolled back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from './testing/test-database.js';

const MIGRATION = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations', '1795920000000_observation-before-flight.sql');
const pool = createTestPool();
afterAll(() => pool.end());

describe('migration 1795920000000: the flight behind each before chip', () => {
  it('names the newest earlier flight over the same ground that existed when the row was written', async () => {
    await emptyTables(pool);
    const [up, down] = fs.readFileSync(MIGRATION, 'utf8').split('-- Down Migration');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(down!);
      const box = (w: number) => `ST_Multi(ST_MakeEnvelope(${w}, 31.0, ${w + 0.01}, 31.01, 4326))`;
      // 1 and 2 flown before 3 over its ground (2 later); 4 flown before 3 too but uploaded after
      // 3's observation was written; 5 elsewhere.
      await client.query(
        `INSERT INTO flight (id, kind, status, captured_at, footprint, created_at) VALUES
           (1, 'drone', 'done', '2026-04-10', ${box(121.0)}, '2026-04-11'),
           (2, 'drone', 'done', '2026-06-10', ${box(121.001)}, '2026-06-11'),
           (3, 'drone', 'done', '2026-10-15', ${box(121.0)}, '2026-10-16'),
           (4, 'drone', 'done', '2026-09-01', ${box(121.0)}, '2026-11-20'),
           (5, 'drone', 'done', '2026-09-01', ${box(122.0)}, '2026-09-02')`);
      await client.query(
        `INSERT INTO evidence_chip (digest, media_type, image) VALUES (repeat('a', 64), 'image/webp', '\\x00');
         INSERT INTO candidate (id, geom, change_type, area_m2) VALUES (1, ${box(121.002)}, 'new_structure', 100), (2, ${box(121.003)}, 'new_structure', 100);
         INSERT INTO candidate_observation (candidate_id, flight_id, geom, evidence_before, evidence_after, observed_at) VALUES
           (1, 3, ${box(121.002)}, repeat('a', 64), repeat('a', 64), '2026-10-16T12:00:00Z'),
           (1, 1, ${box(121.002)}, NULL, repeat('a', 64), '2026-04-11T12:00:00Z'),
           (2, 3, ${box(121.003)}, NULL, repeat('a', 64), '2026-10-16T12:00:00Z')`);
      await client.query(up!);
      const { rows } = await client.query<{ candidate_id: string; flight_id: string; before_flight_id: string | null }>(
        `SELECT candidate_id, flight_id, before_flight_id FROM candidate_observation ORDER BY candidate_id, flight_id`);
      // Flight 2 is the newest earlier one that existed then (4 came later); no before chip, no before flight.
      expect(rows.map((r) => [Number(r.candidate_id), Number(r.flight_id), r.before_flight_id === null ? null : Number(r.before_flight_id)]))
        .toEqual([[1, 1, null], [1, 3, 2], [2, 3, null]]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
