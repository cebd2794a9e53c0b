import { describe, expect, it } from 'vitest';
import { judgeReview } from './transitions.js';

describe('judgeReview', () => {
  it('follows the office workflow from candidate to demolished', () => {
    expect(judgeReview('pending', { action: 'verify', version: 1 })).toEqual({ ok: true, to: 'verified' });
    expect(judgeReview('verified', { action: 'schedule', version: 2, scheduledFor: '2026-12-01', team: '一队' })).toEqual({ ok: true, to: 'scheduled' });
    expect(judgeReview('scheduled', { action: 'mark_demolished', version: 3 })).toEqual({ ok: true, to: 'demolished' });
    expect(judgeReview('rejected', { action: 'reopen', version: 2 })).toEqual({ ok: true, to: 'pending' });
  });

  it('lets a reviewer overrule triage', () => {
    expect(judgeReview('permitted', { action: 'verify', version: 1 })).toEqual({ ok: true, to: 'verified' });
  });

  it('refuses steps the workflow does not allow, saying why', () => {
    expect(judgeReview('pending', { action: 'mark_demolished', version: 1 })).toEqual({ ok: false, problem: 'a pending candidate cannot be marked demolished' });
    expect(judgeReview('pending', { action: 'schedule', version: 1, scheduledFor: '2026-12-01', team: 'A' })).toEqual({ ok: false, problem: 'a pending candidate cannot be scheduled for demolition' });
    expect(judgeReview('merged', { action: 'verify', version: 1 })).toEqual({ ok: false, problem: 'a merged candidate cannot be verified' });
  });

  it('requires a reason code to reject, and words for "other"', () => {
    expect(judgeReview('pending', { action: 'reject', version: 1 })).toMatchObject({ ok: false, problem: expect.stringContaining('needs a reason code') });
    expect(judgeReview('pending', { action: 'reject', version: 1, reasonCode: 'other' })).toMatchObject({ ok: false });
    expect(judgeReview('pending', { action: 'reject', version: 1, reasonCode: 'other', reasonText: '农用设施' })).toEqual({ ok: true, to: 'rejected' });
  });

  it('requires a date and a team to schedule', () => {
    expect(judgeReview('verified', { action: 'schedule', version: 1, team: 'A' })).toMatchObject({ ok: false, problem: expect.stringContaining('date') });
    expect(judgeReview('verified', { action: 'schedule', version: 1, scheduledFor: '2026-12-01' })).toMatchObject({ ok: false, problem: expect.stringContaining('team') });
  });
});
