/**
 * The demolition schedule (拆除排期) and the map's GeoJSON overlays (permits, zones), both read
 * only: scheduling and marking demolished are review decisions (POST /api/candidates/:id/review).
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { OVERLAYS, overlayFeatures, type Overlay } from '#db/sql/overlays.js';
import { listSchedules } from '#db/sql/schedules.js';
import type { OverlayCollection, ScheduleList, Sendable } from '../api-contract.js';
import { sendProblem } from '../problem.js';
import { parseBbox } from './candidate-query.js';
import { ROW_ID } from './id-schema.js';

interface ScheduleQuery {
  from?: string;
  to?: string;
  street?: string;
  team?: string;
  status?: string;
  candidate?: string;
  limit: number;
}

export function scheduleRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Querystring: ScheduleQuery; Reply: Sendable<ScheduleList> }>('/api/schedule', {
    config: { roles: ['reviewer', 'assessor'] },
    schema: {
      tags: ['review'], summary: 'Field checks scheduled, filtered by date, street, team and status',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
          street: { type: 'string', maxLength: 32 },
          team: { type: 'string', maxLength: 100 },
          status: { type: 'string', pattern: '^(scheduled|done|cancelled)(,(scheduled|done|cancelled))*$' },
          candidate: ROW_ID,
          limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
        },
      },
    },
  }, async (request, reply) => {
    const q = request.query;
    if (q.from && q.to && q.from > q.to) return sendProblem(reply, 400, 'The request is not valid', `from (${q.from}) is after to (${q.to})`);
    const schedules = await listSchedules(pool, { from: q.from, to: q.to, streetCode: q.street, team: q.team, statuses: q.status?.split(','), candidateId: q.candidate, limit: q.limit });
    return { schedules };
  });

  app.get<{ Params: { overlay: Overlay }; Querystring: { bbox?: string; limit: number }; Reply: Sendable<OverlayCollection> }>('/api/overlays/:overlay', {
    config: { roles: ['operator', 'reviewer', 'assessor'] },
    schema: {
      tags: ['tiles'], summary: 'A map overlay (zones, permits, ...) as GeoJSON within a bbox',
      params: { type: 'object', required: ['overlay'], properties: { overlay: { type: 'string', enum: [...OVERLAYS] } } },
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { bbox: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 5000 } },
      },
    },
  }, async (request, reply) => {
    const bbox = request.query.bbox === undefined ? null : parseBbox(request.query.bbox);
    if (typeof bbox === 'string') return sendProblem(reply, 400, 'The request is not valid', bbox);
    const features = await overlayFeatures(pool, request.params.overlay, bbox, request.query.limit);
    return reply.type('application/geo+json').send({ type: 'FeatureCollection', features });
  });
}
