import { describe, expect, it } from 'vitest';
import type { Observation } from '../api/client.js';
import { evidenceObservation } from './evidence-choice.js';

const seen = (flight: number, extra: Partial<Observation> = {}): Observation => ({
  flight_id: flight, observed_at: `2026-10-${10 + flight}T10:00:00Z`, captured_at: `2026-10-${10 + flight}T02:00:00Z`,
  before_flight_id: null, before_captured_at: null, area_m2: 85.6, height_gain_m: 6, score: 0.9,
  evidence_before: `/b/${flight}`, evidence_after: `/a/${flight}`, sliver: false, ...extra,
});

describe('evidenceObservation', () => {
  it('shows the newest observation that saw the candidate whole, not a later sliver of it', () => {
    expect(evidenceObservation([seen(1), seen(2, { area_m2: 4.1, sliver: true })])!.flight_id).toBe(1);
    expect(evidenceObservation([seen(1), seen(2)])!.flight_id).toBe(2);
  });

  it('falls back to a sliver\'s chips when no other observation has any, and to nothing without chips', () => {
    expect(evidenceObservation([seen(1, { evidence_after: null }), seen(2, { sliver: true })])!.flight_id).toBe(2);
    expect(evidenceObservation([seen(1, { evidence_after: null })])).toBeNull();
  });
});
