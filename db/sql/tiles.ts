/**
 * SQL of the map tiles: one Mapbox Vector Tile query per layer, in Web Mercator through
 * ST_TileEnvelope, clipped with a buffer, and thinned at low zoom (small features dropped, the
 * geometry snapped to the tile grid by ST_AsMVTGeom), so low-zoom tiles stay small.
 */
import type pg from 'pg';

export const TILE_LAYERS = ['candidates', 'baseline', 'register', 'villages', 'flights'] as const;
export type TileLayer = (typeof TILE_LAYERS)[number];

/** Per layer: table, geometry column, attributes, and the least area (m²) drawn below zoom 15. */
const LAYERS: Record<TileLayer, { table: string; geom: string; attributes: string; minAreaLowZoom: number; where?: string }> = {
  candidates: { table: 'candidate', geom: 'geom', attributes: `id, status, change_type, priority, round(area_m2) AS area_m2, version`, minAreaLowZoom: 0, where: `status <> 'merged'` },
  baseline: { table: 'baseline_building', geom: 'footprint', attributes: `id, height_m`, minAreaLowZoom: 200 },
  register: { table: 'register_entry', geom: 'footprint', attributes: `id, external_id, status, category`, minAreaLowZoom: 50 },
  villages: { table: 'admin_area', geom: 'geom', attributes: `id, code, name, name_en, level`, minAreaLowZoom: 0 },
  flights: { table: 'flight', geom: 'footprint', attributes: `id, status, to_char(captured_at, 'YYYY-MM-DD') AS captured_on`, minAreaLowZoom: 0, where: `footprint IS NOT NULL` },
};

export function isTileLayer(value: string): value is TileLayer {
  return (TILE_LAYERS as readonly string[]).includes(value);
}

export async function layerGeneration(db: pg.Pool, layer: TileLayer): Promise<number> {
  const { rows } = await db.query<{ generation: string }>(`SELECT generation FROM tile_layer_generation WHERE layer = $1`, [layer]);
  return Number(rows[0]?.generation ?? 0);
}

export async function renderTile(db: pg.Pool, layer: TileLayer, z: number, x: number, y: number): Promise<Buffer> {
  const spec = LAYERS[layer];
  const minArea = z < 15 ? spec.minAreaLowZoom : 0;
  const { rows } = await db.query<{ tile: Buffer }>(
    `WITH bounds AS (SELECT ST_TileEnvelope($1, $2, $3) AS env, ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.0625), 4326) AS env4326),
          features AS (
            SELECT ${spec.attributes}, ST_AsMVTGeom(ST_Transform(t.${spec.geom}, 3857), bounds.env, 4096, 64, true) AS geom
              FROM ${spec.table} t, bounds
             WHERE t.${spec.geom} && bounds.env4326 ${spec.where ? `AND ${spec.where}` : ''}
               AND ($4 = 0 OR lw_area_m2(t.${spec.geom}) >= $4))
     SELECT ST_AsMVT(features, $5, 4096, 'geom') AS tile FROM features WHERE geom IS NOT NULL`,
    [z, x, y, minArea, layer],
  );
  return rows[0]?.tile ?? Buffer.alloc(0);
}
