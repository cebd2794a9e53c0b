/**
 * Raster tiles of a flight: /api/flights/:id/tiles/<ortho|dsm>/<z>/<x>/<y>.<webp|png|jpg>, read
 * from the flight's COG, warped to Web Mercator and encoded by sharp. Until the COG job has written
 * the COG (candidates come first, docs/drone-resolution.md) a tile is drawn from the reduced raster
 * where its pixels are no finer than the reduced raster's, else from the upload when the upload's
 * pixels are the COG's (else the reduced raster again); such a tile is cached briefly only. The orthophoto as it was
 * flown; the surface model as a hillshade or a colour ramp of heights (`style`). A tile wholly
 * outside the flight is 204 No Content (web maps and QGIS draw nothing there); inside, pixels with
 * no data are transparent (PNG/WebP; JPEG, which has no alpha, shows them white).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import sharp, { type Sharp } from 'sharp';
import { flightTileSources, type FlightCog, type FlightTileSources } from '#db/sql/flights.js';
import { mediumOf } from '#pipeline/raster-store.js';
import { sendProblem } from '../problem.js';
import { etagMatches } from '../rasters/conditional-request.js';
import { drawsLikeItsCog, readHeightTile, readOrthophotoTile, sampleHeights } from '../rasters/read-tile-window.js';
import { colourRamp, DSM_STYLES, heightRange, hillshade, orthophotoRgba, type DsmStyle } from '../rasters/tile-pixels.js';
import { groundPixelSize, MAX_ZOOM, TILE_SIZE, tileAddressProblem, type TileAddress } from '../rasters/web-mercator-tile.js';
import { ROW_ID } from './id-schema.js';

/** Bumped when tiles are drawn differently, so that no client keeps an old drawing. */
const RENDERING_VERSION = 1;
/** A flight's COG changes only when it is ingested again, which changes the ETag. */
const CACHE_CONTROL = 'private, max-age=3600';
/** A tile drawn before the COG exists: kept a minute, so the COG's tile replaces it soon after. */
const FALLBACK_CACHE_CONTROL = 'private, max-age=60';

export const RASTER_ASSETS = { ortho: 'orthophoto', dsm: 'surface_model' } as const;
export type RasterAssetName = keyof typeof RASTER_ASSETS;

const FORMATS = {
  webp: { type: 'image/webp', encode: (image: Sharp) => image.webp({ quality: 85, alphaQuality: 100 }) },
  png: { type: 'image/png', encode: (image: Sharp) => image.png({ compressionLevel: 6 }) },
  jpg: { type: 'image/jpeg', encode: (image: Sharp) => image.flatten({ background: '#ffffff' }).jpeg({ quality: 85 }) },
  jpeg: { type: 'image/jpeg', encode: (image: Sharp) => image.flatten({ background: '#ffffff' }).jpeg({ quality: 85 }) },
} as const;
type TileFormat = keyof typeof FORMATS;

/** Identity of a COG as stored: changes whenever ingest rewrites it (size, dimensions, path) or the drift is re-measured. */
export function cogIdentity(cog: FlightCog): string {
  return createHash('sha1')
    .update(JSON.stringify([cog.id, cog.uri, cog.bytes, cog.sha256, cog.width, cog.height, cog.shift.dx, cog.shift.dy]))
    .digest('hex')
    .slice(0, 16);
}

/** The raster a tile is drawn from, which one it is (named in the ETag), and what a colour ramp samples. */
interface TileSource {
  name: 'cog' | 'reduced' | 'upload';
  raster: FlightCog;
  sample: FlightCog;
}

async function tileSource(sources: FlightTileSources, kind: 'orthophoto' | 'surface_model', tile: TileAddress): Promise<TileSource | null> {
  const { cog, reduced, upload } = sources;
  if (cog) return { name: 'cog', raster: cog, sample: cog };
  if (!reduced) return null;
  const fineTile = reduced.gsdM !== null && groundPixelSize(tile) < reduced.gsdM;
  if (fineTile && upload && await drawsLikeItsCog(upload.uri, cogIdentity(upload), kind)) return { name: 'upload', raster: upload, sample: reduced };
  return { name: 'reduced', raster: reduced, sample: reduced };
}

