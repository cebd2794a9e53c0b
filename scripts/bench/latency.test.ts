import { describe, expect, it } from 'vitest';
import { formatLatency, summariseLatency } from './latency.js';

describe('summariseLatency', () => {
  it('takes nearest-rank percentiles whatever the order of the samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1
    const s = summariseLatency(samples);
    expect(s).toMatchObject({ count: 100, p50: 50, p95: 95, p99: 99, mean: 50.5 });
    expect(formatLatency(s)).toBe('p50 50.0 ms, p99 99.0 ms (n=100)');
  });

  it('gives NaN, not a made-up figure, for no samples', () => {
    expect(summariseLatency([]).p50).toBeNaN();
  });
});
