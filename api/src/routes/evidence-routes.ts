/**
 * Evidence chips of a candidate: /api/candidates/:id/evidence/:flightId/<before|after>, the
 * before/after images the raise stage drew for the flight that saw it, from the database. The
 * ETag is the image's digest.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { observationEvidenceChip } from '#db/sql/evidence-chips.js';
import { sendProblem } from '../problem.js';
import { etagMatches } from '../rasters/conditional-request.js';
import { ROW_ID } from './id-schema.js';

/** The address of a candidate's evidence chip as one flight saw it: the route below serves it. */
export function evidenceChipUrl(candidateId: string | number, flightId: string | number, which: 'before' | 'after'): string {
  return `/api/candidates/${candidateId}/evidence/${flightId}/${which}`;
}

export function evidenceRoutes(app: FastifyInstance, pool: pg.Pool): void {
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
    const chip = await observationEvidenceChip(pool, id, flightId, which);
    if (chip === undefined) return sendProblem(reply, 404, 'No such observation', `flight ${flightId} did not observe candidate ${id}`);
    if (chip === null) {
      return sendProblem(reply, 404, 'No evidence image', which === 'before'
        ? `there was no earlier image to compare with when flight ${flightId} observed candidate ${id}`
        : `no evidence image was drawn for candidate ${id} in flight ${flightId}`);
    }
    const etag = `"ev-${chip.digest.slice(0, 32)}"`;
    reply.header('ETag', etag).header('Cache-Control', 'private, max-age=3600');
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type(chip.mediaType).send(chip.image);
  });
}
