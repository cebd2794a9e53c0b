/**
 * The contract binds the routes at type-check time: a route typed with a body of the contract
 * cannot answer another shape (the @ts-expect-error lines fail `npm run typecheck` if it could),
 * and the Dates it may hand fastify travel as the ISO strings the viewer reads.
 */
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlightList, FlightListItem, Sendable } from './api-contract.js';

const app = Fastify();
afterAll(() => app.close());

const created = new Date('2026-11-20T02:00:00Z');
const row: Sendable<FlightListItem> = {
  id: '7', kind: 'drone', status: 'done', stage: null, progress: 1, captured_at: created, operator: null, failure_reason: null,
  created_at: created, notices: [], queue_position: null, has_orthophoto: true, has_surface_model: false,
};

describe('the API contract', () => {
  it('refuses a reply that drifts from it, and sends Dates as the ISO strings it names', async () => {
    app.get<{ Reply: Sendable<FlightList> }>('/flights', async () => ({ flights: [row] }));
    // @ts-expect-error progress is a number in the contract
    app.get<{ Reply: Sendable<FlightList> }>('/drifted', async () => ({ flights: [{ ...row, progress: '100%' }] }));
    // @ts-expect-error has_surface_model is missing
    app.get<{ Reply: Sendable<FlightList> }>('/short', async () => ({ flights: [{ ...row, has_surface_model: undefined }] }));
    const body = (await app.inject({ method: 'GET', url: '/flights' })).json<FlightList>();
    expect(body.flights[0]).toEqual({ ...row, captured_at: '2026-11-20T02:00:00.000Z', created_at: '2026-11-20T02:00:00.000Z' });
  });
});
