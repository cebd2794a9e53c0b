/**
 * The plan stage against the real database and real COGs: what it records as examined, which is
 * what patrol coverage (village assessments) counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { ingestFlight } from './ingest.js';
import { planFlight } from './plan.js';
import { registerUploads, tempDir, testStageContext, writeOrthophoto } from './testing/flight-files.js';

const pool = createTestPool();
const dir = tempDir('plan');
const ctx = testStageContext(pool, path.join(dir, 'store'));
afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emptyTables(pool));

async function plannedFlight(): Promise<string> {
  const flightId = await registerUploads(pool, { orthophoto: writeOrthophoto(path.join(dir, 'o.tif'), 1200, 900) });
  await ingestFlight(ctx, flightId);
  await planFlight(ctx, flightId);
  return flightId;
}

const areas = async (flightId: string) => (await pool.query<{ footprint: number; examined: number | null; notices: string[] }>(
  `SELECT lw_area_m2(footprint) AS footprint, lw_area_m2(examined_area) AS examined, notices FROM flight WHERE id = $1`, [flightId])).rows[0]!;

describe('planFlight', () => {
  it('records the valid pixels of its blocks as the examined area', async () => {
    const flightId = await plannedFlight();
    const { footprint, examined, notices } = await areas(flightId);
    expect(footprint).toBeGreaterThan(9_900); // 116 m x 86 m inside the 2 m collar: 9,976 m²
    expect(examined).toBeCloseTo(footprint, -1);
    expect(notices).toEqual([]);
  });

  it('records nothing examined for a flight outside every imported area, and tells the operator so (it ended "done" unflagged)', async () => {
    // An administrative area far away: the flight (in Qingpu) lies outside all of them.
    await pool.query(`INSERT INTO admin_area (code, level, name, geom) VALUES ('X', 'district', '别处', ST_Multi(ST_MakeEnvelope(121.8, 31.0, 121.9, 31.1, 4326)))`);
    const flightId = await plannedFlight();
    const { footprint, examined, notices } = await areas(flightId);
    expect(footprint).toBeGreaterThan(9_900); // 116 m x 86 m inside the 2 m collar: 9,976 m²
    expect(examined).toBeNull();
    expect(notices).toEqual([expect.stringMatching(/^The flight lies outside every imported administrative area: nothing in it was searched/)]);
    // Planned again (a retried job): said once.
    await planFlight(ctx, flightId);
    expect((await areas(flightId)).notices).toHaveLength(1);
  });
});
