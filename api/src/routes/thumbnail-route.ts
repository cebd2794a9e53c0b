/**
 * /api/flights/:id/thumbnail.webp: the flight's orthophoto, small (see rasters/thumbnail.ts), the
 * STAC item's thumbnail asset and a preview for lists. Until the COG job has written the COG
 * (candidates come first, docs/drone-resolution.md) it is drawn from the reduced raster and cached
 * a minute only; the ETag names the source, so the COG's thumbnail replaces it.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import sharp from 'sharp';
import { flightTileSources } from '#db/sql/flights.js';
import { mediumOf } from '#pipeline/raster-store.js';
import { sendProblem } from '../problem.js';
import { etagMatches } from '../rasters/conditional-request.js';
import { readThumbnail, THUMBNAIL_PX } from '../rasters/thumbnail.js';
import { idParams } from './id-schema.js';
import { cogIdentity } from './raster-tile-routes.js';

/** A flight's COG changes only when it is ingested again, which changes the ETag. */
const CACHE_CONTROL = 'private, max-age=3600';
/** A thumbnail drawn before the COG exists: kept a minute, so the COG's thumbnail replaces it soon after. */
const FALLBACK_CACHE_CONTROL = 'private, max-age=60';

export function thumbnailRoute(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Params: { id: string } }>('/api/flights/:id/thumbnail.webp', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: { tags: ['flights'], summary: `The flight's orthophoto at most ${THUMBNAIL_PX} px across (WebP), its STAC thumbnail`, params: idParams('id') },
  }, async (request, reply) => {
    const { id } = request.params;
    const { flight, cog, reduced } = await flightTileSources(pool, id, 'orthophoto');
    if (!flight) return sendProblem(reply, 404, 'No such flight', `flight ${id} does not exist`);
    const source = cog ? { name: 'cog', raster: cog } : reduced ? { name: 'reduced', raster: reduced } : null;
    if (!source) return sendProblem(reply, 404, 'No such raster', `flight ${id} has no orthophoto yet: it has not been ingested`);
    const raster = source.raster;
    const etag = `"thumb-${id}-${source.name}-${cogIdentity(raster)}-${THUMBNAIL_PX}"`;
    reply.header('ETag', etag).header('Cache-Control', source.name === 'cog' ? CACHE_CONTROL : FALLBACK_CACHE_CONTROL);
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    let thumbnail: Awaited<ReturnType<typeof readThumbnail>>;
    try {
      thumbnail = await readThumbnail(raster.uri);
    } catch (error) {
      if (mediumOf(raster.uri).mayExist(raster.uri)) throw error;
      request.log.error({ uri: raster.uri, source: source.name }, 'a raster recorded in flight_asset is missing from the raster store');
      return sendProblem(reply, 404, 'Raster file missing', `The orthophoto ${source.name === 'cog' ? 'COG' : 'reduced raster'} of flight ${id} is recorded but missing from the raster store; ingest the flight again.`);
    }
    const { width, height, rgba } = thumbnail;
    const image = sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } });
    return reply.type('image/webp').send(await image.webp({ quality: 80, alphaQuality: 100 }).toBuffer());
  });
}
