/**
 * The API's imagery: raster tiles and the COGs themselves from the raster store, evidence chips,
 * and the STAC catalog that lists the COGs.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { cogRoutes } from './cog-routes.js';
import { evidenceRoutes } from './evidence-routes.js';
import { rasterTileRoutes } from './raster-tile-routes.js';
import { stacRoutes } from './stac-routes.js';
import { thumbnailRoute } from './thumbnail-route.js';

/** `publicBaseUrl`: where clients reach the API (PUBLIC_BASE_URL), for the STAC catalog's links. */
export function rasterRoutes(app: FastifyInstance, pool: pg.Pool, publicBaseUrl: string): void {
  rasterTileRoutes(app, pool);
  cogRoutes(app, pool);
  thumbnailRoute(app, pool);
  evidenceRoutes(app, pool);
  stacRoutes(app, pool, publicBaseUrl);
}
