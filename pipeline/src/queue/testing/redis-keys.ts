/** For tests and benches: Redis keys of one run's prefix (a queue, a tile cache), dropped afterwards. */
import type { Redis } from 'ioredis';

/** Deletes every key under `prefix:` (SCAN, so a large Redis is not blocked). */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
