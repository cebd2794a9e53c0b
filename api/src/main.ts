/** `npm run api`: serves the API on HOST:PORT (default 127.0.0.1:8080). */
import { createPool } from '#db/connection.js';
import { loadConfig } from '#pipeline/config.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { buildApi } from './server.js';

const config = loadConfig();
const pool = createPool();
const redis = createRedisConnection(config.redisUrl);
const app = await buildApi({ pool, redis, cachePrefix: config.queuePrefix, pipeline: config, logger: true });
const port = Number(process.env.PORT ?? 8080);
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void app.close().then(() => pool.end()).then(() => redis.disconnect()).then(() => process.exit(0)));
}
