/**
 * SQL of the candidate family, the pipeline's side: raising candidates (疑似违建图斑) with their
 * observations by flight and the audit rows the pipeline writes, the context triage needs, and the
 * demolition checks. Raising is idempotent: a structure seen again (by a later flight, or by the
 * same flight re-run after a crash) updates its candidate instead of adding one. What the API reads
 * is in candidate-reads.ts, the evidence images in evidence-chips.ts.
 */
import type pg from 'pg';
import type { ChangeType, TriageStatus } from '#domain/vocabulary.js';
import type { Queryable } from './queryable.js';

export interface ObservedChange {
  /** GeoJSON geometry in lon/lat. */
  geometry: string;
  changeType: ChangeType;
  status: TriageStatus;
  priority: number;
  triage: object;
  heightGainM: number | null;
  score: number | null;
  /** Digests of the stored evidence chips (evidence-chips.ts): the earlier image's, when there was one. */
  evidenceBefore: string | null;
  evidenceAfter: string | null;
  /** The flight the "before" chip was cut from (labelled on it in the viewer). */
  evidenceBeforeFlightId?: string | null;
}

export interface RaiseOutcome {
  candidateId: string;
  /** 'raised': a new candidate; 'observed': an existing one seen by a new flight; 'unchanged': seen before by this flight. */
  outcome: 'raised' | 'observed' | 'unchanged';
}

/**
 * Matching rule for "the same structure": same family (built vs demolished), and IoU >= 0.3 or
 * at least half of the smaller of the two covered. Compared with the candidate's outline and,
 * once this flight ($3) has already reshaped it, with its outline from earlier flights too: a
 * structure this flight sees as two pieces matches its candidate with both. A confirmed demolition
 * never matches: a structure standing there again is new construction. Uses the GiST indexes
 * through ST_Intersects.
 */
const MATCH_SQL = `
  WITH incoming AS (SELECT g, lw_metric(g) AS m
                      FROM (SELECT ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)), 3) AS g) t),
       outlines AS (
         SELECT c.id, c.geom AS g FROM candidate c, incoming i
          WHERE ST_Intersects(c.geom, i.g) AND c.status NOT IN ('merged', 'demolition_confirmed')
            AND (c.change_type = 'demolished') = ($2 = 'demolished')
         UNION ALL
         SELECT c.id, o.geom FROM candidate_observation o JOIN candidate c ON c.id = o.candidate_id, incoming i
          WHERE ST_Intersects(o.geom, i.g) AND o.flight_id <> $3 AND c.last_flight_id = $3
            AND c.status NOT IN ('merged', 'demolition_confirmed')
            AND (c.change_type = 'demolished') = ($2 = 'demolished')),
       -- each outline in metres once, and the overlap once, for both rules and the order
       sizes AS (
         SELECT o.id, ST_Area(ST_Intersection(o.m, i.m)) AS shared, ST_Area(ST_Union(o.m, i.m)) AS joined, LEAST(ST_Area(o.m), ST_Area(i.m)) AS smaller
           FROM (SELECT id, lw_metric(g) AS m FROM outlines) o, incoming i)
  SELECT id FROM sizes
   WHERE shared / NULLIF(joined, 0) >= 0.3 OR shared / NULLIF(smaller, 0) >= 0.5
   ORDER BY shared DESC, id
   LIMIT 1`;

/**
 * The candidate an observed change belongs to, locked; undefined when none. The match cannot lock
 * (UNION ALL), so the lock re-checks the status: a reviewer may merge or close the candidate in
 * between, and then the match is made again.
 */
async function matchingCandidate(client: pg.PoolClient, change: ObservedChange, flightId: string): Promise<string | undefined> {
  for (;;) {
    const { rows } = await client.query<{ id: string }>(MATCH_SQL, [change.geometry, change.changeType, flightId]);
    const id = rows[0]?.id;
    if (!id) return undefined;
    const locked = await client.query(`SELECT 1 FROM candidate WHERE id = $1 AND status NOT IN ('merged', 'demolition_confirmed') FOR UPDATE`, [id]);
    if (locked.rowCount) return id;
  }
}

