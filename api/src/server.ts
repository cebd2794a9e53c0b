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
import { useAuthentication } from './auth/authenticate.js';
import { useProblemErrors } from './problem.js';
import { authRoutes } from './routes/auth-routes.js';
import { candidateRoutes } from './routes/candidate-routes.js';
import { flightEventRoutes, flightRoutes } from './routes/flight-routes.js';
import { tileRoutes } from './routes/tile-routes.js';

export interface ApiOptions {
  pool: pg.Pool;
  /** Redis for the tile cache; null: no cache. */
  redis?: Redis | null;
  /** Key prefix in Redis. Default "lingwei". */
  cachePrefix?: string;
  /** Largest request body, bytes. Default 1 MiB (uploads take another route). */
  bodyLimit?: number;
  logger?: boolean;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 1 << 20 });
  useProblemErrors(app);
  await app.register(cookie);
  await app.register(swagger, { openapi: { info: { title: 'Lingwei (零违) API', version: '0.1.0' } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  useAuthentication(app, options.pool);
  authRoutes(app, options.pool);
  candidateRoutes(app, options.pool);
  flightRoutes(app, options.pool);
  flightEventRoutes(app, options.pool);
  tileRoutes(app, options.pool, options.redis ?? null, options.cachePrefix ?? 'lingwei');
  return app;
}
