/**
 * The review loop in a real browser: how long from a reviewer's decision (V) to the next
 * candidate on screen, p50/p95, with the fixture scene through the real pipeline in a scratch
 * database. Reference in the same run: the bare API round trip of the same decision (verify, then
 * reopen) from Node, so the figure compares across machines as a ratio.
 */
import { performance } from 'node:perf_hooks';
import { summariseLatency } from '#scripts/bench/latency.js';
import { createPool, databaseUrl } from '#db/connection.js';
import { migrateUp } from '#db/migrate.js';
import { dropDatabase, recreateDatabase, siblingDatabaseUrl } from '#db/testing/test-database.js';
import { PASSWORD } from '#api/testing/accounts.js';
import {
  closeSceneSession, describeTiming, logIn, measureReviewLoop, openSceneSession, ownPipelineConfig,
} from './tests/harness.js';

const ROUNDS = Number(process.env.BENCH_REVIEW_ROUNDS ?? 20);

/** The same decisions straight against the API: verify + reopen, `rounds` times; ms per verify. */
async function apiRoundTrip(baseUrl: string, candidateId: string, rounds: number): Promise<number[]> {
  const login = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'reviewer2', password: PASSWORD }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const review = async (body: object) => (await fetch(`${baseUrl}/api/candidates/${candidateId}/review`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) })).json() as Promise<{ version: number }>;
  const detail = (await (await fetch(`${baseUrl}/api/candidates/${candidateId}`, { headers: { cookie } })).json()) as { properties: { version: number } };
  let version = detail.properties.version;
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    ({ version } = await review({ action: 'verify', version }));
    samples.push(performance.now() - started);
    ({ version } = await review({ action: 'reopen', version }));
  }
  return samples;
}

export async function benchReviewLoop(rounds = ROUNDS): Promise<string> {
  const url = siblingDatabaseUrl(databaseUrl(), '_viewer_bench');
  await recreateDatabase(url);
  await migrateUp(url);
  const pool = createPool(url, 4);
  const config = ownPipelineConfig('viewer-bench');
  try {
    const session = await openSceneSession(pool, config);
    const { baseUrl, page } = session;
    try {
      await logIn(page, baseUrl, 'reviewer');
      await page.getByTestId('candidate-panel').locator('[data-status]').waitFor();
      const timing = await measureReviewLoop(page, rounds);
      const { rows: [last] } = await pool.query<{ id: string }>(`SELECT id::text FROM candidate WHERE status = 'pending' ORDER BY id DESC LIMIT 1`);
      const apiP50 = summariseLatency(await apiRoundTrip(baseUrl, last!.id, rounds)).p50;
      return `${describeTiming(timing)}\nreference: the verify request alone from Node p50 ${apiP50.toFixed(1)} ms; ratio browser/API ${(timing.p50 / apiP50).toFixed(1)}`;
    } finally {
      await closeSceneSession(session, config);
    }
  } finally {
    await pool.end();
    await dropDatabase(url);
  }
}

export default async function bench(): Promise<void> {
  console.log(await benchReviewLoop());
}
