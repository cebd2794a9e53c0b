/**
 * A flight's Cloud Optimized GeoTIFFs as files: /api/flights/:id/assets/<ortho|dsm>.tif, the
 * hrefs of the STAC items. Answers HTTP Range requests with 206 and just those bytes, which is
 * how GDAL's /vsicurl/ and QGIS read a COG over HTTP (the header, then only the tiles in view).
 * With an S3 raster store the object store serves the bytes itself: the route answers with a
 * temporary redirect to a presigned URL of the object, which /vsicurl/, QGIS and browsers follow.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { flightCog } from '#db/sql/flights.js';
import { isVirtualStore, storedFileExists } from '#pipeline/raster-store.js';
import { sendProblem } from '../problem.js';
import { parseByteRange } from '../rasters/byte-range.js';
import { etagMatches } from '../rasters/conditional-request.js';
import { NotPresignableError, presignedUrl } from '../rasters/presigned-url.js';
import { COG_MEDIA_TYPE } from '../rasters/stac.js';
import { RASTER_ASSETS, type RasterAssetName } from './raster-tile-routes.js';
import { fileBody } from '../file-body.js';
import { ROW_ID } from './id-schema.js';

const FILES = Object.keys(RASTER_ASSETS).map((name) => `${name}.tif`);

/** How long a link into the object store is valid: as long as a client may cache this answer's target. */
const LINK_LIFETIME_S = 3600;

export function cogRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Params: { id: string; file: string } }>('/api/flights/:id/assets/:file', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: {
      tags: ['flights'],
      summary: 'The flight\'s orthophoto or surface model as a Cloud Optimized GeoTIFF; supports Range requests',
      params: {
        type: 'object', required: ['id', 'file'],
        // Any name, so that GDAL's sidecar probes (.aux.xml, .ovr, .msk, ... and the directory
        // listing) get 404, which /vsicurl/ takes as "no such file", instead of a 400.
        properties: { id: ROW_ID, file: { type: 'string', description: `${FILES.join(' or ')}; any other name answers 404` } },
      },
    },
  }, async (request, reply) => {
    const { id, file } = request.params;
    if (!FILES.includes(file)) return sendProblem(reply, 404, 'No such file', `a flight's files are ${FILES.join(' and ')}`);
    const asset = file.replace(/\.tif$/, '') as RasterAssetName;
    const { flight, cog } = await flightCog(pool, id, RASTER_ASSETS[asset]);
    if (!flight) return sendProblem(reply, 404, 'No such flight', `flight ${id} does not exist`);
    if (!cog) return sendProblem(reply, 404, 'No such raster', `flight ${id} has no ${asset === 'ortho' ? 'orthophoto' : 'surface model'} COG: it was not flown, or the flight has not been ingested yet`);
    const missing = () => {
      request.log.error({ uri: cog.uri }, 'a COG recorded in flight_asset is missing from the raster store');
      return sendProblem(reply, 404, 'Raster file missing', `The ${asset} COG of flight ${id} is recorded but missing from the raster store; ingest the flight again.`);
    };
    if (isVirtualStore(cog.uri)) {
      let location: string;
      try {
        location = presignedUrl(cog.uri, LINK_LIFETIME_S);
      } catch (error) {
        if (!(error instanceof NotPresignableError)) throw error;
        return sendProblem(reply, 501, 'Served by the object store', `The raster store is an object store and the API cannot hand out a link into it: ${error.message}. Read the COG from the store directly (GDAL /vsis3/).`);
      }
      if (!(await storedFileExists(cog.uri))) return missing();
      return reply.code(307).header('Location', location).header('Cache-Control', 'private, no-store').send();
    }
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(cog.uri);
    } catch {
      return missing();
    }
    // Size and modification time: a rewritten COG never answers a cached range of the old one.
    const etag = `"cog-${createHash('sha1').update(`${cog.uri}:${stat.size}:${stat.mtimeMs}`).digest('hex').slice(0, 20)}"`;
    reply
      .header('ETag', etag)
      .header('Last-Modified', stat.mtime.toUTCString())
      .header('Accept-Ranges', 'bytes')
      .header('Cache-Control', 'private, max-age=3600')
      .header('Content-Disposition', `inline; filename="flight-${id}-${file}"`);
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    // If-Range with another validator: the client's pieces are of an older file; send it whole.
    const ifRange = request.headers['if-range'];
    const range = ifRange && ifRange !== etag ? { kind: 'whole' as const } : parseByteRange(request.headers.range, stat.size);
    if (range.kind === 'unsatisfiable') {
      reply.header('Content-Range', `bytes */${stat.size}`);
      return sendProblem(reply, 416, 'Range not satisfiable', `the file has ${stat.size} bytes; ask for a range that starts before its end`);
    }
    reply.type(COG_MEDIA_TYPE);
    if (range.kind === 'whole') return reply.header('Content-Length', stat.size).send(fileBody(request, cog.uri));
    return reply
      .code(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${stat.size}`)
      .header('Content-Length', range.end - range.start + 1)
      .send(fileBody(request, cog.uri, { start: range.start, end: range.end }));
  });
}