/** A later observation replaces a candidate's outline only when it covers at least this share of its area. */
export const SMALLEST_SHARE_OF_OUTLINE = 0.5;

/** Raises or updates the candidate for one observed change; call inside the flight's transaction. */
export async function raiseCandidate(client: pg.PoolClient, flightId: string, runId: string, change: ObservedChange): Promise<RaiseOutcome> {
  let candidateId = await matchingCandidate(client, change, flightId);
  let outcome: RaiseOutcome['outcome'] = 'observed';
  if (!candidateId) {
    const { rows } = await client.query<{ id: string }>(
      `WITH g AS (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)), 3)) AS g),
            f AS (SELECT captured_at FROM flight WHERE id = $2)
       INSERT INTO candidate (geom, change_type, status, priority, triage, area_m2, height_gain_m, score, street_id, village_id,
                              first_flight_id, last_flight_id, first_seen_at, last_seen_at, model_version)
       SELECT g.g, $3, $4, $5, $6, lw_area_m2(g.g), $7, $8, lw_admin_area_at(g.g, 'street'), lw_admin_area_at(g.g, 'village'),
              $2, $2, COALESCE(f.captured_at, now()), COALESCE(f.captured_at, now()),
              -- the model-store version of the run that raised it (issue 19)
              (SELECT model_version FROM detection_run WHERE id = $9)
         FROM g, f
       RETURNING id`,
      [change.geometry, flightId, change.changeType, change.status, change.priority, change.triage, change.heightGainM, change.score, runId],
    );
    candidateId = rows[0]!.id;
    outcome = 'raised';
    await client.query(
      `INSERT INTO review_event (candidate_id, action, to_status, candidate_version, payload)
       VALUES ($1, 'raise', $2, 1, $3)`,
      [candidateId, change.status, { flightId, changeType: change.changeType, triage: change.triage }],
    );
  }
  // Two pieces of one flight can match the same candidate (an earlier flight's outline covering
  // both): within one detection run they add up to one observation instead of the second
  // overwriting the first. A repeat of the same run unions equal shapes and changes nothing.
  const { rows: observed } = await client.query<{ inserted: boolean; reshaped: boolean }>(
    `WITH incoming AS (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($4), 4326)), 3)) AS g),
          earlier AS (SELECT geom FROM candidate_observation WHERE candidate_id = $1 AND flight_id = $2),
          upserted AS (
            INSERT INTO candidate_observation (candidate_id, flight_id, detection_run_id, geom, score, area_m2, height_gain_m,
                                               evidence_before, evidence_after, before_flight_id)
            SELECT $1, $2, $3, g, $5, lw_area_m2(g), $6, $7, $8, $9 FROM incoming
            ON CONFLICT (candidate_id, flight_id) DO UPDATE
               SET geom = CASE WHEN candidate_observation.detection_run_id = EXCLUDED.detection_run_id
                               THEN ST_Multi(ST_CollectionExtract(ST_Union(candidate_observation.geom, EXCLUDED.geom), 3))
                               ELSE EXCLUDED.geom END,
                   area_m2 = lw_area_m2(CASE WHEN candidate_observation.detection_run_id = EXCLUDED.detection_run_id
                                             THEN ST_Union(candidate_observation.geom, EXCLUDED.geom) ELSE EXCLUDED.geom END),
                   score = GREATEST(EXCLUDED.score, CASE WHEN candidate_observation.detection_run_id = EXCLUDED.detection_run_id THEN candidate_observation.score END),
                   height_gain_m = GREATEST(EXCLUDED.height_gain_m, CASE WHEN candidate_observation.detection_run_id = EXCLUDED.detection_run_id THEN candidate_observation.height_gain_m END),
                   evidence_before = COALESCE(EXCLUDED.evidence_before, candidate_observation.evidence_before),
                   evidence_after = COALESCE(EXCLUDED.evidence_after, candidate_observation.evidence_after),
                   before_flight_id = CASE WHEN EXCLUDED.evidence_before IS NOT NULL THEN EXCLUDED.before_flight_id ELSE candidate_observation.before_flight_id END,
                   detection_run_id = EXCLUDED.detection_run_id
            RETURNING (xmax = 0) AS inserted, geom)
     SELECT u.inserted, (e.geom IS NOT NULL AND NOT ST_Equals(e.geom, u.geom)) AS reshaped FROM upserted u LEFT JOIN earlier e ON true`,
    [candidateId, flightId, runId, change.geometry, change.score, change.heightGainM, change.evidenceBefore, change.evidenceAfter,
      change.evidenceBefore ? change.evidenceBeforeFlightId ?? null : null],
  );
  const { inserted, reshaped } = observed[0]!;
  if (outcome === 'observed' || reshaped) {
    if (!inserted && !reshaped) return { candidateId, outcome: 'unchanged' };
    // A later flight saw it again, or another piece of it in this flight: newest outline and
    // figures, one more version, an audit row. An outline under half the candidate's area (a
    // later flight seeing only a sliver of it: shadow, tree crown, an edge of the flight) is kept
    // as that flight's observation but does not replace the candidate's outline and figures: the
    // 85.6 m² structure a reviewer must judge stays 85.6 m².
    const { rows } = await client.query<{ version: number }>(
      `UPDATE candidate c SET geom = CASE WHEN o.area_m2 < $3 * c.area_m2 THEN c.geom ELSE o.geom END,
              area_m2 = CASE WHEN o.area_m2 < $3 * c.area_m2 THEN c.area_m2 ELSE o.area_m2 END,
              height_gain_m = CASE WHEN o.area_m2 < $3 * c.area_m2 THEN c.height_gain_m ELSE o.height_gain_m END,
              score = CASE WHEN o.area_m2 < $3 * c.area_m2 THEN c.score ELSE o.score END,
              -- a flight processed late (captured earlier) does not move "last seen" backwards
              last_flight_id = CASE WHEN COALESCE(f.captured_at, now()) >= c.last_seen_at THEN $2 ELSE c.last_flight_id END,
              last_seen_at = GREATEST(c.last_seen_at, COALESCE(f.captured_at, now())), version = c.version + 1, updated_at = now()
         FROM candidate_observation o, flight f
        WHERE c.id = $1 AND o.candidate_id = c.id AND o.flight_id = $2 AND f.id = $2
       RETURNING c.version`,
      [candidateId, flightId, SMALLEST_SHARE_OF_OUTLINE],
    );
    await client.query(
      `INSERT INTO review_event (candidate_id, action, candidate_version, payload) VALUES ($1, 'observe', $2, $3)`,
      [candidateId, rows[0]!.version, { flightId }],
    );
  }
  return { candidateId, outcome };
}

