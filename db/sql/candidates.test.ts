import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '../connection.js';
import { createTestPool, emptyTables } from '../testing/test-database.js';
import { loadAreaContext, raiseCandidate, type ObservedChange } from './candidates.js';
import { createFlight } from './flights.js';
import { candidateDetail, exportCandidateBatches } from './candidate-reads.js';
import { storeEvidenceChips, SWEEP_UNUSED_CHIPS_SQL, sweepUnusedEvidenceChips, type EvidenceChip } from './evidence-chips.js';

const pool = createTestPool();
afterAll(() => pool.end());
beforeEach(() => emptyTables(pool));

const square = (lon: number, lat: number, d = 0.0001) =>
  JSON.stringify({ type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] });

const change = (geometry: string, extra: Partial<ObservedChange> = {}): ObservedChange => ({
  geometry,
  changeType: 'new_structure',
  status: 'pending',
  priority: 40,
  triage: { reasons: [] },
  heightGainM: 3,
  score: 0.9,
  evidenceBefore: null,
  evidenceAfter: null,
  ...extra,
});

async function newRun(flightId: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(`INSERT INTO detection_run (flight_id, model_name) VALUES ($1, 'test') RETURNING id`, [flightId]);
  return rows[0]!.id;
}

describe('raiseCandidate', () => {
  it('raises once, is idempotent for the same flight, and updates on a later flight', async () => {
    const first = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00' });
    const run = await newRun(first);
    const raised = await inTransaction(pool, (c) => raiseCandidate(c, first, run, change(square(121.1, 31.1))));
    expect(raised.outcome).toBe('raised');
    // The same flight re-run after a crash: nothing new.
    const again = await inTransaction(pool, (c) => raiseCandidate(c, first, run, change(square(121.1, 31.1))));
    expect(again).toEqual({ candidateId: raised.candidateId, outcome: 'unchanged' });
    // A later flight sees it slightly shifted and larger.
    const later = await createFlight(pool, { capturedAt: '2026-10-22T10:00:00+08:00' });
    const laterRun = await newRun(later);
    const seen = await inTransaction(pool, (c) => raiseCandidate(c, later, laterRun, change(square(121.10001, 31.1, 0.00011))));
    expect(seen).toEqual({ candidateId: raised.candidateId, outcome: 'observed' });
    const { rows } = await pool.query(
      `SELECT version, first_flight_id::text, last_flight_id::text, to_char(last_seen_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS last_seen,
              (SELECT count(*)::int FROM candidate_observation) AS observations, (SELECT count(*)::int FROM candidate) AS candidates,
              (SELECT array_agg(action ORDER BY id) FROM review_event) AS actions
         FROM candidate`,
    );
    expect(rows).toEqual([{ version: 2, first_flight_id: first, last_flight_id: later, last_seen: '2026-10-22', observations: 2, candidates: 1, actions: ['raise', 'observe'] }]);
  });

  it('adds up two pieces of one flight that match the same candidate instead of keeping only the last', async () => {
    const first = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00' });
    const raised = await inTransaction(pool, async (c) => raiseCandidate(c, first, await newRun(first), change(square(121.1, 31.1, 0.0002))));
    const later = await createFlight(pool, { capturedAt: '2026-10-22T10:00:00+08:00' });
    const run = await newRun(later);
    // The later flight sees the structure as two pieces: the west and the east half.
    const west = JSON.stringify({ type: 'Polygon', coordinates: [[[121.1, 31.1], [121.1001, 31.1], [121.1001, 31.1002], [121.1, 31.1002], [121.1, 31.1]]] });
    const east = JSON.stringify({ type: 'Polygon', coordinates: [[[121.1001, 31.1], [121.1002, 31.1], [121.1002, 31.1002], [121.1001, 31.1002], [121.1001, 31.1]]] });
    const pieces = async () => inTransaction(pool, async (c) => [await raiseCandidate(c, later, run, change(west, { score: 0.7 })), await raiseCandidate(c, later, run, change(east, { score: 0.95 }))]);
    expect((await pieces()).map((r) => r.outcome)).toEqual(['observed', 'observed']);
    const area = async () => (await pool.query(
      `SELECT round(o.area_m2)::int AS observed, round(c.area_m2)::int AS candidate, o.score, c.version,
              (SELECT count(*)::int FROM candidate) AS candidates
         FROM candidate c JOIN candidate_observation o ON o.candidate_id = c.id AND o.flight_id = $1`, [later])).rows[0];
    const whole = (await pool.query(`SELECT round(area_m2)::int AS a FROM candidate_observation WHERE flight_id = $1`, [first])).rows[0].a;
    expect(await area()).toEqual({ observed: whole, candidate: whole, score: 0.95, version: 3, candidates: 1 });
    // The same run again (a retried job): nothing changes.
    expect((await pieces()).map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
    expect((await area())!.version).toBe(3);
    expect(raised.outcome).toBe('raised');
  });

  it('keeps an 85.6 m² candidate\'s outline and figures when a later flight sees only a 4.1 m² sliver of it', async () => {
    const first = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00' });
    // About 9.3 m square at Shanghai's latitude: 85.6 m².
    const whole = square(121.1, 31.1, 0.0000975);
    const { candidateId } = await inTransaction(pool, async (c) => raiseCandidate(c, first, await newRun(first), change(whole, { heightGainM: 6.2, score: 0.93 })));
    const before = (await pool.query(`SELECT round(area_m2::numeric, 1)::float8 AS area, ST_AsText(geom) AS wkt, height_gain_m, score FROM candidate`)).rows[0];
    expect(before.area).toBeGreaterThan(80);
    const later = await createFlight(pool, { capturedAt: '2026-10-22T10:00:00+08:00' });
    const sliver = square(121.10004, 31.10004, 0.00002); // about 2 m square, inside it
    const seen = await inTransaction(pool, async (c) => raiseCandidate(c, later, await newRun(later), change(sliver, { heightGainM: 1.1, score: 0.55 })));
    expect(seen).toEqual({ candidateId, outcome: 'observed' });
    const { rows } = await pool.query(
      `SELECT round(c.area_m2::numeric, 1)::float8 AS area, ST_AsText(c.geom) AS wkt, c.height_gain_m, c.score, c.version, c.last_flight_id::text AS last,
              round(o.area_m2::numeric, 1)::float8 AS observed
         FROM candidate c JOIN candidate_observation o ON o.candidate_id = c.id AND o.flight_id = $1`, [later]);
    // The sliver is recorded as the later flight's observation; the candidate is still the structure.
    expect(rows[0]).toEqual({ ...before, version: 2, last: later, observed: expect.any(Number) });
    expect(rows[0].observed).toBeLessThan(5);
    // The dossier marks the sliver, so the viewer shows the whole structure's evidence, not the sliver's.
    const detail = (await candidateDetail(pool, candidateId)) as { observations: Array<{ flight_id: number; sliver: boolean }> };
    expect(detail.observations.map((o) => [String(o.flight_id), o.sliver])).toEqual([[first, false], [later, true]]);
    // A later flight seeing it whole again (or grown) does take its outline.
    const third = await createFlight(pool, { capturedAt: '2026-10-29T10:00:00+08:00' });
    await inTransaction(pool, async (c) => raiseCandidate(c, third, await newRun(third), change(square(121.1, 31.1, 0.00011))));
    expect((await pool.query(`SELECT area_m2 FROM candidate`)).rows[0].area_m2).toBeGreaterThan(before.area);
  });

  it('never stores an infinite or NaN measurement: the database refuses it', async () => {
    const flight = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00' });
    const run = await newRun(flight);
    for (const heightGainM of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
      await expect(inTransaction(pool, (c) => raiseCandidate(c, flight, run, change(square(121.1, 31.1), { heightGainM })))).rejects.toThrow(/candidate_finite_measures/);
    }
    await expect(inTransaction(pool, (c) => raiseCandidate(c, flight, run, change(square(121.1, 31.1), { score: Number.POSITIVE_INFINITY })))).rejects.toThrow(/finite_measures/);
    await expect(pool.query(`UPDATE flight SET shift_dx_m = 'Infinity' WHERE id = $1`, [flight])).rejects.toThrow(/flight_finite_measures/);
    expect((await pool.query(`SELECT count(*)::int AS n FROM candidate`)).rows[0].n).toBe(0);
  });

  it('raises onto the survivor when a reviewer merges the matched candidate while the flight is raising', async () => {
    const flight = await createFlight(pool, { capturedAt: '2026-10-22T10:00:00+08:00' });
    const run = await newRun(flight);
    // The duplicate covers the structure exactly, its twin a little more: the duplicate matches best.
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO candidate (geom, change_type, area_m2) VALUES
         (ST_Multi(ST_MakeEnvelope(121.1, 31.1, 121.10012, 31.10012, 4326)), 'new_structure', 140),
         (ST_Multi(ST_MakeEnvelope(121.1, 31.1, 121.1001, 31.1001, 4326)), 'new_structure', 100) RETURNING id::text`);
    const [twin, duplicate] = rows.map((r) => r.id) as [string, string];
    const reviewer = await pool.connect();
    try {
      await reviewer.query('BEGIN');
      await reviewer.query(`UPDATE candidate SET status = 'merged', merged_into = $2, version = version + 1 WHERE id = $1`, [duplicate, twin]);
      // The flight matches the duplicate (the merge is not committed yet) and waits for its lock.
      const raising = inTransaction(pool, (c) => raiseCandidate(c, flight, run, change(square(121.1, 31.1))));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await reviewer.query('COMMIT');
      expect(await raising).toEqual({ candidateId: twin, outcome: 'observed' });
    } finally {
      reviewer.release();
    }
    const observed = await pool.query(`SELECT candidate_id::text FROM candidate_observation`);
    expect(observed.rows).toEqual([{ candidate_id: twin }]);
  });

  it('stores a chip once however often it is stored, and sweeps chips no observation names a day on', async () => {
    const chip = (text: string): EvidenceChip => {
      const image = Buffer.from(text);
      return { digest: createHash('sha256').update(image).digest('hex'), mediaType: 'image/webp', image };
    };
    const [before, after, orphan, fresh] = ['before', 'after', 'orphan', 'fresh'].map(chip) as [EvidenceChip, EvidenceChip, EvidenceChip, EvidenceChip];
    // before and after twice over, as a stage re-run (and an image pair of one date) would store them
    await storeEvidenceChips(pool, [before, after, after]);
    await storeEvidenceChips(pool, [before, after, orphan]);
    const flight = await createFlight(pool, {});
    await inTransaction(pool, async (c) => raiseCandidate(c, flight, await newRun(flight), change(square(121.1, 31.1), { evidenceBefore: before.digest, evidenceAfter: after.digest })));
    const stored = async () => (await pool.query(`SELECT encode(image, 'escape') AS image FROM evidence_chip ORDER BY 1`)).rows.map((r) => r.image);
    expect(await stored()).toEqual(['after', 'before', 'orphan']);

    // A day later the orphan (its flight failed for good) goes; a chip a running flight stored
    // again just now, and the chips observations name, stay.
    await pool.query(`UPDATE evidence_chip SET stored_at = now() - interval '25 hours'`);
    await storeEvidenceChips(pool, [fresh]);
    await pool.query(`UPDATE evidence_chip SET stored_at = now() - interval '25 hours' WHERE digest = $1`, [fresh.digest]);
    await storeEvidenceChips(pool, [fresh]);
    expect(await sweepUnusedEvidenceChips(pool)).toBe(1);
    expect(await stored()).toEqual(['after', 'before', 'fresh']);
    await expect(pool.query(`DELETE FROM evidence_chip WHERE digest = $1`, [after.digest])).rejects.toThrow(/evidence_after_fkey/);
  });

  it('sweeps through the chips\' age index and the indexes of the observations\' chip columns', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${SWEEP_UNUSED_CHIPS_SQL}`, [24]);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toContain('evidence_chip_stored_at_idx');
      expect(plan).toContain('candidate_observation_evidence_before_idx');
      expect(plan).toContain('candidate_observation_evidence_after_idx');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('keeps a demolition and a new structure at the same place apart, and separate places apart', async () => {
    const flight = await createFlight(pool, {});
    const run = await newRun(flight);
    const a = await inTransaction(pool, (c) => raiseCandidate(c, flight, run, change(square(121.1, 31.1))));
    const b = await inTransaction(pool, (c) => raiseCandidate(c, flight, run, change(square(121.1, 31.1), { changeType: 'demolished' })));
    const d = await inTransaction(pool, (c) => raiseCandidate(c, flight, run, change(square(121.2, 31.1))));
    expect(new Set([a.candidateId, b.candidateId, d.candidateId]).size).toBe(3);
  });
});

describe('raiseCandidate after a demolition', () => {
  it('raises a structure standing again where a demolition was confirmed as a new candidate', async () => {
    const first = await createFlight(pool, { capturedAt: '2026-05-01T10:00:00+08:00' });
    const { candidateId } = await inTransaction(pool, async (c) => raiseCandidate(c, first, await newRun(first), change(square(121.1, 31.1))));
    await pool.query(`UPDATE candidate SET status = 'demolition_confirmed' WHERE id = $1`, [candidateId]);
    const later = await createFlight(pool, { capturedAt: '2026-11-01T10:00:00+08:00' });
    const laterRun = await newRun(later);
    const again = await inTransaction(pool, (c) => raiseCandidate(c, later, laterRun, change(square(121.1, 31.1))));
    expect(again.outcome).toBe('raised');
    expect(again.candidateId).not.toBe(candidateId);
  });

  it('does not move "last seen" backwards when an older flight is processed late', async () => {
    const newer = await createFlight(pool, { capturedAt: '2026-11-01T10:00:00+08:00' });
    const { candidateId } = await inTransaction(pool, async (c) => raiseCandidate(c, newer, await newRun(newer), change(square(121.1, 31.1))));
    const older = await createFlight(pool, { capturedAt: '2026-06-01T10:00:00+08:00' });
    const olderRun = await newRun(older);
    await inTransaction(pool, (c) => raiseCandidate(c, older, olderRun, change(square(121.1, 31.1))));
    const { rows } = await pool.query(`SELECT last_flight_id::text AS last, to_char(last_seen_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS seen FROM candidate WHERE id = $1`, [candidateId]);
    expect(rows[0]).toEqual({ last: newer, seen: '2026-11-01' });
  });
});

describe('loadAreaContext', () => {
  it('returns what lies in the area, and earlier rejections with their reason', async () => {
    const flight = await createFlight(pool, {});
    const run = await newRun(flight);
    const { candidateId } = await inTransaction(pool, (c) => raiseCandidate(c, flight, run, change(square(121.1, 31.1))));
    await pool.query(`UPDATE candidate SET status = 'rejected' WHERE id = $1`, [candidateId]);
    await pool.query(`INSERT INTO review_event (candidate_id, action, reason_code) VALUES ($1, 'reject', 'not_a_structure')`, [candidateId]);
    await pool.query(
      `INSERT INTO baseline_building (source, source_key, footprint, height_m, survey_date, area_m2)
       VALUES ('t', 'in', ST_Multi(ST_GeomFromGeoJSON($1)), 6, '2026-04-10', 100), ('t', 'out', ST_Multi(ST_GeomFromGeoJSON($2)), 6, '2026-04-10', 100)`,
      [square(121.1002, 31.1), square(121.3, 31.1)],
    );
    const context = await loadAreaContext(pool, square(121.099, 31.099, 0.003));
    expect(context.baseline.map((b) => b.heightM)).toEqual([6]);
    expect(context.earlierRejections).toEqual([{ candidateId, reasonCode: 'not_a_structure', geometry: expect.objectContaining({ type: 'MultiPolygon' }) }]);
  });
});

describe('exportCandidateBatches', () => {
  const addCandidates = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await pool.query(`INSERT INTO candidate (geom, change_type, area_m2, priority) VALUES (ST_Multi(ST_MakeEnvelope($1::float8, 31.1, $1::float8 + 0.0001, 31.1001, 4326)), 'new_structure', 100, $2)`,
        [121.1 + i * 0.001, 10 * i]);
    }
  };
  const ids = (batches: Array<Array<{ id: string }>>) => batches.flat().map((r) => r.id);

  it('gives the rows of one query, in order, however small the batches', async () => {
    await addCandidates(5);
    const batches = async (size: number) => {
      const out = [];
      for await (const batch of exportCandidateBatches(pool, {}, 100, size)) out.push(batch);
      return out;
    };
    const whole = await batches(1000);
    expect(whole).toHaveLength(1);
    const byTwo = await batches(2);
    expect(byTwo.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(ids(byTwo)).toEqual(ids(whole));
    expect(ids(whole)).toEqual(['5', '4', '3', '2', '1']); // most urgent (highest priority) first
    expect((await batches(5)).map((b) => b.length)).toEqual([5]);
    expect(ids(await (async () => { const out = []; for await (const b of exportCandidateBatches(pool, {}, 3, 2)) out.push(b); return out; })())).toEqual(['5', '4', '3']);
  });

  it('reads one snapshot, and gives its connection back when the reader stops early', async () => {
    await addCandidates(4);
    const seen: string[] = [];
    for await (const batch of exportCandidateBatches(pool, {}, 100, 2)) {
      seen.push(...batch.map((r) => `${r.id}:${r.status}`));
      // a reviewer decides while the download runs: the export stays as it began
      if (seen.length === 2) await pool.query(`UPDATE candidate SET status = 'verified'`);
    }
    expect(seen).toEqual(['4:pending', '3:pending', '2:pending', '1:pending']);

    for await (const batch of exportCandidateBatches(pool, {}, 100, 1)) {
      expect(batch).toHaveLength(1);
      break; // the client went away after the first batch
    }
    expect(pool.totalCount - pool.idleCount).toBe(0);
    const { rows } = await pool.query(`SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
    expect(rows[0].open).toBe(0);
  });
});
