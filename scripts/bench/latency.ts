/**
 * Latency figures for the benches: percentiles of a list of samples (ms) and a formatter, so every
 * bench prints p50/p99 the same way.
 */

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Nearest-rank percentile (q in 0..1) of sorted samples. */
function rank(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summariseLatency(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  return { count: sorted.length, p50: rank(sorted, 0.5), p95: rank(sorted, 0.95), p99: rank(sorted, 0.99), mean };
}

export function formatLatency(s: LatencySummary): string {
  const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  return `p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms (n=${s.count})`;
}

/** Runs `task` once per item, one after another, and returns each run's time in ms. */
export async function timeEach<T>(items: readonly T[], task: (item: T) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (const item of items) {
    const start = performance.now();
    await task(item);
    samples.push(performance.now() - start);
  }
  return samples;
}
