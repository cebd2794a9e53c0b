/** `cli quota` against the real test database: set, list, and file loads that are all or nothing. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listQuotas } from '#db/sql/quotas.js';
import { createTestPool, emptyTables, testDatabaseUrl } from '#db/testing/test-database.js';
import { runQuotaCommand } from './quota.js';

// The command opens its own pool on DATABASE_URL: point it at the test database. The test
// database's name is derived from DATABASE_URL, so it is fixed first.
process.env.TEST_DATABASE_URL = testDatabaseUrl();
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
const pool = createTestPool();
let dir = '';

beforeAll(async () => {
  await emptyTables(pool);
  dir = await mkdtemp(join(tmpdir(), 'lingwei-quota-'));
  await pool.query(
    `INSERT INTO admin_area (code, level, name, geom) VALUES
       ('D1', 'district', '示范区', ST_Multi(ST_MakeEnvelope(121.0, 31.0, 121.4, 31.2, 4326))),
       ('S1', 'street', '华新镇', ST_Multi(ST_MakeEnvelope(121.0, 31.0, 121.2, 31.2, 4326))),
       ('S2', 'street', '花木街道', ST_Multi(ST_MakeEnvelope(121.2, 31.0, 121.4, 31.2, 4326)))`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await pool.end();
});

async function quiet(args: string[]): Promise<{ code: number; err: string }> {
  const errors: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return { code: await runQuotaCommand(args), err: errors.join('\n') };
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

describe('cli quota', () => {
  it('sets a street quota by code or name, and setting again replaces it', async () => {
    expect((await quiet(['set', 'S1', '2026', '--m2', '12000', '--count', '40'])).code).toBe(0);
    expect((await quiet(['set', '花木街道', '2026', '--m2', '8000'])).code).toBe(0);
    expect((await quiet(['set', 'S1', '2026', '--m2', '15000'])).code).toBe(0);
    expect(await listQuotas(pool, 2026)).toEqual([
      { code: 'S1', name: '华新镇', year: 2026, targetM2: 15000, targetCount: null },
      { code: 'S2', name: '花木街道', year: 2026, targetM2: 8000, targetCount: null },
    ]);
  });

  it('refuses a district, an unknown street, a bad year or no target, changing nothing', async () => {
    expect(await quiet(['set', 'D1', '2026', '--m2', '5'])).toEqual({ code: 1, err: 'nothing written:\n"D1" (D1) is a district, not a street (街镇): quotas are set per street' });
    expect((await quiet(['set', 'S9', '2026', '--m2', '5'])).err).toContain('no admin area has the code or name "S9"');
    expect((await quiet(['set', 'S1', '26', '--m2', '5'])).err).toContain('year must be 2000 to 2099');
    expect((await quiet(['set', 'S1', '2026'])).err).toContain('give a target in m², in count, or both');
    expect((await quiet(['set', 'S1'])).code).toBe(2);
    expect((await listQuotas(pool, 2026)).map((q) => q.targetM2)).toEqual([15000, 8000]);
  });

  it('loads a CSV file in one transaction: one unknown street and nothing is written', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, '\uFEFFstreet,year,target_m2,target_count\r\nS1,2027,1000,5\r\nS9,2027,500,\r\nS2,2027,,0\r\n');
    expect(await quiet(['import', bad])).toEqual({ code: 1, err: 'nothing written:\nline 3: no admin area has the code or name "S9" (import admin areas first)\nline 4: target count must be a positive number, not "0"' });
    expect(await listQuotas(pool, 2027)).toEqual([]);
    const good = join(dir, 'good.csv');
    await writeFile(good, 'street,year,target_m2,target_count\nS1,2027,1000,5\n花木街道,2027,,12\n');
    expect((await quiet(['import', good])).code).toBe(0);
    expect(await listQuotas(pool, 2027)).toEqual([
      { code: 'S1', name: '华新镇', year: 2027, targetM2: 1000, targetCount: 5 },
      { code: 'S2', name: '花木街道', year: 2027, targetM2: null, targetCount: 12 },
    ]);
    expect((await quiet(['import', join(dir, 'missing.csv')])).err).toContain('cannot read');
  });
});
