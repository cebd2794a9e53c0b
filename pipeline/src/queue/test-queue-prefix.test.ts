/** The test run's own queue prefix (vitest globalSetup), against the real Redis. */
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { FLIGHT_QUEUE } from './flight-flow.js';
import { createRedisConnection } from './redis-connection.js';
import setupTestQueuePrefix, { testRunQueuePrefix } from './testing/test-queue-prefix.js';

describe('the test run\'s queue prefix', () => {
  it('is the run\'s own, never the deployment default that `npm run demo` workers read', () => {
    expect(loadConfig().queuePrefix).not.toBe('lingwei');
    expect(loadConfig().queuePrefix).toMatch(/^lingwei-test-run-\d+$/);
  });

  it('is dropped from Redis when the run ends, jobs and all', async () => {
    const previous = process.env.QUEUE_PREFIX;
    const teardown = setupTestQueuePrefix(); // this worker's pid: a prefix apart from the run's
    const prefix = testRunQueuePrefix();
    const redis = createRedisConnection(loadConfig().redisUrl);
    try {
      expect(loadConfig().queuePrefix).toBe(prefix);
      const queue = new Queue(FLIGHT_QUEUE, { connection: redis, prefix });
      await queue.add('ingest', { flightId: '1' }, { jobId: 'left-behind' });
      await queue.close();
      expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
      await teardown();
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      process.env.QUEUE_PREFIX = previous;
      redis.disconnect();
    }
  });
});
