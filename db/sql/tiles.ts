/**
 * SQL of the map tiles: one Mapbox Vector Tile query per layer, in Web Mercator through
 * ST_TileEnvelope, clipped with a buffer, and thinned at low zoom so low-zoom tiles stay small:
 * small features dropped (more of them below zoom 13), the geometry snapped to the tile grid by
 * ST_AsMVTGeom, and candidates below zoom 14 drawn as clusters (a point per 64-unit cell with
 * the count, the count still pending, the highest priority and the total area) — a district's
 * candidates at zoom 12 were 2.4 MB as outlines.
 */
import type pg from 'pg';

export const TILE_LAYERS = ['candidates', 'baseline', 'register', 'villages', 'flights'] as const;
export type TileLayer = (typeof TILE_LAYERS)[number];

/** Candidates below this zoom are clusters, from it outlines. */
export const CANDIDATE_CLUSTER_BELOW_ZOOM = 14;
/** Side of a cluster cell in tile units (the tile is 4096 units wide): at most 64 x 64 clusters. */
const CLUSTER_CELL_UNITS = 64;

/**
 * Per layer: table, geometry column, attributes, and the least area (m², from the table's
 * area_m2 column) drawn below zoom 15; four times that below zoom 13.
 */
const LAYERS: Record<TileLayer, { table: string; geom: string; attributes: string; minAreaLowZoom: number; where?: string }> = {
  candidates: { table: 'candidate', geom: 'geom', attributes: `id, status, change_type, priority, round(area_m2) AS area_m2, version`, minAreaLowZoom: 0, where: `status <> 'merged'` },
  baseline: { table: 'baseline_building', geom: 'footprint', attributes: `id, height_m`, minAreaLowZoom: 200 },
  register: { table: 'register_entry', geom: 'footprint', attributes: `id, external_id, status, category`, minAreaLowZoom: 50 },
  villages: { table: 'admin_area', geom: 'geom', attributes: `id, code, name, name_en, level`, minAreaLowZoom: 0 },
  flights: { table: 'flight', geom: 'footprint', attributes: `id, status, to_char(captured_at, 'YYYY-MM-DD') AS captured_on`, minAreaLowZoom: 0, where: `footprint IS NOT NULL` },
};

function leastArea(layer: TileLayer, z: number): number {
  const base = LAYERS[layer].minAreaLowZoom;
  return z >= 15 ? 0 : z >= 13 ? base : base * 4;
}

export function isTileLayer(value: string): value is TileLayer {
  return (TILE_LAYERS as readonly string[]).includes(value);
}

export async function layerGeneration(db: pg.Pool, layer: TileLayer): Promise<number> {
  const { rows } = await db.query<{ generation: string }>(`SELECT generation FROM tile_layer_generation WHERE layer = $1`, [layer]);
  return Number(rows[0]?.generation ?? 0);
}

export async function renderTile(db: pg.Pool, layer: TileLayer, z: number, x: number, y: number): Promise<Buffer> {
  if (layer === 'candidates' && z < CANDIDATE_CLUSTER_BELOW_ZOOM) return renderCandidateClusters(db, z, x, y);
  // A tile may hold several layers one after another: the villages tile carries their names too.
  if (layer === 'villages') return Buffer.concat([await renderLayerTile(db, layer, z, x, y), await renderAreaLabels(db, z, x, y)]);
  return renderLayerTile(db, layer, z, x, y);
}

