/** GET /api/flights against the real database: newest first by number (issue 22 item 9). */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { hashPassword } from '../auth/passwords.js';
import { buildApi } from '../server.js';

const pool = createTestPool();
let app: FastifyInstance;
let token = '';

beforeAll(async () => {
  await emptyTables(pool);
  token = await openSession(pool, await upsertUser(pool, { username: 'operator', role: 'operator', passwordHash: await hashPassword('flight-routes-pw') }), 'bearer', 1);
  // Ids 1 to 12: as text, "9" would come before "12" and "10".
  await pool.query(`INSERT INTO flight (id, kind) SELECT i, 'drone' FROM generate_series(1, 12) i`);
  app = await buildApi({ pool });
});
afterAll(async () => {
  await app.close();
  await pool.end();
});

describe('GET /api/flights', () => {
  it('lists the newest flight first, ordered by number, and pages on from there', async () => {
    const page = async (query: string) => {
      const response = await app.inject({ url: `/api/flights${query}`, headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json().flights as Array<{ id: string }>).map((f) => f.id);
    };
    expect(await page('?limit=4')).toEqual(['12', '11', '10', '9']);
    expect(await page('?limit=4&offset=4')).toEqual(['8', '7', '6', '5']);
    expect(await page('')).toEqual(['12', '11', '10', '9', '8', '7', '6', '5', '4', '3', '2', '1']);
  });
});
