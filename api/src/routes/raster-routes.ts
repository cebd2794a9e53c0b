/**
 * Everything the API serves from the raster store: raster tiles, the COGs themselves, evidence
 * chips, and the STAC catalog that lists the COGs.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { loadConfig } from '../../../pipeline/src/config.js';
import { cogRoutes } from './cog-routes.js';
import { evidenceRoutes } from './evidence-routes.js';
import { rasterTileRoutes } from './raster-tile-routes.js';
import { stacRoutes } from './stac-routes.js';

/** @param rasterStore the raster store (RASTER_STORE); evidence files outside it are never served. */
export function rasterRoutes(app: FastifyInstance, pool: pg.Pool, rasterStore = loadConfig().rasterStore): void {
  rasterTileRoutes(app, pool);
  cogRoutes(app, pool);
  evidenceRoutes(app, pool, rasterStore);
  stacRoutes(app, pool);
}
