/**
 * SQL of the candidate family: candidates (疑似违建图斑), their observations by flight and the
 * audit trail rows the pipeline writes. Raising is idempotent: a structure seen again (by a later
 * flight, or by the same flight re-run after a crash) updates its candidate instead of adding one.
 */
import type pg from 'pg';
import { pageWithTotal } from './paging.js';

export interface ObservedChange {
  /** GeoJSON geometry in lon/lat. */
  geometry: string;
  changeType: 'new_structure' | 'extension' | 'rooftop_addition' | 'added_floor' | 'demolished';
  status: 'pending' | 'permitted' | 'in_register' | 'previously_rejected';
  priority: number;
  triage: object;
  heightGainM: number | null;
  score: number | null;
  /** Digests of the stored evidence chips (see storeEvidenceChips): the earlier image's, when there was one. */
  evidenceBefore: string | null;
  evidenceAfter: string | null;
  /** The flight the "before" chip was cut from (labelled on it in the viewer). */
  evidenceBeforeFlightId?: string | null;
}

/** An evidence image, named by the SHA-256 (hex) of its bytes. */
export interface EvidenceChip {
  digest: string;
  mediaType: 'image/webp' | 'image/jpeg';
  image: Buffer;
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
export async function loadAreaContext(db: pg.Pool | pg.PoolClient, areaGeoJson: string) {
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
export async function candidatesAwaitingDemolitionCheck(db: pg.Pool | pg.PoolClient, flightId: string, proj: string): Promise<AwaitingDemolition[]> {
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

export interface CandidateFilter {
  /** One candidate by id (OGC API items/{id}). */
  id?: string;
  /** [west, south, east, north] in lon/lat. */
  bbox?: [number, number, number, number];
  statuses?: string[];
  types?: string[];
  villageCode?: string;
  streetCode?: string;
  minAreaM2?: number;
  minPriority?: number;
  /** Last seen on or after / before (YYYY-MM-DD). */
  from?: string;
  to?: string;
  /** Seen (first_seen_at..last_seen_at) at some time in this interval; RFC 3339 bounds, inclusive, null: open. */
  seenDuring?: { start: string | null; end: string | null };
}

export interface CandidatePage extends CandidateFilter {
  limit: number;
  offset: number;
}

/**
 * The WHERE clause of a filter, every value a bound parameter pushed onto `params`: the one place
 * candidate filters become SQL (lists, OGC API items, exports). The bbox goes through the GiST index.
 */
export function candidateConditions(filter: CandidateFilter, params: unknown[]): string {
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.id !== undefined) where.push(`c.id = ${param(filter.id)}`);
  if (filter.bbox) where.push(`ST_Intersects(c.geom, ST_MakeEnvelope(${filter.bbox.map(param).join(', ')}, 4326))`);
  if (filter.statuses?.length) where.push(`c.status = ANY(${param(filter.statuses)})`);
  if (filter.types?.length) where.push(`c.change_type = ANY(${param(filter.types)})`);
  if (filter.villageCode) where.push(`c.village_id = (SELECT id FROM admin_area WHERE code = ${param(filter.villageCode)})`);
  if (filter.streetCode) where.push(`c.street_id = (SELECT id FROM admin_area WHERE code = ${param(filter.streetCode)})`);
  if (filter.minAreaM2 !== undefined) where.push(`c.area_m2 >= ${param(filter.minAreaM2)}`);
  if (filter.minPriority !== undefined) where.push(`c.priority >= ${param(filter.minPriority)}`);
  if (filter.from) where.push(`c.last_seen_at >= (${param(filter.from)}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (filter.to) where.push(`c.last_seen_at < (${param(filter.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (filter.seenDuring?.start) where.push(`c.last_seen_at >= ${param(filter.seenDuring.start)}::timestamptz`);
  if (filter.seenDuring?.end) where.push(`c.first_seen_at <= ${param(filter.seenDuring.end)}::timestamptz`);
  // A time filter cannot place a candidate never seen by a flight.
  if (filter.seenDuring) where.push(`c.first_seen_at IS NOT NULL AND c.last_seen_at IS NOT NULL`);
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** Most urgent first, ties in a stable order so that pages never overlap. */
const CANDIDATE_ORDER = `c.priority DESC, c.area_m2 DESC, c.id`;

/** Candidates as GeoJSON features, filtered and paged, most urgent first. */
export async function listCandidates(db: pg.Pool | pg.PoolClient, filter: CandidatePage): Promise<{ features: object[]; matched: number }> {
  const params: unknown[] = [];
  const { rows, matched } = await pageWithTotal<{ feature: object }>(db, {
    select: `json_build_object('type', 'Feature', 'id', c.id, 'geometry', ST_AsGeoJSON(c.geom, 7)::json,
              'properties', json_build_object('status', c.status, 'change_type', c.change_type, 'priority', c.priority,
                'area_m2', round(c.area_m2::numeric, 1), 'height_gain_m', c.height_gain_m, 'score', c.score, 'version', c.version,
                'village', v.name, 'street', s.name, 'first_seen_at', c.first_seen_at, 'last_seen_at', c.last_seen_at,
                'reasons', c.triage->'reasons')) AS feature`,
    from: `FROM candidate c LEFT JOIN admin_area v ON v.id = c.village_id LEFT JOIN admin_area s ON s.id = c.street_id
       ${candidateConditions(filter, params)}`,
    orderBy: CANDIDATE_ORDER,
    params,
  }, filter);
  return { features: rows.map((r) => r.feature), matched };
}

export async function countCandidates(db: pg.Pool | pg.PoolClient, filter: CandidateFilter): Promise<number> {
  const params: unknown[] = [];
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM candidate c ${candidateConditions(filter, params)}`, params);
  return Number(rows[0]!.n);
}

/** One flat row per candidate for exports: attributes, the outline (GeoJSON and WKT) and its centroid. */
export interface CandidateExportRow {
  id: string;
  status: string;
  change_type: string;
  priority: number;
  area_m2: number;
  height_gain_m: number | null;
  score: number | null;
  version: number;
  village_code: string | null;
  village: string | null;
  street_code: string | null;
  street: string | null;
  first_seen_at: string | null;
  last_seen_at: string | null;
  reasons: string[] | null;
  lon: number;
  lat: number;
  wkt: string;
  geometry: GeoJSON.MultiPolygon;
}

/**
 * Every candidate matching `filter` as flat export rows, most urgent first, at most `limit`, in
 * batches of `batchRows`: a cursor in a read-only snapshot, so an export of 100,000 candidates
 * holds one batch in memory and is consistent however long the client takes to read it. Stopping
 * early (the client went away) ends the transaction and gives the connection back.
 */
export async function* exportCandidateBatches(pool: pg.Pool, filter: CandidateFilter, limit: number, batchRows = 1000): AsyncGenerator<CandidateExportRow[]> {
  const params: unknown[] = [];
  const condition = candidateConditions(filter, params);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(
      `DECLARE candidate_export NO SCROLL CURSOR FOR
       SELECT c.id::text, c.status, c.change_type, c.priority, round(c.area_m2::numeric, 1)::float8 AS area_m2,
              c.height_gain_m::float8 AS height_gain_m, c.score::float8 AS score, c.version,
              v.code AS village_code, v.name AS village, s.code AS street_code, s.name AS street,
              to_char(c.first_seen_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') AS first_seen_at,
              to_char(c.last_seen_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') AS last_seen_at,
              CASE WHEN jsonb_typeof(c.triage->'reasons') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(c.triage->'reasons')) END AS reasons,
              round(ST_X(ST_Centroid(c.geom))::numeric, 7)::float8 AS lon, round(ST_Y(ST_Centroid(c.geom))::numeric, 7)::float8 AS lat,
              ST_AsText(c.geom, 7) AS wkt, ST_AsGeoJSON(c.geom, 7)::json AS geometry
         FROM candidate c LEFT JOIN admin_area v ON v.id = c.village_id LEFT JOIN admin_area s ON s.id = c.street_id
         ${condition}
        ORDER BY ${CANDIDATE_ORDER}
        LIMIT $${params.length + 1}`,
      [...params, limit],
    );
    for (;;) {
      const { rows } = await client.query<CandidateExportRow>(`FETCH FORWARD ${Math.max(1, Math.floor(batchRows))} FROM candidate_export`);
      if (rows.length) yield rows;
      if (rows.length < batchRows) break;
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // Read-only: ending it by rollback is the same as a commit, also after an early stop.
    await client.query('ROLLBACK').catch(() => { broken = true; });
    client.release(broken);
  }
}

/**
 * Stores evidence chips as they are drawn, before the flight's raise transaction names them: the
 * raise stage then holds digests, not images, however many candidates a flight has. Storing the
 * same image again changes nothing.
 */
export async function storeEvidenceChips(db: pg.Pool | pg.PoolClient, chips: readonly EvidenceChip[]): Promise<void> {
  const unique = [...new Map(chips.map((c) => [c.digest, c])).values()];
  if (!unique.length) return;
  // Storing again renews stored_at, so the sweep leaves alone a chip a running flight is about to name.
  await db.query(
    `INSERT INTO evidence_chip (digest, media_type, image) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
     ON CONFLICT (digest) DO UPDATE SET stored_at = now()`,
    [unique.map((c) => c.digest), unique.map((c) => c.mediaType), unique.map((c) => c.image)],
  );
}

/**
 * Deletes chips that no observation names and that no flight stored in the last `minAgeHours`:
 * those of a flight that failed for good after drawing them. The age leaves alone the chips of a
 * flight still raising. Returns how many went.
 */
export async function sweepUnusedEvidenceChips(db: pg.Pool | pg.PoolClient, minAgeHours = 24): Promise<number> {
  const { rowCount } = await db.query(SWEEP_UNUSED_CHIPS_SQL, [minAgeHours]);
  return rowCount ?? 0;
}

/** The sweep's statement ($1: hours); exported for the plan test (it must use the age index and the chip-column indexes). */
export const SWEEP_UNUSED_CHIPS_SQL = `
  DELETE FROM evidence_chip e
   WHERE e.stored_at < now() - make_interval(hours => $1)
     AND NOT EXISTS (SELECT 1 FROM candidate_observation o WHERE o.evidence_before = e.digest)
     AND NOT EXISTS (SELECT 1 FROM candidate_observation o WHERE o.evidence_after = e.digest)`;

/**
 * The `which` evidence chip of a flight's observation of a candidate: undefined when that flight
 * did not observe it, null when it observed it without such a chip (no earlier image).
 */
export async function observationEvidenceChip(db: pg.Pool | pg.PoolClient, candidateId: string, flightId: string, which: 'before' | 'after'): Promise<EvidenceChip | null | undefined> {
  const { rows } = await db.query<{ digest: string | null; media_type: EvidenceChip['mediaType'] | null; image: Buffer | null }>(
    `SELECT e.digest, e.media_type, e.image
       FROM candidate_observation o LEFT JOIN evidence_chip e ON e.digest = ${which === 'before' ? 'o.evidence_before' : 'o.evidence_after'}
      WHERE o.candidate_id = $1 AND o.flight_id = $2`,
    [candidateId, flightId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return row.digest === null ? null : { digest: row.digest, mediaType: row.media_type!, image: row.image! };
}

/** One candidate with its observations across flights and its audit trail; null if unknown. */
export async function candidateDetail(db: pg.Pool | pg.PoolClient, id: string): Promise<object | null> {
  const { rows } = await db.query<{ detail: object }>(
    `SELECT json_build_object(
              'type', 'Feature', 'id', c.id, 'geometry', ST_AsGeoJSON(c.geom, 7)::json,
              -- where it is, named: the village and street, and a point on it (lon, lat) to find it on the ground
              'properties', to_jsonb(c) - 'geom' || jsonb_build_object(
                              'village', (SELECT a.name FROM admin_area a WHERE a.id = c.village_id),
                              'street', (SELECT a.name FROM admin_area a WHERE a.id = c.street_id),
                              'centre', json_build_array(round(ST_X(ST_PointOnSurface(c.geom))::numeric, 6), round(ST_Y(ST_PointOnSurface(c.geom))::numeric, 6))),
              -- captured_at: when the flight was flown (observed_at is when the row was written);
              -- before_*: the earlier flight the "before" chip was cut from
              'observations', (SELECT coalesce(json_agg(json_build_object('flight_id', o.flight_id, 'observed_at', o.observed_at,
                                 'captured_at', (SELECT f.captured_at FROM flight f WHERE f.id = o.flight_id),
                                 'before_flight_id', o.before_flight_id,
                                 'before_captured_at', (SELECT f.captured_at FROM flight f WHERE f.id = o.before_flight_id),
                                 'area_m2', o.area_m2, 'height_gain_m', o.height_gain_m, 'score', o.score,
                                 -- the model-store version that detected it in this flight (issue 19)
                                 'model_version', (SELECT r.model_version FROM detection_run r WHERE r.id = o.detection_run_id),
                                 -- saw under half the candidate's outline (raiseCandidate kept the outline): not its picture
                                 'sliver', o.area_m2 < ${SMALLEST_SHARE_OF_OUTLINE} * c.area_m2,
                                 -- the chips' API addresses
                                 'evidence_before', CASE WHEN o.evidence_before IS NOT NULL THEN format('/api/candidates/%s/evidence/%s/before', c.id, o.flight_id) END,
                                 'evidence_after', CASE WHEN o.evidence_after IS NOT NULL THEN format('/api/candidates/%s/evidence/%s/after', c.id, o.flight_id) END)
                                 ORDER BY (SELECT f.captured_at FROM flight f WHERE f.id = o.flight_id), o.observed_at), '[]')
                                 FROM candidate_observation o WHERE o.candidate_id = c.id),
              'audit', (SELECT coalesce(json_agg(json_build_object('at', e.at, 'action', e.action, 'actor', u.username,
                          'from_status', e.from_status, 'to_status', e.to_status, 'reason_code', e.reason_code,
                          'reason_text', e.reason_text, 'version', e.candidate_version,
                          -- the flight that raised, re-observed or confirmed it (the pipeline's rows)
                          'flight_id', ef.id, 'flight_captured_at', ef.captured_at) ORDER BY e.id), '[]')
                          FROM review_event e LEFT JOIN app_user u ON u.id = e.actor_id
                          LEFT JOIN flight ef ON ef.id = CASE WHEN e.payload->>'flightId' ~ '^[0-9]+$' THEN (e.payload->>'flightId')::bigint END
                         WHERE e.candidate_id = c.id)) AS detail
       FROM candidate c WHERE c.id = $1`,
    [id],
  );
  return rows[0]?.detail ?? null;
}

/** The candidates' extent: lon/lat box and the span they were seen in (nulls when empty). */
export async function candidateExtent(db: pg.Pool | pg.PoolClient): Promise<{ bbox: number[] | null; start: string | null; end: string | null }> {
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number; start: Date | null; end: Date | null }>(
    `SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n, t.start, t.end
       FROM (SELECT ST_Extent(geom) AS x FROM candidate) b,
            (SELECT min(first_seen_at) AS start, max(last_seen_at) AS end FROM candidate) t`,
  );
  const r = rows[0]!;
  return { bbox: r.w === null ? null : [r.w, r.s, r.e, r.n], start: r.start?.toISOString() ?? null, end: r.end?.toISOString() ?? null };
}

/** The evidence chips of a candidate's newest observation that has any, as images to print (reports, assessments). */
export interface CaseEvidence {
  flightId: string;
  /** When the flight was captured (or, without a capture time, observed), UTC ISO. */
  capturedAt: string;
  /** The earlier flight the before chip was cut from, and its capture time; null when not recorded. */
  beforeFlight: { id: string; capturedAt: string | null } | null;
  before: { mediaType: string; image: Buffer } | null;
  after: { mediaType: string; image: Buffer } | null;
}

/** The evidence chips of each candidate's newest observation that has any, keyed by candidate id. */
export async function latestCaseEvidence(db: pg.Pool | pg.PoolClient, candidateIds: readonly string[]): Promise<Map<string, CaseEvidence>> {
  const { rows } = await db.query<{ id: string; flightId: string; capturedAt: string; beforeFlightId: string | null; beforeCapturedAt: string | null; beforeType: string | null; before: Buffer | null; afterType: string | null; after: Buffer | null }>(
    `SELECT DISTINCT ON (o.candidate_id) o.candidate_id::text AS id, o.flight_id::text AS "flightId",
            to_char(COALESCE(f.captured_at, o.observed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "capturedAt",
            o.before_flight_id::text AS "beforeFlightId", to_char(bf.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "beforeCapturedAt",
            eb.media_type AS "beforeType", eb.image AS before, ea.media_type AS "afterType", ea.image AS after
       FROM candidate_observation o JOIN flight f ON f.id = o.flight_id
       LEFT JOIN flight bf ON bf.id = o.before_flight_id
       LEFT JOIN evidence_chip eb ON eb.digest = o.evidence_before
       LEFT JOIN evidence_chip ea ON ea.digest = o.evidence_after
      WHERE o.candidate_id = ANY ($1::bigint[]) AND (o.evidence_before IS NOT NULL OR o.evidence_after IS NOT NULL)
      ORDER BY o.candidate_id, COALESCE(f.captured_at, o.observed_at) DESC`,
    [candidateIds],
  );
  return new Map(rows.map((r) => [r.id, {
    flightId: r.flightId, capturedAt: r.capturedAt,
    beforeFlight: r.beforeFlightId ? { id: r.beforeFlightId, capturedAt: r.beforeCapturedAt } : null,
    before: r.before && r.beforeType ? { mediaType: r.beforeType, image: r.before } : null,
    after: r.after && r.afterType ? { mediaType: r.afterType, image: r.after } : null,
  }]));
}
