/** `npm run api`: serves the API on HOST:PORT (default 127.0.0.1:8080). */
import { createPool } from '../../db/connection.js';
import { buildApi } from './server.js';

const pool = createPool();
const app = await buildApi({ pool, logger: true });
const port = Number(process.env.PORT ?? 8080);
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
}
