import { Queue } from 'bullmq';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig } from '../config.js';
import { createRedisConnection } from './redis-connection.js';
import { deleteKeysUnder } from './testing/redis-keys.js';
import { REPORT_QUEUE, scheduleWeeklyReport, storeWeeklyReports, WEEKLY_REPORT_PATTERN, WEEKLY_REPORT_SCHEDULER } from './weekly-report-job.js';

const pool = createTestPool();
const redis = createRedisConnection(loadConfig().redisUrl);
const prefix = `lingwei-test-reports-${process.pid}`;
afterAll(async () => {
  await deleteKeysUnder(redis, prefix);
  redis.disconnect();
  await pool.end();
});
beforeEach(() => emptyTables(pool));

describe('the weekly report job', () => {
  it('is scheduled once for Monday 06:00 Shanghai time, however many workers start', async () => {
    await scheduleWeeklyReport(redis, prefix);
    await scheduleWeeklyReport(redis, prefix);
    const queue = new Queue(REPORT_QUEUE, { connection: redis, prefix });
    const schedulers = await queue.getJobSchedulers();
    await queue.close();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([[WEEKLY_REPORT_SCHEDULER, WEEKLY_REPORT_PATTERN, 'Asia/Shanghai']]);
  });

  it('stores the week just ended, with its change against the week before', async () => {
    await pool.query(`INSERT INTO admin_area (code, level, name, geom) VALUES ('S1', 'street', '华新镇', ST_Multi(ST_MakeEnvelope(121.0, 31.0, 121.2, 31.2, 4326)))`);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO candidate (geom, change_type, area_m2) VALUES
         (ST_Multi(ST_MakeEnvelope(121.1, 31.1, 121.1001, 31.1001, 4326)), 'new_structure', 100),
         (ST_Multi(ST_MakeEnvelope(121.5, 31.1, 121.5001, 31.1001, 4326)), 'new_structure', 40) RETURNING id`,
    );
    const [inside, outside] = rows.map((r) => r.id);
    await pool.query(
      `INSERT INTO review_event (candidate_id, action, to_status, at) VALUES
         ($1, 'raise', 'pending', '2026-11-10T09:00:00+08:00'), ($1, 'verify', 'verified', '2026-11-18T09:00:00+08:00'),
         ($2, 'raise', 'pending', '2026-11-17T09:00:00+08:00'), ($2, 'reject', 'rejected', '2026-11-22T23:30:00+08:00')`,
      [inside, outside],
    );
    expect(await storeWeeklyReports(pool, new Date('2026-11-23T06:00:00+08:00'))).toBe(2);
    const { rows: reports } = await pool.query(
      `SELECT a.code, r.kind, to_char(r.period_start, 'YYYY-MM-DD') AS start, r.content->'total'->'figures' AS figures, r.content->'total'->'change' AS change
         FROM stored_report r LEFT JOIN admin_area a ON a.id = r.area_id ORDER BY a.code NULLS FIRST`,
    );
    expect(reports[0]).toMatchObject({ code: null, start: '2026-11-16' });
    expect(reports[0].figures).toMatchObject({ newCandidates: { count: 1, m2: 40 }, verified: { count: 1, m2: 100 }, rejected: { count: 1, m2: 40 } });
    expect(reports[0].change.newCandidates).toEqual({ count: 0, m2: -60 });
    expect(reports[1].figures).toMatchObject({ newCandidates: { count: 0, m2: 0 }, verified: { count: 1, m2: 100 }, rejected: { count: 0, m2: 0 } });
    expect(reports.map((r) => r.kind)).toEqual(['weekly', 'weekly']);
    // Stored again on a re-run: replaced, not duplicated.
    await storeWeeklyReports(pool, new Date('2026-11-23T07:00:00+08:00'));
    const { rows: count } = await pool.query(`SELECT count(*)::int AS n FROM stored_report`);
    expect(count[0].n).toBe(2);
  });
});
