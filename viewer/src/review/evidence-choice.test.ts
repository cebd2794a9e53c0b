import { describe, expect, it } from 'vitest';
import type { CandidateDetail, Observation } from '../api/client.js';
import { evidenceObservation, imageryFlights } from './evidence-choice.js';

const seen = (flight: number, extra: Partial<Observation> = {}): Observation => ({
  flight_id: flight, observed_at: `2026-10-${10 + flight}T10:00:00Z`, captured_at: `2026-10-${10 + flight}T02:00:00Z`,
  before_flight_id: null, before_captured_at: null, area_m2: 85.6, height_gain_m: 6, score: 0.9,
  evidence_before: `/b/${flight}`, evidence_after: `/a/${flight}`, sliver: false, model_version: 'shipped', ...extra,
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

describe('imageryFlights', () => {
  const detail = (last: number | null, observations: Observation[]) =>
    ({ properties: { last_flight_id: last } as CandidateDetail['properties'], observations });

  it('compares the last flight with the flight its detection compared with, not the newest flight before it', () => {
    // Flight 3 saw the candidate against flight 1; flight 2, flown between them, does not cover it.
    expect(imageryFlights(detail(3, [seen(1), seen(3, { before_flight_id: 1 })]))).toEqual({ after: '3', before: '1' });
  });

  it('shows no earlier imagery when the detection had none, and nothing for a candidate no flight saw', () => {
    expect(imageryFlights(detail(3, [seen(3)]))).toEqual({ after: '3', before: null });
    expect(imageryFlights(detail(null, []))).toEqual({ after: null, before: null });
  });
});