async function renderTile(source: TileSource, asset: RasterAssetName, style: DsmStyle, tile: TileAddress): Promise<Uint8Array | null> {
  const cog = source.raster;
  const read = { uri: cog.uri, key: cogIdentity(cog), tile, shift: cog.shift };
  if (asset === 'ortho') {
    const bands = await readOrthophotoTile(read);
    return bands && orthophotoRgba(...bands);
  }
  const window = await readHeightTile(read);
  if (!window) return null;
  if (style === 'hillshade') return hillshade(window);
  const sample = await sampleHeights(source.sample.uri, cogIdentity(source.sample));
  return colourRamp(window, heightRange(sample.heights, sample.valid) ?? { low: 0, high: 1 });
}

interface TileParams {
  id: string;
  asset: RasterAssetName;
  z: number;
  x: number;
  y: string;
}

export function rasterTileRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Params: TileParams; Querystring: { style?: DsmStyle } }>('/api/flights/:id/tiles/:asset/:z/:x/:y', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: {
      tags: ['flights'],
      summary: 'A raster tile (XYZ, Web Mercator, 256 px) of the flight\'s orthophoto or surface model',
      params: {
        type: 'object', required: ['id', 'asset', 'z', 'x', 'y'],
        properties: {
          id: ROW_ID,
          asset: { type: 'string', enum: Object.keys(RASTER_ASSETS) },
          z: { type: 'integer', minimum: 0, maximum: MAX_ZOOM },
          x: { type: 'integer', minimum: 0 },
          y: { type: 'string', pattern: `^[0-9]{1,8}\\.(${Object.keys(FORMATS).join('|')})$`, description: 'row and format, e.g. 215321.webp' },
        },
      },
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { style: { type: 'string', enum: [...DSM_STYLES], description: 'surface model only; default hillshade' } },
      },
    },
  }, async (request, reply) => {
    const { id, asset, z, x } = request.params;
    const [row, format] = request.params.y.split('.') as [string, TileFormat];
    const tile = { z, x, y: Number(row) };
    const problem = tileAddressProblem(tile);
    if (problem) return sendProblem(reply, 400, 'No such tile', problem);
    if (asset === 'ortho' && request.query.style) return sendProblem(reply, 400, 'The request is not valid', 'style applies to the surface model (dsm) only; leave it out for the orthophoto');
    const style = request.query.style ?? 'hillshade';
    const sources = await flightTileSources(pool, id, RASTER_ASSETS[asset]);
    if (!sources.flight) return sendProblem(reply, 404, 'No such flight', `flight ${id} does not exist`);
    const source = await tileSource(sources, RASTER_ASSETS[asset], tile);
    if (!source) {
      return sendProblem(reply, 404, 'No such raster', `flight ${id} has no ${asset === 'ortho' ? 'orthophoto' : 'surface model'} COG: it was not flown, or the flight has not been ingested yet`);
    }
    const cog = source.raster;
    const etag = `"${id}-${asset}-${source.name}-${cogIdentity(cog)}-r${RENDERING_VERSION}-${asset === 'dsm' ? style : 'rgb'}-${z}-${x}-${tile.y}-${format}"`;
    reply.header('ETag', etag).header('Cache-Control', source.name === 'cog' ? CACHE_CONTROL : FALLBACK_CACHE_CONTROL);
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    let rgba: Uint8Array | null;
    try {
      rgba = await renderTile(source, asset, style, tile);
    } catch (error) {
      if (mediumOf(cog.uri).mayExist(cog.uri)) throw error;
      request.log.error({ uri: cog.uri, source: source.name }, 'a raster recorded in flight_asset is missing from the raster store');
      return sendProblem(reply, 404, 'Raster file missing', `The ${asset} ${source.name === 'cog' ? 'COG' : `${source.name} raster`} of flight ${id} is recorded but missing from the raster store; ingest the flight again.`);
    }
    if (!rgba) return reply.code(204).send();
    const image = sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width: TILE_SIZE, height: TILE_SIZE, channels: 4 } });
    return reply.type(FORMATS[format].type).send(await FORMATS[format].encode(image).toBuffer());
  });
}
