import { describe, expect, it } from 'vitest';
import { mapBounded } from './map-bounded.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapBounded', () => {
  it('keeps the order of the items whatever order the calls finish in', async () => {
    const delays = [30, 5, 20, 1, 10, 0];
    expect(await mapBounded(delays, 3, async (ms, i) => (await tick(ms), `${i}:${ms}`))).toEqual(delays.map((ms, i) => `${i}:${ms}`));
  });

  it('never has more than `limit` calls in flight, and does use them', async () => {
    let inFlight = 0;
    let most = 0;
    await mapBounded([...Array(12).keys()], 4, async (i) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await tick(i % 3);
      inFlight -= 1;
    });
    expect(most).toBe(4);
  });

  it('rejects with the first failure, after the calls in flight have ended, and starts no more', async () => {
    const started: number[] = [];
    let running = 0;
    const map = mapBounded([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      running += 1;
      await tick(i === 1 ? 1 : 15);
      running -= 1;
      if (i === 1) throw new Error('item 1 is unreadable');
      return i;
    });
    await expect(map).rejects.toThrow('item 1 is unreadable');
    expect(running).toBe(0);
    expect(started).toEqual([0, 1]);
  });

  it('maps an empty list and refuses a limit that is not a whole number >= 1', async () => {
    expect(await mapBounded([], 3, async () => 1)).toEqual([]);
    await expect(mapBounded([1], 0, async () => 1)).rejects.toThrow('limit must be a whole number >= 1');
  });
});
