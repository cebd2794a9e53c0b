import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { reviewCandidate } from './review-candidate.js';

const pool = createTestPool();
afterAll(() => pool.end());
beforeEach(() => emptyTables(pool));

async function reviewers(n: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO app_user (username, role, password_hash) SELECT 'reviewer' || i, 'reviewer', 'x' FROM generate_series(1, $1) i RETURNING id::text`,
    [n],
  );
  return rows.map((r) => r.id);
}

async function candidates(n: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO candidate (geom, change_type, area_m2)
     SELECT ST_Multi(ST_MakeEnvelope(121.1 + i * 0.001, 31.1, 121.1005 + i * 0.001, 31.1005, 4326)), 'new_structure', 50
       FROM generate_series(1, $1) i RETURNING id::text`,
    [n],
  );
  return rows.map((r) => r.id);
}

describe('reviewCandidate', () => {
  it('lets exactly one of 20 racing reviewers win each race, and the audit trail holds exactly the winners', async () => {
    const people = await reviewers(20);
    const targets = await candidates(5);
    // Every reviewer acts on every candidate at once, half verifying, half rejecting.
    const results = await Promise.all(
      people.flatMap((actor, i) => targets.map((candidate) =>
        reviewCandidate(pool, candidate, actor, i % 2 ? { action: 'verify', version: 1 } : { action: 'reject', version: 1, reasonCode: 'false_detection' })
          .then((result) => ({ candidate, actor, result })))),
    );
    for (const candidate of targets) {
      const mine = results.filter((r) => r.candidate === candidate);
      const winners = mine.filter((r) => r.result.outcome === 'ok');
      expect(winners).toHaveLength(1);
      expect(mine.filter((r) => r.result.outcome === 'conflict')).toHaveLength(19);
      const { rows } = await pool.query(
        `SELECT c.status, c.version, array_agg(e.actor_id::text) AS actors FROM candidate c JOIN review_event e ON e.candidate_id = c.id
          WHERE c.id = $1 GROUP BY c.status, c.version`,
        [candidate],
      );
      expect(rows).toEqual([{ status: (winners[0]!.result as { status: string }).status, version: 2, actors: [winners[0]!.actor] }]);
    }
  });

  it('refuses a stale version with the fresh state, and an unknown candidate', async () => {
    const [actor] = await reviewers(1);
    const [candidate] = await candidates(1);
    expect(await reviewCandidate(pool, candidate!, actor!, { action: 'verify', version: 1 })).toEqual({ outcome: 'ok', status: 'verified', version: 2 });
    expect(await reviewCandidate(pool, candidate!, actor!, { action: 'reject', version: 1, reasonCode: 'other', reasonText: 'x' }))
      .toEqual({ outcome: 'conflict', current: { status: 'verified', version: 2 } });
    expect(await reviewCandidate(pool, '999999', actor!, { action: 'verify', version: 1 })).toEqual({ outcome: 'not_found' });
  });

  it('schedules and marks demolished, keeping the schedule in step', async () => {
    const [actor] = await reviewers(1);
    const [candidate] = await candidates(1);
    await reviewCandidate(pool, candidate!, actor!, { action: 'verify', version: 1 });
    expect(await reviewCandidate(pool, candidate!, actor!, { action: 'schedule', version: 2, scheduledFor: '2026-12-01', team: '拆违一队' })).toMatchObject({ outcome: 'ok', status: 'scheduled' });
    expect(await reviewCandidate(pool, candidate!, actor!, { action: 'mark_demolished', version: 3 })).toMatchObject({ outcome: 'ok', status: 'demolished' });
    const { rows } = await pool.query(`SELECT team, status, demolished_at IS NOT NULL AS done FROM demolition_schedule`);
    expect(rows).toEqual([{ team: '拆违一队', status: 'done', done: true }]);
    expect(await reviewCandidate(pool, candidate!, actor!, { action: 'verify', version: 4 })).toEqual({ outcome: 'invalid', problem: 'a demolished candidate cannot be verified' });
  });

  it('merges a duplicate into its twin: one candidate left with both outlines, observations and audit rows', async () => {
    const [actor] = await reviewers(1);
    const [twin, duplicate, demolition] = await candidates(3);
    await pool.query(`UPDATE candidate SET change_type = 'demolished' WHERE id = $1`, [demolition]);
    const flight = (await pool.query<{ id: string }>(`INSERT INTO flight (kind, status) VALUES ('drone', 'done') RETURNING id::text`)).rows[0]!.id;
    await pool.query(`INSERT INTO candidate_observation (candidate_id, flight_id, geom, area_m2) SELECT id, $2, geom, area_m2 FROM candidate WHERE id = $1`, [duplicate, flight]);
    const areaBefore = (await pool.query(`SELECT sum(lw_area_m2(geom)) AS a FROM candidate WHERE id IN ($1, $2)`, [twin, duplicate])).rows[0].a;

    expect(await reviewCandidate(pool, duplicate!, actor!, { action: 'merge', version: 1 })).toMatchObject({ outcome: 'invalid' });
    expect(await reviewCandidate(pool, duplicate!, actor!, { action: 'merge', version: 1, into: duplicate! })).toEqual({ outcome: 'invalid', problem: 'a candidate cannot be merged into itself' });
    expect(await reviewCandidate(pool, duplicate!, actor!, { action: 'merge', version: 1, into: demolition! })).toEqual({ outcome: 'invalid', problem: 'a demolition and a new structure are not duplicates of each other' });
    expect(await reviewCandidate(pool, duplicate!, actor!, { action: 'merge', version: 1, into: '999999' })).toEqual({ outcome: 'invalid', problem: 'candidate 999999 does not exist' });
    // The refused attempts changed nothing.
    expect((await pool.query(`SELECT count(*)::int AS n FROM review_event`)).rows[0].n).toBe(0);

    expect(await reviewCandidate(pool, duplicate!, actor!, { action: 'merge', version: 1, into: twin! })).toEqual({ outcome: 'ok', status: 'merged', version: 2 });
    const { rows } = await pool.query(
      `SELECT id::text, status, merged_into::text, version, round(area_m2) AS area, (SELECT array_agg(flight_id::text) FROM candidate_observation o WHERE o.candidate_id = c.id) AS flights,
              (SELECT array_agg(action || ':' || coalesce(payload->>'into', payload->>'absorbed', '')) FROM review_event e WHERE e.candidate_id = c.id) AS audit
         FROM candidate c WHERE id IN ($1, $2) ORDER BY id`, [twin, duplicate]);
    expect(rows).toEqual([
      { id: twin, status: 'pending', merged_into: null, version: 2, area: Math.round(areaBefore), flights: [flight], audit: [`merge:${duplicate}`] },
      { id: duplicate, status: 'merged', merged_into: twin, version: 2, area: 50, flights: [flight], audit: [`merge:${twin}`] },
    ]);
    // Merging into a merged candidate points the reviewer at the survivor.
    const [third] = await candidates(1);
    expect(await reviewCandidate(pool, third!, actor!, { action: 'merge', version: 1, into: duplicate! })).toMatchObject({ outcome: 'invalid', problem: expect.stringContaining('merge into that one') });
  });
});
