/**
 * /api/flights/:id/thumbnail.webp: the flight's orthophoto, small (see rasters/thumbnail.ts), the
 * STAC item's thumbnail asset and a preview for lists. ETag from the COG's identity.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import sharp from 'sharp';
import { flightCog } from '#db/sql/flights.js';
import { isVirtualStore } from '#pipeline/raster-store.js';
import { sendProblem } from '../problem.js';
import { etagMatches } from '../rasters/conditional-request.js';
import { readThumbnail, THUMBNAIL_PX } from '../rasters/thumbnail.js';
import { idParams } from './id-schema.js';
import { cogIdentity } from './raster-tile-routes.js';

export function thumbnailRoute(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Params: { id: string } }>('/api/flights/:id/thumbnail.webp', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: { tags: ['flights'], summary: `The flight's orthophoto at most ${THUMBNAIL_PX} px across (WebP), its STAC thumbnail`, params: idParams('id') },
  }, async (request, reply) => {
    const { id } = request.params;
    const { flight, cog } = await flightCog(pool, id, 'orthophoto');
    if (!flight) return sendProblem(reply, 404, 'No such flight', `flight ${id} does not exist`);
    if (!cog) return sendProblem(reply, 404, 'No such raster', `flight ${id} has no orthophoto COG yet: it has not been ingested`);
    const etag = `"thumb-${id}-${cogIdentity(cog)}-${THUMBNAIL_PX}"`;
    reply.header('ETag', etag).header('Cache-Control', 'private, max-age=3600');
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    let thumbnail: Awaited<ReturnType<typeof readThumbnail>>;
    try {
      thumbnail = await readThumbnail(cog.uri);
    } catch (error) {
      if (isVirtualStore(cog.uri) || fs.existsSync(cog.uri)) throw error;
      request.log.error({ uri: cog.uri }, 'a COG recorded in flight_asset is missing from the raster store');
      return sendProblem(reply, 404, 'Raster file missing', `The orthophoto COG of flight ${id} is recorded but missing from the raster store; ingest the flight again.`);
    }
    const { width, height, rgba } = thumbnail;
    const image = sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } });
    return reply.type('image/webp').send(await image.webp({ quality: 80, alphaQuality: 100 }).toBuffer());
  });
}
