/**
 * SQL of the demolition schedule as the office reads it: each schedule with its candidate, street,
 * village and what the latest flight over it confirmed. Writes go through db/sql/reviews.ts (a
 * schedule is a review decision, audited like any other).
 */
import type { Queryable } from './queryable.js';

export interface ScheduleFilter {
  /** scheduled_for on or after / on or before (YYYY-MM-DD). */
  from?: string;
  to?: string;
  streetCode?: string;
  team?: string;
  statuses?: string[];
  candidateId?: string;
  limit: number;
}

export interface ScheduleRow {
  id: string;
  candidate_id: string;
  scheduled_for: string;
  team: string;
  status: 'scheduled' | 'done' | 'cancelled';
  demolished_at: string | null;
  confirmation: 'confirmed' | 'still_standing' | null;
  confirmed_by_flight_id: string | null;
  confirmed_on: string | null;
  candidate_status: string;
  candidate_version: number;
  change_type: string;
  area_m2: number;
  street: string | null;
  street_code: string | null;
  village: string | null;
  /** [lon, lat] of a point on the candidate, to fly the map there. */
  center: [number, number];
}

export async function listSchedules(db: Queryable, filter: ScheduleFilter): Promise<ScheduleRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.from) where.push(`d.scheduled_for >= ${param(filter.from)}::date`);
  if (filter.to) where.push(`d.scheduled_for <= ${param(filter.to)}::date`);
  if (filter.streetCode) where.push(`s.code = ${param(filter.streetCode)}`);
  if (filter.team) where.push(`d.team = ${param(filter.team)}`);
  if (filter.candidateId) where.push(`d.candidate_id = ${param(filter.candidateId)}`);
  if (filter.statuses?.length) where.push(`d.status = ANY(${param(filter.statuses)})`);
  const { rows } = await db.query<ScheduleRow & { lon: number; lat: number }>(
    `SELECT d.id::text, d.candidate_id::text, to_char(d.scheduled_for, 'YYYY-MM-DD') AS scheduled_for, d.team, d.status,
            d.demolished_at, d.confirmation, d.confirmed_by_flight_id::text,
            to_char(f.captured_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS confirmed_on,
            c.status AS candidate_status, c.version AS candidate_version, c.change_type, round(c.area_m2::numeric, 1)::float8 AS area_m2,
            s.name AS street, s.code AS street_code, v.name AS village,
            ST_X(ST_PointOnSurface(c.geom)) AS lon, ST_Y(ST_PointOnSurface(c.geom)) AS lat
       FROM demolition_schedule d
       JOIN candidate c ON c.id = d.candidate_id
       LEFT JOIN admin_area s ON s.id = c.street_id
       LEFT JOIN admin_area v ON v.id = c.village_id
       LEFT JOIN flight f ON f.id = d.confirmed_by_flight_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY d.scheduled_for, s.name NULLS LAST, d.team, d.id
      LIMIT ${param(filter.limit)}`,
    params,
  );
  return rows.map(({ lon, lat, ...row }) => ({ ...row, center: [lon, lat] }));
}
