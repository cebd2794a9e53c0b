/**
 * The viewer (viewer/dist, built by `npm run build:viewer`) served at /. Files are looked up per
 * request, so a rebuild shows without restarting the API. Asset names carry a content hash and are
 * cached for good; index.html is revalidated. Without a build, / says how to make one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ROLES } from '#domain/vocabulary.js';
import type { Sendable, ViewerConfig } from '../api-contract.js';
import type { BasemapConfig } from '../basemap-config.js';

export const VIEWER_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'viewer', 'dist');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Lingwei</title><h1>The viewer is not built</h1>` +
  `<p>Run <code>npm run build:viewer</code> (it writes viewer/dist); the API serves it at once. The API itself works: see <a href="/docs">/docs</a>.</p>`;

export async function viewerRoutes(app: FastifyInstance, dist: string = VIEWER_DIST): Promise<void> {
  fs.mkdirSync(dist, { recursive: true });
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    index: false,
    schemaHide: true,
    setHeaders: (reply, file) => {
      reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    if (!fs.existsSync(path.join(dist, 'index.html'))) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}

/**
 * GET /api/viewer-config: what the viewer is configured with at run time (not build time), so one
 * build serves every office: the online basemap, or null for none (the default, offline).
 */
export function viewerConfigRoute(app: FastifyInstance, basemap: BasemapConfig | null): void {
  const body: ViewerConfig = { basemap: basemap && { imagery: basemap.imagery, labels: basemap.labels, attribution: basemap.attribution, maxzoom: basemap.maxzoom } };
  app.get<{ Reply: Sendable<ViewerConfig> }>('/api/viewer-config', {
    config: { roles: ROLES },
    schema: { tags: ['viewer'], summary: "The viewer's run-time settings: the optional online basemap" },
  }, async (_request, reply) => reply.header('cache-control', 'private, no-cache').send(body));
}
