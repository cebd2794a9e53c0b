/**
 * The weekly repeatable job: every Monday at 06:00 China Standard Time it stores the weekly diff
 * report of the week just ended, for the whole and for each district and street, so Monday's
 * meeting finds them ready; when a month or quarter ended in that week, its report too. The schedule lives in Redis (a BullMQ job scheduler), upserted by
 * every worker at start, so it exists once however many workers run.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { reportAreas, storeReport } from '#db/sql/reports.js';
import { periodsEndingIn, previousIsoWeek } from '#domain/report-periods.js';
import { loadPeriodReport } from '../load-period-report.js';

export const REPORT_QUEUE = 'reports';
export const WEEKLY_REPORT_SCHEDULER = 'weekly-report';
/** Mondays 06:00 in Shanghai. */
export const WEEKLY_REPORT_PATTERN = '0 6 * * 1';

export async function scheduleWeeklyReport(connection: Redis, prefix: string): Promise<void> {
  const queue = new Queue(REPORT_QUEUE, { connection, prefix });
  try {
    await queue.upsertJobScheduler(WEEKLY_REPORT_SCHEDULER, { pattern: WEEKLY_REPORT_PATTERN, tz: 'Asia/Shanghai' }, {
      name: 'weekly-report',
      data: {},
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: { count: 60 } },
    });
  } finally {
    await queue.close();
  }
}

/**
 * Stores the reports of the week before `runAt` (and of a month or quarter that ended in it) for
 * everywhere and each district and street; returns how many were stored. A re-run replaces them.
 */
export async function storeWeeklyReports(pool: pg.Pool, runAt: Date): Promise<number> {
  const week = previousIsoWeek(runAt);
  const periods = [week, ...periodsEndingIn(week)];
  const areas = [null, ...(await reportAreas(pool))];
  for (const period of periods) {
    for (const area of areas) {
      const report = await loadPeriodReport(pool, period, area);
      await storeReport(pool, period.kind, period.start, period.end, area?.id ?? null, report);
    }
  }
  return periods.length * areas.length;
}

export function createReportWorker(pool: pg.Pool, connection: Redis, prefix: string): Worker {
  return new Worker(REPORT_QUEUE, async (job) => storeWeeklyReports(pool, new Date(job.timestamp)), { connection, prefix, concurrency: 1 });
}
