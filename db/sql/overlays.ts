/**
 * SQL of the map's small read-only overlays, served as GeoJSON rather than vector tiles because a
 * district holds only hundreds of them: planning permits (规划许可) and sensitive zones. Their
 * writes stay in planning-permits.ts and sensitive-zones.ts (the importers).
 */
import type pg from 'pg';

export const OVERLAYS = ['permits', 'zones'] as const;
export type Overlay = (typeof OVERLAYS)[number];

const QUERIES: Record<Overlay, string> = {
  permits: `SELECT json_build_object('type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(geom, 7)::json,
              'properties', json_build_object('permit_no', permit_no, 'holder', holder, 'description', description,
                'valid_from', to_char(valid_from, 'YYYY-MM-DD'), 'valid_to', to_char(valid_to, 'YYYY-MM-DD'))) AS feature
              FROM planning_permit WHERE ($1::float8 IS NULL OR geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)) ORDER BY id LIMIT $5`,
  zones: `SELECT json_build_object('type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(geom, 7)::json,
            'properties', json_build_object('zone_key', zone_key, 'kind', kind, 'name', name)) AS feature
            FROM sensitive_zone WHERE ($1::float8 IS NULL OR geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)) ORDER BY id LIMIT $5`,
};

/** The overlay's features inside `bbox` ([w, s, e, n], lon/lat; all when null), at most `limit`. */
export async function overlayFeatures(db: pg.Pool, overlay: Overlay, bbox: [number, number, number, number] | null, limit: number): Promise<object[]> {
  const { rows } = await db.query<{ feature: object }>(QUERIES[overlay], [...(bbox ?? [null, null, null, null]), limit]);
  return rows.map((r) => r.feature);
}
