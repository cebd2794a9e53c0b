/** Candidates: filtered GeoJSON lists, one candidate's dossier, and reviewers' decisions. */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { candidateDetail, listCandidates } from '../../../db/sql/candidates.js';
import { sendProblem } from '../problem.js';
import { reviewCandidate } from '../review/review-candidate.js';
import { REJECT_REASONS, type ReviewRequest } from '../review/transitions.js';

const STATUSES = ['pending', 'permitted', 'in_register', 'previously_rejected', 'verified', 'rejected', 'scheduled', 'demolished', 'demolition_confirmed', 'still_standing', 'merged'];
const TYPES = ['new_structure', 'extension', 'rooftop_addition', 'added_floor', 'demolished'];
const list = (pattern: string) => ({ type: 'string', pattern: `^(${pattern})(,(${pattern}))*$` });
const ID = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } };

interface ListQuery {
  bbox?: string;
  status?: string;
  type?: string;
  village?: string;
  street?: string;
  min_area?: number;
  min_priority?: number;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** "w,s,e,n" in degrees, or the reason it is not one. */
export function parseBbox(text: string): [number, number, number, number] | string {
  const values = text.split(',').map(Number);
  if (values.length !== 4 || !values.every(Number.isFinite)) return 'bbox must be four numbers: west,south,east,north (degrees)';
  const [w, s, e, n] = values as [number, number, number, number];
  if (w < -180 || e > 180 || s < -90 || n > 90) return 'bbox is out of range: longitudes -180..180, latitudes -90..90';
  if (w >= e || s >= n) return 'bbox must have west < east and south < north';
  return [w, s, e, n];
}

export function candidateRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Querystring: ListQuery }>('/api/candidates', {
    config: { roles: ['reviewer', 'assessor'] },
    schema: {
      tags: ['candidates'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          bbox: { type: 'string', maxLength: 200 },
          status: list(STATUSES.join('|')),
          type: list(TYPES.join('|')),
          village: { type: 'string', maxLength: 32 },
          street: { type: 'string', maxLength: 32 },
          min_area: { type: 'number', minimum: 0 },
          min_priority: { type: 'integer', minimum: 0, maximum: 100 },
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
    },
  }, async (request, reply) => {
    const q = request.query;
    const bbox = q.bbox === undefined ? undefined : parseBbox(q.bbox);
    if (typeof bbox === 'string') return sendProblem(reply, 400, 'The request is not valid', bbox);
    const { features, matched } = await listCandidates(pool, {
      bbox, statuses: q.status?.split(','), types: q.type?.split(','), villageCode: q.village, streetCode: q.street,
      minAreaM2: q.min_area, minPriority: q.min_priority, from: q.from, to: q.to, limit: q.limit, offset: q.offset,
    });
    return reply.type('application/geo+json').send({ type: 'FeatureCollection', numberMatched: matched, numberReturned: features.length, features });
  });

  app.get<{ Params: { id: string } }>('/api/candidates/:id', {
    config: { roles: ['reviewer', 'assessor'] },
    schema: { tags: ['candidates'], params: ID },
  }, async (request, reply) => {
    const detail = await candidateDetail(pool, request.params.id);
    return detail ? reply.type('application/geo+json').send(detail) : sendProblem(reply, 404, 'No such candidate', `candidate ${request.params.id} does not exist`);
  });

  app.post<{ Params: { id: string }; Body: ReviewRequest }>('/api/candidates/:id/review', {
    config: { roles: ['reviewer'] },
    schema: {
      tags: ['review'],
      params: ID,
      body: {
        type: 'object', required: ['action', 'version'], additionalProperties: false,
        properties: {
          action: { type: 'string', enum: ['verify', 'reject', 'reopen', 'schedule', 'mark_demolished'] },
          version: { type: 'integer', minimum: 1 },
          reasonCode: { type: 'string', enum: [...REJECT_REASONS] },
          reasonText: { type: 'string', maxLength: 2000 },
          scheduledFor: { type: 'string', format: 'date' },
          team: { type: 'string', maxLength: 100 },
        },
      },
    },
  }, async (request, reply) => {
    const result = await reviewCandidate(pool, request.params.id, request.user!.id, request.body);
    switch (result.outcome) {
      case 'ok':
        return { id: request.params.id, status: result.status, version: result.version };
      case 'not_found':
        return sendProblem(reply, 404, 'No such candidate', `candidate ${request.params.id} does not exist`);
      case 'conflict':
        return sendProblem(reply, 409, 'Someone else changed this candidate first',
          `It is now ${result.current.status} at version ${result.current.version}; nothing was changed. Look at it again before deciding.`, { current: result.current });
      case 'invalid':
        return sendProblem(reply, 422, 'This step is not possible', result.problem);
    }
  });
}
