import { describe, expect, it } from 'vitest';
import { ApiError, type ReviewRequest } from '../api/client.js';
import { PartlyDecided, sendInSteps, stateAfterRefusal, type CandidateState } from './decision-steps.js';
import { ReviewQueue } from './queue-state.js';

/**
 * A candidate as the server keeps it: each accepted step bumps the version, a stale version is a
 * 409 with the current state, and `refuse` decides which actions are refused with a 422.
 */
function candidate(status: string, version: number, refuse: (request: ReviewRequest) => boolean = () => false) {
  const state: CandidateState = { status, version };
  const sent: ReviewRequest[] = [];
  const send = async (request: ReviewRequest): Promise<CandidateState> => {
    sent.push(request);
    if (request.version !== state.version) throw new ApiError(409, { title: 'Conflict', status: 409, current: { ...state } });
    if (refuse(request)) throw new ApiError(422, { title: 'Unprocessable', status: 422, detail: 'scheduledFor is in the past' });
    state.status = ({ verify: 'verified', schedule: 'scheduled', reopen: 'pending' } as Record<string, string>)[request.action] ?? request.action;
    state.version += 1;
    return { ...state };
  };
  return { state, sent, send };
}

const schedule = { action: 'schedule', scheduledFor: '2026-03-17', team: 'A' } as const;

describe('sending a decision in steps', () => {
  it('verifies a pending candidate before scheduling it, at the version the verify returned', async () => {
    const server = candidate('pending', 4);
    expect(await sendInSteps(server.send, 'pending', 4, schedule)).toEqual({ status: 'scheduled', version: 6 });
    expect(server.sent.map((r) => [r.action, r.version])).toEqual([['verify', 4], ['schedule', 5]]);
  });

  it('schedules a verified candidate in one step', async () => {
    const server = candidate('verified', 2);
    expect(await sendInSteps(server.send, 'verified', 2, schedule)).toEqual({ status: 'scheduled', version: 3 });
    expect(server.sent).toHaveLength(1);
  });

  it('hands back the verified state with the refusal when the schedule step is refused', async () => {
    const server = candidate('pending', 4, (r) => r.action === 'schedule');
    const error = await sendInSteps(server.send, 'pending', 4, schedule).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartlyDecided);
    const partly = error as PartlyDecided;
    expect(partly.done).toEqual({ action: 'verify', status: 'verified', version: 5 });
    expect(partly.refusal).toBeInstanceOf(ApiError);
    expect((partly.refusal as ApiError).status).toBe(422);
    expect(stateAfterRefusal(error)).toEqual(server.state);

    // What the queue does with it: the next decision and the undo go out at the server's version.
    const queue = new ReviewQueue([{ id: '7', status: 'pending', version: 4, changeType: 'new_structure', priority: 50, areaM2: 20, heightGainM: 3 }]);
    queue.update('7', stateAfterRefusal(error)!.status, stateAfterRefusal(error)!.version);
    queue.recordDecision({ id: '7', version: partly.done.version, action: partly.done.action });
    expect(await sendInSteps(server.send, queue.items[0]!.status, queue.items[0]!.version, { action: 'reopen' })).toEqual({ status: 'pending', version: 6 });
    expect(queue.takeUndo()).toEqual({ id: '7', version: 5, action: 'verify' });
  });

  it('hands back the verified state when the schedule step never reaches the server', async () => {
    const verifyOnly = candidate('pending', 1);
    const send = async (request: ReviewRequest) => {
      if (request.action === 'schedule') throw new TypeError('Failed to fetch');
      return verifyOnly.send(request);
    };
    const error = await sendInSteps(send, 'pending', 1, schedule).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartlyDecided);
    expect(stateAfterRefusal(error)).toEqual({ status: 'verified', version: 2 });
    expect((error as PartlyDecided).message).toBe('Failed to fetch');
  });

  it('passes a refused first step on as it is: nothing changed on the server', async () => {
    const server = candidate('pending', 3);
    const error = await sendInSteps(server.send, 'pending', 2, schedule).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(PartlyDecided);
    expect(stateAfterRefusal(error)).toEqual({ status: 'pending', version: 3 });
    expect(server.sent).toHaveLength(1);
    expect(stateAfterRefusal(new ApiError(422, { title: 'Unprocessable', status: 422 }))).toBeNull();
  });

  it('prefers the fresh state of a 409 on the schedule step over the verify it followed', async () => {
    const verified = { action: 'verify' as const, status: 'verified', version: 5 };
    const conflict = new ApiError(409, { title: 'Conflict', status: 409, current: { status: 'rejected', version: 6 } });
    expect(stateAfterRefusal(new PartlyDecided(verified, conflict))).toEqual({ status: 'rejected', version: 6 });
  });
});
