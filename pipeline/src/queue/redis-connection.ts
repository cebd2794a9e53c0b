/** The Redis connections the queues use. BullMQ workers need blocking commands never to time out. */
import { Redis } from 'ioredis';

export function createRedisConnection(url: string): Redis {
  return new Redis(url, {
    // Required by BullMQ workers; a Redis restart is then waited out instead of failing commands.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}
