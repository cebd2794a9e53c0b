/** Flight queries against the real database: orders on numeric ids, never on their text. */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '../testing/test-database.js';
import { createFlight, latestDetectionRun } from './flights.js';

const pool = createTestPool();
afterAll(() => pool.end());
beforeEach(() => emptyTables(pool));

describe('latestDetectionRun', () => {
  it('is the newest run by number, not by text ("9" > "10")', async () => {
    const flightId = await createFlight(pool, {});
    for (const id of [9, 10]) {
      await pool.query(`INSERT INTO detection_run (id, flight_id, model_name, model_sha256, params, status) VALUES ($1, $2, 'model', 'sha', '{}', 'done')`, [id, flightId]);
    }
    expect((await latestDetectionRun(pool, flightId))?.id).toBe('10');
  });
});
