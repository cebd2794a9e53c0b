/**
 * SQL of the office's own training data (issue 19, `npm run model -- adapt --from-db`): the
 * finished flights of an area and period, and, for one flight, what reviewers decided about what
 * it saw (as change for image pairs; as what stood then for surface models) and the buildings the
 * baseline and the register know there. Read only.
 */
import type { Queryable } from './queryable.js';

/**
 * What a flight's observation of a candidate teaches:
 * - change: a structure reviewers confirmed as real and new since the earlier flight (verified,
 *   and everything after: scheduled, demolished...), first seen by this flight; or a demolition a
 *   later flight confirmed (demolition), the structure gone since the earlier flight;
 * - negative: a false alarm, rejected by a reviewer (or set aside as rejected before), with the reason;
 * - unchanged: a confirmed structure seen again by a later flight (it stood in both);
 * - unknown: not decided by a person (pending, or set aside by triage as permitted or in the register).
 */
export type OutlineLabel = 'change' | 'demolition' | 'negative' | 'unchanged' | 'unknown';

export interface LabelledOutline {
  candidateId: string;
  label: OutlineLabel;
  status: string;
  reasonCode: string | null;
  reasonText: string | null;
  /** GeoJSON Polygon or MultiPolygon in the flight's CRS. */
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
}

/** Finished flights meeting an administrative area, captured on or after `since` (YYYY-MM-DD, Shanghai), oldest first. */
export async function areaFlights(db: Queryable, areaCode: string, since: string): Promise<string[] | null> {
  const area = await db.query(`SELECT 1 FROM admin_area WHERE code = $1`, [areaCode]);
  if (!area.rowCount) return null;
  const { rows } = await db.query<{ id: string }>(
    `SELECT f.id::text FROM flight f, admin_area a
      WHERE a.code = $1 AND f.status = 'done'
        AND f.captured_at >= ($2::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
        AND ST_Intersects(f.footprint, a.geom)
      ORDER BY f.captured_at, f.id`,
    [areaCode, since],
  );
  return rows.map((r) => r.id);
}

const CONFIRMED = `('verified', 'scheduled', 'demolished', 'demolition_confirmed', 'still_standing')`;

/** Every candidate a flight observed, with what it teaches (see OutlineLabel), and the demolitions it confirmed. */
export async function labelledOutlines(db: Queryable, flightId: string, proj: string): Promise<LabelledOutline[]> {
  const { rows } = await db.query<{ id: string; label: OutlineLabel; status: string; reason_code: string | null; reason_text: string | null; geometry: string }>(
    `WITH seen AS (
       SELECT c.id, c.status, o.geom,
              CASE WHEN c.change_type = 'demolished' AND c.status IN ${CONFIRMED} AND c.first_flight_id = o.flight_id THEN 'demolition'
                   WHEN c.status IN ${CONFIRMED} AND c.first_flight_id = o.flight_id THEN 'change'
                   WHEN c.status IN ${CONFIRMED} THEN 'unchanged'
                   WHEN c.status IN ('rejected', 'previously_rejected') THEN 'negative'
                   ELSE 'unknown' END AS label
         FROM candidate_observation o JOIN candidate c ON c.id = o.candidate_id
        WHERE o.flight_id = $1 AND c.status <> 'merged'
       UNION ALL
       -- a structure a later flight confirmed gone: changed between that flight's earlier one and it
       SELECT c.id, c.status, c.geom, 'demolition'
         FROM demolition_schedule s JOIN candidate c ON c.id = s.candidate_id
        WHERE s.confirmed_by_flight_id = $1 AND s.confirmation = 'confirmed'
     )
     SELECT s.id::text, s.label, s.status, e.reason_code, e.reason_text, ST_AsGeoJSON(ST_Transform(s.geom, $2), 3) AS geometry
       FROM seen s
       LEFT JOIN LATERAL (SELECT reason_code, reason_text FROM review_event
                           WHERE candidate_id = s.id AND action = 'reject' ORDER BY id DESC LIMIT 1) e ON s.label = 'negative'
      ORDER BY s.id, s.label`,
    [flightId, proj],
  );
  return rows.map((r) => ({
    candidateId: r.id, label: r.label, status: r.status, reasonCode: r.reason_code ?? (r.status === 'previously_rejected' ? 'previously_rejected' : null),
    reasonText: r.reason_text, geometry: JSON.parse(r.geometry) as LabelledOutline['geometry'],
  }));
}

/** A building the office knows in an extent: a baseline building (with its surveyed height) or a register entry still standing. */
export interface KnownBuilding {
  source: 'baseline' | 'register';
  id: string;
  heightM: number | null;
  /** GeoJSON Polygon or MultiPolygon in the flight's CRS. */
  geometry: LabelledOutline['geometry'];
}

/** The baseline's buildings and the register's standing entries in an extent of the flight's CRS, baseline first, each by id. */
export async function knownBuildings(db: Queryable, extent: readonly [number, number, number, number], proj: string): Promise<KnownBuilding[]> {
  const { rows } = await db.query<{ source: KnownBuilding['source']; id: string; height_m: number | null; geometry: string }>(
    `WITH box AS (SELECT ST_Transform(ST_MakeEnvelope($1, $2, $3, $4), $5, 4326) AS g)
     SELECT source, id::text, height_m, ST_AsGeoJSON(ST_Transform(footprint, $5), 3) AS geometry FROM (
       SELECT 'baseline' AS source, 0 AS family, b.id, b.height_m::real AS height_m, b.footprint FROM baseline_building b, box WHERE ST_Intersects(b.footprint, box.g)
       UNION ALL
       SELECT 'register', 1, r.id, NULL, r.footprint FROM register_entry r, box WHERE ST_Intersects(r.footprint, box.g) AND r.status <> 'demolished'
     ) t ORDER BY family, id`,
    [...extent, proj],
  );
  return rows.map((r) => ({ source: r.source, id: r.id, heightM: r.height_m, geometry: JSON.parse(r.geometry) as LabelledOutline['geometry'] }));
}

