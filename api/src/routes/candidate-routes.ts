/** Candidates: filtered GeoJSON lists, one candidate's dossier, and reviewers' decisions. */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { candidateDetail, listCandidates } from '#db/sql/candidate-reads.js';
import type { CandidateDetail, CandidateList, ReviewReply, Sendable } from '../api-contract.js';
import { sendProblem } from '../problem.js';
import { evidenceChipUrl } from './evidence-routes.js';
import { CANDIDATE_FILTER_PROPERTIES, candidateFilterOf, type CandidateFilterQuery } from './candidate-query.js';
import { reviewCandidate } from '../review/review-candidate.js';
import { REJECT_REASONS, type ReviewRequest } from '../review/transitions.js';
import { idParams, ROW_ID } from './id-schema.js';

const ID = idParams('id');

interface ListQuery extends CandidateFilterQuery {
  limit: number;
  offset: number;
}

export function candidateRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.get<{ Querystring: ListQuery; Reply: Sendable<CandidateList> }>('/api/candidates', {
    config: { roles: ['reviewer', 'assessor'] },
    schema: {
      tags: ['candidates'], summary: 'Candidates as GeoJSON, filtered and paged',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          ...CANDIDATE_FILTER_PROPERTIES,
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
    },
  }, async (request, reply) => {
    const filter = candidateFilterOf(request.query);
    if (typeof filter === 'string') return sendProblem(reply, 400, 'The request is not valid', filter);
    const { features, matched } = await listCandidates(pool, { ...filter, limit: request.query.limit, offset: request.query.offset });
    return reply.type('application/geo+json').send({ type: 'FeatureCollection', numberMatched: matched, numberReturned: features.length, features });
  });

  app.get<{ Params: { id: string }; Reply: Sendable<CandidateDetail> }>('/api/candidates/:id', {
    config: { roles: ['reviewer', 'assessor'] },
    schema: { tags: ['candidates'], summary: 'One candidate\'s dossier: outline, sightings, evidence, decisions', params: ID },
  }, async (request, reply) => {
    const detail = await candidateDetail(pool, request.params.id);
    if (!detail) return sendProblem(reply, 404, 'No such candidate', `candidate ${request.params.id} does not exist`);
    const observations = detail.observations.map((seen) => ({
      ...seen,
      evidence_before: seen.evidence_before ? evidenceChipUrl(detail.id, seen.flight_id, 'before') : null,
      evidence_after: seen.evidence_after ? evidenceChipUrl(detail.id, seen.flight_id, 'after') : null,
    }));
    return reply.type('application/geo+json').send({ ...detail, observations });
  });

  app.post<{ Params: { id: string }; Body: ReviewRequest; Reply: Sendable<ReviewReply> }>('/api/candidates/:id/review', {
    config: { roles: ['reviewer'] },
    schema: {
      tags: ['review'], summary: 'Records a reviewer\'s decision on a candidate (409 when it changed meanwhile)',
      params: ID,
      body: {
        type: 'object', required: ['action', 'version'], additionalProperties: false,
        properties: {
          action: { type: 'string', enum: ['verify', 'reject', 'reopen', 'schedule', 'mark_demolished', 'merge'] },
          version: { type: 'integer', minimum: 1 },
          reasonCode: { type: 'string', enum: [...REJECT_REASONS] },
          reasonText: { type: 'string', maxLength: 2000 },
          scheduledFor: { type: 'string', format: 'date' },
          team: { type: 'string', maxLength: 100 },
          into: ROW_ID,
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
