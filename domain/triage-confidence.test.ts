import { describe, expect, it } from 'vitest';
import { confidenceWeight, priorityOf, type TriageNotes } from './triage.js';

const plain: TriageNotes = { zones: [], nearHistoric: [], reasons: [] };
const hazard: TriageNotes = { ...plain, zones: [{ zoneKey: 'Z-river', kind: 'river_bank' }] };

describe('priority weighted by calibrated confidence', () => {
  it('weights the urgency by 0.5 + 0.5 c, and not at all without a confidence (golden values)', () => {
    // 80 m²: size log2(9)·8 = 25.4, height 3 m: 6, hazard 30 -> urgency 61.4
    const change = { changeType: 'new_structure' as const, areaM2: 80, heightGainM: 3 };
    expect(priorityOf(change, hazard)).toBe(61);
    expect(priorityOf({ ...change, confidence: null }, hazard)).toBe(61);
    expect(priorityOf({ ...change, confidence: 1 }, hazard)).toBe(61);
    expect(priorityOf({ ...change, confidence: 0.5 }, hazard)).toBe(46);
    expect(priorityOf({ ...change, confidence: 0 }, hazard)).toBe(31);
    expect(priorityOf({ ...change, confidence: 0.5 }, plain)).toBe(24);
    // a demolition: at most 10 by size, weighted the same way
    expect(priorityOf({ changeType: 'demolished', areaM2: 300, confidence: 0.2 }, plain)).toBe(6);
  });

  it('keeps the documents\' order among equally sure changes and is monotone in the confidence', () => {
    const change = { changeType: 'new_structure' as const, areaM2: 40, heightGainM: 2 };
    for (const c of [0, 0.3, 0.7, 1]) expect(priorityOf({ ...change, confidence: c }, hazard)).toBeGreaterThan(priorityOf({ ...change, confidence: c }, plain));
    let last = -1;
    for (let c = 0; c <= 1; c += 0.05) {
      const p = priorityOf({ ...change, confidence: c }, hazard);
      expect(p).toBeGreaterThanOrEqual(last);
      last = p;
    }
    expect(confidenceWeight(undefined)).toBe(1);
    expect(confidenceWeight(2)).toBe(1);
    expect(confidenceWeight(-1)).toBe(0.5);
  });
});
