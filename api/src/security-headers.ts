/**
 * Headers that keep browsers from misusing what the API serves: no response is sniffed into
 * another type or shown in a frame (the review screen must not be framed by a page that tricks a
 * reviewer into clicking "verify"), and HTML gets a Content-Security-Policy that allows only what
 * it needs, so injected markup could run nothing.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from './api-config.js';

/**
 * The viewer's policy: its own scripts and styles, MapLibre's workers (blob:), map images from
 * data:/blob: and, when an online basemap is configured, its origins.
 */
export function viewerPolicy(basemapOrigins: readonly string[] = []): string {
  const basemap = basemapOrigins.map((origin) => ` ${origin}`).join('');
  return [
    "default-src 'self'",
    "script-src 'self'",
    // MapLibre and the screens set element styles; inline style is not a script channel.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${basemap}`,
    `connect-src 'self'${basemap}`,
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Reports and assessments are self-contained pages: their inline style and images, nothing else. */
export const DOCUMENT_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Swagger UI at /docs brings its own inline script: it only may not be framed. */
const DOCS_POLICY = "frame-ancestors 'none'";

/** The Content-Security-Policy for an HTML response to `path`, or null for other responses. */
export function contentSecurityPolicy(path: string, contentType: string, basemapOrigins: readonly string[] = []): string | null {
  if (!/^text\/html\b/i.test(contentType)) return null;
  if (path === '/docs' || path.startsWith('/docs/')) return DOCS_POLICY;
  if (path.startsWith('/api/') || path.startsWith('/ogc')) return DOCUMENT_POLICY;
  return viewerPolicy(basemapOrigins);
}

export function useSecurityHeaders(app: FastifyInstance, config: Pick<ApiConfig, 'basemap'>): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    const policy = contentSecurityPolicy(request.url.split('?')[0]!, String(reply.getHeader('content-type') ?? ''), config.basemap?.origins);
    if (policy) reply.header('content-security-policy', policy);
    return payload;
  });
}
