/**
 * Vector tiles for the map: /api/tiles/<layer>/<z>/<x>/<y>.mvt. Rendered by PostGIS, cached in
 * Redis under the layer's generation (bumped by every write to the layer's table), so a changed
 * candidate is never served from a stale tile; the same generation makes the ETag.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { isTileLayer, layerGeneration, renderTile, TILE_LAYERS } from '#db/sql/tiles.js';
import { sendProblem } from '../problem.js';

const CACHE_SECONDS = 24 * 3600;

export function tileRoutes(app: FastifyInstance, pool: pg.Pool, redis: Redis | null, cachePrefix: string): void {
  app.get<{ Params: { layer: string; z: number; x: number; y: string } }>('/api/tiles/:layer/:z/:x/:y', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: {
      tags: ['tiles'], summary: 'A vector tile (MVT) of one map layer',
      params: {
        type: 'object', required: ['layer', 'z', 'x', 'y'],
        properties: {
          layer: { type: 'string', enum: [...TILE_LAYERS] },
          z: { type: 'integer', minimum: 0, maximum: 22 },
          x: { type: 'integer', minimum: 0 },
          y: { type: 'string', pattern: '^[0-9]{1,8}(\\.mvt|\\.pbf)?$' },
        },
      },
    },
  }, async (request, reply) => {
    const { layer, z, x } = request.params;
    const y = Number.parseInt(request.params.y, 10);
    if (!isTileLayer(layer) || x >= 2 ** z || y >= 2 ** z) return sendProblem(reply, 400, 'No such tile', `tile ${z}/${x}/${y} is outside the ${2 ** z} x ${2 ** z} grid of zoom ${z}`);
    const generation = await layerGeneration(pool, layer);
    const etag = `"${layer}-${generation}-${z}-${x}-${y}"`;
    reply.header('ETag', etag).header('Cache-Control', 'private, no-cache');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    const key = `${cachePrefix}:tile:${layer}:${generation}:${z}/${x}/${y}`;
    let tile = redis ? await redis.getBuffer(key) : null;
    if (!tile) {
      tile = await renderTile(pool, layer, z, x, y);
      if (redis) await redis.set(key, tile, 'EX', CACHE_SECONDS);
    }
    return reply.type('application/vnd.mapbox-vector-tile').send(tile);
  });
}