async function renderLayerTile(db: pg.Pool, layer: TileLayer, z: number, x: number, y: number): Promise<Buffer> {
  const spec = LAYERS[layer];
  const { rows } = await db.query<{ tile: Buffer }>(
    `WITH bounds AS (SELECT ST_TileEnvelope($1, $2, $3) AS env, ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.0625), 4326) AS env4326),
          features AS (
            SELECT ${spec.attributes}, ST_AsMVTGeom(ST_Transform(t.${spec.geom}, 3857), bounds.env, 4096, 64, true) AS geom
              FROM ${spec.table} t, bounds
             WHERE t.${spec.geom} && bounds.env4326 ${spec.where ? `AND ${spec.where}` : ''}
               AND ($4 = 0 OR ${spec.minAreaLowZoom ? 't.area_m2' : '0'} >= $4))
     SELECT ST_AsMVT(features, $5, 4096, 'geom') AS tile FROM features WHERE geom IS NOT NULL`,
    [z, x, y, leastArea(layer, z), layer],
  );
  return rows[0]?.tile ?? Buffer.alloc(0);
}

/**
 * Layer "area_labels" of the villages tile: one point per street and village, on its surface (a
 * point inside the area, where its name is drawn), in the one tile that holds the point.
 */
async function renderAreaLabels(db: pg.Pool, z: number, x: number, y: number): Promise<Buffer> {
  const { rows } = await db.query<{ tile: Buffer }>(
    `WITH bounds AS (SELECT ST_TileEnvelope($1, $2, $3) AS env, ST_Transform(ST_TileEnvelope($1, $2, $3), 4326) AS env4326),
          points AS (
            SELECT a.id, a.code, a.name, a.name_en, a.level, ST_PointOnSurface(a.geom) AS p
              FROM admin_area a, bounds WHERE a.level IN ('street', 'village') AND a.geom && bounds.env4326),
          features AS (
            SELECT id, code, name, name_en, level, ST_AsMVTGeom(ST_Transform(p, 3857), bounds.env, 4096, 0, true) AS geom
              FROM points, bounds WHERE ST_Intersects(p, bounds.env4326))
     SELECT ST_AsMVT(features, 'area_labels', 4096, 'geom') AS tile FROM features WHERE geom IS NOT NULL`,
    [z, x, y],
  );
  return rows[0]?.tile ?? Buffer.alloc(0);
}

/** Candidates as clusters: one point per grid cell of the tile, at the mean of its members' centres. */
async function renderCandidateClusters(db: pg.Pool, z: number, x: number, y: number): Promise<Buffer> {
  const { rows } = await db.query<{ tile: Buffer }>(
    `WITH bounds AS (SELECT ST_TileEnvelope($1, $2, $3) AS env, ST_Transform(ST_TileEnvelope($1, $2, $3), 4326) AS env4326),
          members AS (
            SELECT ST_Transform(ST_Centroid(ST_Envelope(c.geom)), 3857) AS centre, c.status, c.priority, c.area_m2
              FROM candidate c, bounds
             WHERE c.geom && bounds.env4326 AND c.status <> 'merged'
               AND ST_Intersects(ST_Centroid(ST_Envelope(c.geom)), bounds.env4326)),
          cells AS (
            SELECT count(*)::int AS count, (count(*) FILTER (WHERE m.status = 'pending'))::int AS pending,
                   max(m.priority) AS priority, round(sum(m.area_m2))::int AS area_m2, ST_Centroid(ST_Collect(m.centre)) AS centre
              FROM members m, bounds
             GROUP BY floor((ST_X(m.centre) - ST_XMin(bounds.env)) / (ST_XMax(bounds.env) - ST_XMin(bounds.env)) * $4),
                      floor((ST_Y(m.centre) - ST_YMin(bounds.env)) / (ST_YMax(bounds.env) - ST_YMin(bounds.env)) * $4)),
          features AS (SELECT count, pending, priority, area_m2, ST_AsMVTGeom(cells.centre, bounds.env, 4096, 0, true) AS geom FROM cells, bounds)
     SELECT ST_AsMVT(features, 'candidates', 4096, 'geom') AS tile FROM features WHERE geom IS NOT NULL`,
    [z, x, y, 4096 / CLUSTER_CELL_UNITS],
  );
  return rows[0]?.tile ?? Buffer.alloc(0);
}
