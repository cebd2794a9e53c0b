import { describe, expect, it } from 'vitest';
import { inCallOrder } from './in-call-order.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inCallOrder', () => {
  it('lands concurrent calls in call order even when earlier ones are slower', async () => {
    const landed: number[] = [];
    const write = inCallOrder(async (n: number) => {
      await sleep(n % 2 ? 20 : 1); // odd calls are slow: unordered, they would land after their successors
      landed.push(n);
    });
    await Promise.all([1, 2, 3, 4, 5].map(write));
    expect(landed).toEqual([1, 2, 3, 4, 5]);
  });

  it('runs one call at a time', async () => {
    let running = 0;
    let most = 0;
    const write = inCallOrder(async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(2);
      running -= 1;
    });
    await Promise.all(Array.from({ length: 6 }, () => write(undefined)));
    expect(most).toBe(1);
  });

  it('rejects only the failed call; later calls still run', async () => {
    const landed: number[] = [];
    const write = inCallOrder(async (n: number) => {
      if (n === 2) throw new Error('redis went away');
      landed.push(n);
    });
    const results = await Promise.allSettled([1, 2, 3].map(write));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(landed).toEqual([1, 3]);
  });
});