/** Context for classification and triage over an area (GeoJSON, lon/lat): one indexed query each. */
export async function loadAreaContext(db: Queryable, areaGeoJson: string) {
  const area = `ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)`;
  const [baseline, permits, register, zones, rejections] = await Promise.all([
    db.query<{ id: string; geometry: string; height_m: number }>(
      `SELECT id::text, ST_AsGeoJSON(footprint) AS geometry, height_m FROM baseline_building WHERE ST_Intersects(footprint, ${area})`,
      [areaGeoJson],
    ),
    db.query<{ permit_no: string; valid_from: string; valid_to: string; geometry: string }>(
      `SELECT permit_no, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to,
              ST_AsGeoJSON(geom) AS geometry
         FROM planning_permit WHERE ST_Intersects(geom, ${area})`,
      [areaGeoJson],
    ),
    db.query<{ external_id: string; status: 'stock' | 'deferred' | 'demolished'; geometry: string }>(
      `SELECT external_id, status, ST_AsGeoJSON(footprint) AS geometry FROM register_entry WHERE ST_Intersects(footprint, ${area})`,
      [areaGeoJson],
    ),
    // Historic buildings matter within 50 m of the area, so the search reaches a little beyond it.
    db.query<{ zone_key: string; kind: string; name: string | null; geometry: string }>(
      `SELECT zone_key, kind, name, ST_AsGeoJSON(geom) AS geometry FROM sensitive_zone
        WHERE ST_Intersects(geom, ST_Expand(${area}, 0.001))`,
      [areaGeoJson],
    ),
    db.query<{ id: string; reason_code: string | null; geometry: string }>(
      `SELECT c.id::text, (SELECT e.reason_code FROM review_event e WHERE e.candidate_id = c.id AND e.action = 'reject'
                            ORDER BY e.at DESC LIMIT 1) AS reason_code, ST_AsGeoJSON(c.geom) AS geometry
         FROM candidate c WHERE c.status = 'rejected' AND ST_Intersects(c.geom, ${area})`,
      [areaGeoJson],
    ),
  ]);
  const parse = (g: string) => JSON.parse(g) as GeoJSON.Polygon | GeoJSON.MultiPolygon;
  return {
    baseline: baseline.rows.map((r) => ({ id: r.id, geometry: parse(r.geometry), heightM: r.height_m })),
    permits: permits.rows.map((r) => ({ permitNo: r.permit_no, validFrom: r.valid_from, validTo: r.valid_to, geometry: parse(r.geometry) })),
    registerEntries: register.rows.map((r) => ({ externalId: r.external_id, status: r.status, geometry: parse(r.geometry) })),
    zones: zones.rows.map((r) => ({ zoneKey: r.zone_key, kind: r.kind, name: r.name, geometry: parse(r.geometry) })),
    earlierRejections: rejections.rows.map((r) => ({ candidateId: r.id, reasonCode: r.reason_code, geometry: parse(r.geometry) })),
  };
}

