/**
 * SQL of the report family: the weekly diff report's figures for a week and an area, and stored
 * reports. Weeks are ISO weeks in China Standard Time (Monday 00:00 to Monday 00:00, +08:00).
 */
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface CountAndArea {
  count: number;
  m2: number;
}

export interface WeekFigures {
  /** Candidates raised into the review queue this week. */
  newCandidates: CountAndArea;
  verified: CountAndArea;
  rejected: CountAndArea;
  scheduled: CountAndArea;
  demolished: CountAndArea;
  confirmedDemolished: CountAndArea;
  /** Register entries recorded demolished this week (存量违建 reduction). */
  registerReduction: CountAndArea;
}

/**
 * The figures of one week for an area (null: everywhere): audit-trail actions of the week counted
 * once per candidate and action, areas from the candidates; register reduction by demolition date.
 */
export async function weekFigures(db: Queryable, weekStart: string, areaId: string | null): Promise<WeekFigures> {
  const { rows } = await db.query<{ key: string; count: number; m2: number }>(
    `WITH week AS (SELECT ($1::date)::timestamp AT TIME ZONE 'Asia/Shanghai' AS t0,
                          ($1::date + 7)::timestamp AT TIME ZONE 'Asia/Shanghai' AS t1),
          area AS (SELECT geom FROM admin_area WHERE id = $2),
          acts AS (
            SELECT DISTINCT ON (e.candidate_id, e.action) e.action, e.to_status, c.area_m2
              FROM review_event e JOIN candidate c ON c.id = e.candidate_id, week
             WHERE e.at >= week.t0 AND e.at < week.t1
               AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM area WHERE ST_Intersects(area.geom, ST_PointOnSurface(c.geom)))))
     SELECT CASE WHEN action = 'raise' THEN 'newCandidates' WHEN action = 'verify' THEN 'verified' WHEN action = 'reject' THEN 'rejected'
                 WHEN action = 'schedule' THEN 'scheduled' WHEN action = 'mark_demolished' THEN 'demolished'
                 ELSE 'confirmedDemolished' END AS key,
            count(*)::int AS count, coalesce(round(sum(area_m2)), 0)::int AS m2
       FROM acts
      WHERE action IN ('verify', 'reject', 'schedule', 'mark_demolished', 'confirm_demolished')
         OR (action = 'raise' AND to_status = 'pending')
      GROUP BY 1
     UNION ALL
     SELECT 'registerReduction', count(*)::int, coalesce(round(sum(r.area_m2)), 0)::int
       FROM register_entry r
      WHERE r.demolished_on >= $1::date AND r.demolished_on < $1::date + 7
        AND ($2::bigint IS NULL OR r.street_id = $2 OR r.village_id = $2
             OR EXISTS (SELECT 1 FROM area WHERE ST_Intersects(area.geom, ST_PointOnSurface(r.footprint))))`,
    [weekStart, areaId],
  );
  const empty = (): CountAndArea => ({ count: 0, m2: 0 });
  const figures: WeekFigures = {
    newCandidates: empty(), verified: empty(), rejected: empty(), scheduled: empty(),
    demolished: empty(), confirmedDemolished: empty(), registerReduction: empty(),
  };
  for (const row of rows) figures[row.key as keyof WeekFigures] = { count: row.count, m2: row.m2 };
  return figures;
}

/** Stores (or replaces) a report for its kind, period and area. */
export async function storeReport(db: Queryable, kind: 'weekly' | 'monthly' | 'quarterly', periodStart: string, periodEnd: string, areaId: string | null, content: object): Promise<void> {
  await db.query(
    `INSERT INTO stored_report (kind, period_start, period_end, area_id, content) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (kind, period_start, COALESCE(area_id, 0)) DO UPDATE SET period_end = EXCLUDED.period_end, content = EXCLUDED.content, created_at = now()`,
    [kind, periodStart, periodEnd, areaId, content],
  );
}

/** The districts and streets (街镇) a weekly report is made for, besides the whole. */
export async function reportAreas(db: Queryable): Promise<Array<{ id: string; code: string; name: string; level: string }>> {
  const { rows } = await db.query<{ id: string; code: string; name: string; level: string }>(
    `SELECT id::text, code, name, level FROM admin_area WHERE level IN ('district', 'street') ORDER BY level, code`,
  );
  return rows;
}