/** Footprints of the baseline's buildings and of the register's standing entries in an extent of the flight's CRS (GeoJSON in it). */
export async function buildingFootprints(db: Queryable, extent: readonly [number, number, number, number], proj: string): Promise<LabelledOutline['geometry'][]> {
  return (await knownBuildings(db, extent, proj)).map((b) => b.geometry);
}

/**
 * What reviewers' decisions say stood on the ground when a flight was captured, for the surface-model
 * export (models/data/from-db.ts):
 * - standing: a structure reviewers confirmed (verified and after) as new or an extension, first
 *   seen at or before the flight and not torn down by then (no demolition marked or confirmed by
 *   a flight before it); or one rejected as permitted or already in the register (a real building,
 *   only not an illegal one);
 * - gone: a confirmed demolition first seen at or before the flight, or a confirmed structure torn
 *   down by then: the baseline's or register's footprint under it no longer stands;
 * - negative: a false alarm this flight raised, rejected for any other reason, with the reason;
 * - unknown: a candidate this flight raised that no person decided (pending, or set aside by triage).
 * Rooftop additions and added floors stand on a baseline building, whose outline already holds them.
 */
export type StandingLabel = 'standing' | 'gone' | 'negative' | 'unknown';

export interface ReviewedOutline {
  candidateId: string;
  label: StandingLabel;
  status: string;
  changeType: string;
  reasonCode: string | null;
  reasonText: string | null;
  /** GeoJSON Polygon or MultiPolygon in the flight's CRS. */
  geometry: LabelledOutline['geometry'];
}

/** Rejection reasons that say the structure is real (only not illegal). */
const REAL_STRUCTURE_REASONS = `('permitted_construction', 'already_in_register')`;

/** Every candidate under the flight whose outline tells what stood when it was captured (see StandingLabel), by id. */
export async function reviewedOutlines(db: Queryable, flightId: string, proj: string): Promise<ReviewedOutline[]> {
  const { rows } = await db.query<{ id: string; label: StandingLabel; status: string; change_type: string; reason_code: string | null; reason_text: string | null; geometry: string }>(
    `WITH f AS (SELECT id, COALESCE(captured_at, created_at) AS at, footprint FROM flight WHERE id = $1),
     decided AS (
       SELECT c.*, e.reason_code, e.reason_text,
              EXISTS (SELECT 1 FROM candidate_observation o WHERE o.candidate_id = c.id AND o.flight_id = f.id) AS seen_here,
              (EXISTS (SELECT 1 FROM demolition_schedule s JOIN flight g ON g.id = s.confirmed_by_flight_id
                        WHERE s.candidate_id = c.id AND s.confirmation = 'confirmed' AND COALESCE(g.captured_at, g.created_at) <= f.at)
               OR EXISTS (SELECT 1 FROM review_event d WHERE d.candidate_id = c.id
                           AND d.action IN ('mark_demolished', 'confirm_demolished') AND d.at <= f.at)) AS torn_down,
              COALESCE(c.first_seen_at, c.created_at) <= f.at AS seen_by_then
         FROM candidate c CROSS JOIN f
         LEFT JOIN LATERAL (SELECT reason_code, reason_text FROM review_event
                             WHERE candidate_id = c.id AND action = 'reject' ORDER BY id DESC LIMIT 1) e ON true
        WHERE c.status <> 'merged'
          -- Only what lies under the flight (all, for a flight without a footprint): the export
          -- tests each outline against each block, so the rest of the office only costs time.
          AND (f.footprint IS NULL OR ST_Intersects(c.geom, f.footprint))
     ),
     labelled AS (
       SELECT *, CASE
           WHEN change_type = 'demolished' AND status IN ${CONFIRMED} AND seen_by_then THEN 'gone'
           WHEN change_type IN ('new_structure', 'extension') AND status IN ${CONFIRMED} AND seen_by_then THEN
                CASE WHEN torn_down THEN 'gone' ELSE 'standing' END
           WHEN change_type IN ('new_structure', 'extension') AND status = 'rejected' AND reason_code IN ${REAL_STRUCTURE_REASONS} AND seen_by_then THEN 'standing'
           WHEN seen_here AND status IN ('rejected', 'previously_rejected') THEN 'negative'
           WHEN seen_here AND status IN ('pending', 'permitted', 'in_register') THEN 'unknown'
         END AS label
         FROM decided
     )
     SELECT id::text, label, status, change_type, reason_code, reason_text, ST_AsGeoJSON(ST_Transform(geom, $2), 3) AS geometry
       FROM labelled WHERE label IS NOT NULL ORDER BY id`,
    [flightId, proj],
  );
  return rows.map((r) => ({
    candidateId: r.id, label: r.label, status: r.status, changeType: r.change_type,
    reasonCode: r.reason_code ?? (r.status === 'previously_rejected' ? 'previously_rejected' : null),
    reasonText: r.reason_text, geometry: JSON.parse(r.geometry) as LabelledOutline['geometry'],
  }));
}
