/**
 * Evidence chips of a candidate: /api/candidates/:id/evidence/:flightId/<before|after>, the
 * before/after images the raise stage drew for the flight that saw it. The file's path comes from
 * the observation's row, never from the URL, and must lie inside the raster store, so no URL can
 * reach any other file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { observationEvidence } from '../../../db/sql/flights.js';
import { sendProblem } from '../problem.js';
import { etagMatches } from '../rasters/conditional-request.js';
import { fileBody } from '../file-body.js';
import { ROW_ID } from './id-schema.js';

const IMAGE_TYPES: Record<string, string> = { '.webp': 'image/webp', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

/** Whether `file` lies inside the directory `store` (after resolving "..", links included). */
async function insideStore(store: string, file: string): Promise<boolean> {
  try {
    const [root, real] = await Promise.all([fs.promises.realpath(store), fs.promises.realpath(file)]);
    return real.startsWith(root + path.sep);
  } catch {
    return false;
  }
}

export function evidenceRoutes(app: FastifyInstance, pool: pg.Pool, rasterStore: string): void {
  app.get<{ Params: { id: string; flightId: string; which: 'before' | 'after' } }>('/api/candidates/:id/evidence/:flightId/:which', {
    config: { roles: ['reviewer', 'assessor'] },
    schema: {
      tags: ['candidates'],
      summary: 'An evidence chip of a candidate as seen by one flight: the earlier image (before) or this flight (after)',
      params: {
        type: 'object', required: ['id', 'flightId', 'which'],
        properties: { id: ROW_ID, flightId: ROW_ID, which: { type: 'string', enum: ['before', 'after'] } },
      },
    },
  }, async (request, reply) => {
    const { id, flightId, which } = request.params;
    const evidence = await observationEvidence(pool, id, flightId);
    if (!evidence) return sendProblem(reply, 404, 'No such observation', `flight ${flightId} did not observe candidate ${id}`);
    const file = evidence[which];
    if (!file) {
      return sendProblem(reply, 404, 'No evidence image', which === 'before'
        ? `there was no earlier image to compare with when flight ${flightId} observed candidate ${id}`
        : `no evidence image was drawn for candidate ${id} in flight ${flightId} (an object-store raster store keeps none)`);
    }
    const type = IMAGE_TYPES[path.extname(file).toLowerCase()];
    if (!type || !(await insideStore(rasterStore, file))) {
      request.log.error({ file }, 'an evidence path outside the raster store, or not an image, is recorded');
      return sendProblem(reply, 404, 'No evidence image', `the ${which} image of candidate ${id} in flight ${flightId} is not available`);
    }
    const stat = await fs.promises.stat(file);
    const etag = `"ev-${createHash('sha1').update(`${file}:${stat.size}:${stat.mtimeMs}`).digest('hex').slice(0, 20)}"`;
    reply.header('ETag', etag).header('Cache-Control', 'private, max-age=3600');
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type(type).header('Content-Length', stat.size).send(fileBody(request, file));
  });
}