export interface AwaitingDemolition {
  id: string;
  status: 'scheduled' | 'demolished';
  change_type: string;
  version: number;
  /** GeoJSON in the flight's CRS. */
  geometry_crs: string;
}

/** Candidates scheduled for demolition or marked demolished that lie inside a flight's footprint. */
export async function candidatesAwaitingDemolitionCheck(db: Queryable, flightId: string, proj: string): Promise<AwaitingDemolition[]> {
  const { rows } = await db.query<AwaitingDemolition>(
    // Transformed as one collection: a PROJ transformation from a text CRS is built per call.
    `WITH c AS (SELECT row_number() OVER (ORDER BY c.id) AS i, c.id, c.status, c.change_type, c.version, c.geom
                  FROM candidate c, flight f
                 WHERE f.id = $1 AND c.status IN ('scheduled', 'demolished') AND ST_CoveredBy(c.geom, f.footprint)),
          moved AS (SELECT ST_Transform(ST_ForceCollection(ST_Collect(geom ORDER BY i)), $2) AS parts FROM c)
     SELECT c.id::text, c.status, c.change_type, c.version, ST_AsGeoJSON(ST_GeometryN(moved.parts, c.i::int), 3) AS geometry_crs
       FROM c, moved ORDER BY c.i`,
    [flightId, proj],
  );
  return rows;
}

/**
 * Records what a flight saw where a demolition was due: 'confirmed' (gone) or 'still_standing',
 * on the open schedule, the candidate (status, version) and the audit trail, in one transaction.
 */
export async function recordDemolitionCheck(
  client: pg.PoolClient,
  candidate: AwaitingDemolition,
  flightId: string,
  verdict: 'confirmed' | 'still_standing',
  measurements: object,
): Promise<void> {
  const toStatus = verdict === 'confirmed' ? 'demolition_confirmed' : 'still_standing';
  // Only the latest schedule: earlier ones keep what was confirmed for them.
  await client.query(
    `UPDATE demolition_schedule SET confirmation = $2, confirmed_by_flight_id = $3
      WHERE id = (SELECT id FROM demolition_schedule WHERE candidate_id = $1 AND status IN ('scheduled', 'done') ORDER BY id DESC LIMIT 1)`,
    [candidate.id, verdict, flightId],
  );
  const { rows } = await client.query<{ version: number }>(
    `UPDATE candidate SET status = $2, version = version + 1, updated_at = now()
      WHERE id = $1 AND status = $3 RETURNING version`,
    [candidate.id, toStatus, candidate.status],
  );
  if (!rows[0]) return; // a reviewer changed it meanwhile: their decision stands
  await client.query(
    `INSERT INTO review_event (candidate_id, action, from_status, to_status, candidate_version, payload)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [candidate.id, verdict === 'confirmed' ? 'confirm_demolished' : 'still_standing', candidate.status, toStatus, rows[0].version, { flightId, ...measurements }],
  );
}
