/**
 * The API as a fastify instance: problem+json errors, authentication and roles, OpenAPI at /docs,
 * and the routes. Built by a function so tests drive it with inject() against the real database.
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { loadApiConfig, type ApiConfig } from './api-config.js';
import { useAuthentication } from './auth/authenticate.js';
import { openapiOptions } from './openapi/document.js';
import { refuseUnsafeInput, STRICT_AJV } from './input-checks.js';
import { useSecurityHeaders } from './security-headers.js';
import { useProblemErrors } from './problem.js';
import { authRoutes } from './routes/auth-routes.js';
import { candidateRoutes } from './routes/candidate-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { ogcItemsRoutes } from './routes/ogc-items-routes.js';
import { ogcRoutes } from './routes/ogc-routes.js';
import { flightCreateRoute } from './routes/flight-create-route.js';
import { flightEventRoutes, flightRoutes } from './routes/flight-routes.js';
import { scheduleRoutes } from './routes/schedule-routes.js';
import { tileRoutes } from './routes/tile-routes.js';
import { rasterRoutes } from './routes/raster-routes.js';
import { uploadRoutes } from './routes/upload-routes.js';
import { openUploadArea } from './uploads/upload-area.js';
import { loadUploadLimits } from './uploads/upload-limits.js';
import { villageRoutes } from './routes/village-routes.js';
import { reportRoutes } from './routes/report-routes.js';
import { modelRoutes } from './routes/model-routes.js';
import { viewerConfigRoute, viewerRoutes } from './routes/viewer-routes.js';

export interface ApiOptions {
  pool: pg.Pool;
  /** Redis for the tile cache; null: no cache. */
  redis?: Redis | null;
  /** Key prefix in Redis. Default "lingwei". */
  cachePrefix?: string;
  /** Largest request body, bytes. Default 1 MiB (uploads take another route). */
  bodyLimit?: number;
  /** Raster store (uploads land in its uploads/ area), queue Redis and prefix for uploaded flights. Default: loadConfig(). */
  pipeline?: PipelineConfig;
  /** Largest upload, bytes. Default UPLOAD_MAX_BYTES, else 20 GiB. */
  uploadMaxBytes?: number;
  /** Sessions, login back-off, public base URL, cookies, proxies. Default: loadApiConfig() (the environment); given fields replace its. */
  config?: Partial<ApiConfig>;
  logger?: boolean;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const config: ApiConfig = { ...loadApiConfig(), ...options.config };
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 1 << 20, trustProxy: config.trustProxy, ajv: STRICT_AJV });
  useProblemErrors(app);
  useSecurityHeaders(app, config);
  await app.register(cookie);
  await app.register(swagger, openapiOptions(config.publicBaseUrl));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  useAuthentication(app, options.pool, config.loginThrottle, config.publicBaseUrl);
  refuseUnsafeInput(app);
  authRoutes(app, options.pool, config);
  candidateRoutes(app, options.pool);
  ogcRoutes(app, options.pool, config.publicBaseUrl);
  ogcItemsRoutes(app, options.pool, config.publicBaseUrl);
  exportRoutes(app, options.pool);
  flightRoutes(app, options.pool);
  flightEventRoutes(app, options.pool);
  const pipeline = options.pipeline ?? loadConfig();
  const uploadLimits = loadUploadLimits();
  const uploads = openUploadArea(pipeline.rasterStore, uploadLimits.directory);
  uploadRoutes(app, uploads, options.uploadMaxBytes ?? uploadLimits.maxBytes, uploadLimits.expiryHours);
  flightCreateRoute(app, options.pool, pipeline, uploads);
  tileRoutes(app, options.pool, options.redis ?? null, options.cachePrefix ?? 'lingwei');
  rasterRoutes(app, options.pool, config.publicBaseUrl);
  villageRoutes(app, options.pool);
  scheduleRoutes(app, options.pool);
  reportRoutes(app, options.pool, config.bulletinOffice);
  modelRoutes(app, pipeline);
  viewerConfigRoute(app, config.basemap);
  await viewerRoutes(app);
  return app;
}
