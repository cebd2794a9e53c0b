/**
 * What a bulletin shows beyond the report's figures, from the database: the period's cases (the
 * key ones with their newest evidence chips) and the areas of the overview map. The thin adapter
 * between db/sql/reports.ts and the pure bulletin page.
 */
import type pg from 'pg';
import type { PeriodReport } from '#domain/weekly-report.js';
import { latestCaseEvidence } from '#db/sql/evidence-chips.js';
import { periodCases, reportMapAreas } from '#db/sql/reports.js';
import type { BulletinFacts } from './bulletin-html.js';

/** The most cases a bulletin's map shows as dots. */
const MAP_CASES = 500;

export async function loadBulletinFacts(pool: pg.Pool, report: PeriodReport, keyCases: number): Promise<BulletinFacts> {
  const areaId = report.area?.id ?? null;
  const [cases, map] = await Promise.all([
    periodCases(pool, report.period.start, report.period.end, areaId, MAP_CASES),
    reportMapAreas(pool, areaId),
  ]);
  const evidence = await latestCaseEvidence(pool, cases.slice(0, keyCases).map((c) => c.id));
  return { cases, evidence, map };
}
