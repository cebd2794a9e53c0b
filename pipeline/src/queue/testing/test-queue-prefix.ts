/**
 * vitest globalSetup: every test run gets a BullMQ queue prefix of its own, dropped when the run
 * ends. A test that forgets to pass its own prefix (or builds the API with the default config)
 * would otherwise queue jobs under the default `lingwei` prefix of the developer's Redis, where
 * the next `npm run demo` worker picks them up and fails them ("belongs to a flight that no
 * longer exists"). The prefix names the run's process, so two runs on one Redis stay apart.
 */
import { loadConfig } from '../../config.js';
import { createRedisConnection } from '../redis-connection.js';
import { deleteKeysUnder } from './redis-keys.js';

/** The prefix a test run's queues live under; never the deployment default. */
export function testRunQueuePrefix(pid = process.pid): string {
  return `lingwei-test-run-${pid}`;
}

export default function setup(): () => Promise<void> {
  // Set before the test workers start, which inherit it: loadConfig() in any test reads it.
  const prefix = testRunQueuePrefix();
  process.env.QUEUE_PREFIX = prefix;
  return async () => {
    const redis = createRedisConnection(loadConfig().redisUrl);
    try {
      await deleteKeysUnder(redis, prefix);
    } finally {
      redis.disconnect();
    }
  };
}
