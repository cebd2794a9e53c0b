/**
 * The model store's routes (issue 19) against the real database, Redis and a real model store in a
 * temporary folder: admins list versions with their scores, queue adaptations, promote (a worse
 * version refused unless forced) and roll back; reviewers and anonymous callers may do none of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { storeCopiedVersion } from '#pipeline/model/testing/store-version.js';
import { promotedVersion } from '#pipeline/model-store.js';
import { adaptJob } from '#pipeline/queue/adapt-job.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { deleteKeysUnder } from '#pipeline/queue/testing/redis-keys.js';
import { writePng } from '#scripts/eval/testing/write-folders.js';
import { buildApi } from '../server.js';
import { createAccounts, PASSWORD } from '../testing/accounts.js';

const pool = createTestPool();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-model-routes-'));
const store = path.join(tmp, 'models');
const pipeline: PipelineConfig = { ...loadConfig(), queuePrefix: `lingwei-test-model-routes-${process.pid}` };
const redis = createRedisConnection(pipeline.redisUrl);
const saved = process.env.MODEL_STORE;
let app: FastifyInstance;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  await emptyTables(pool);
  await createAccounts(pool);
  process.env.MODEL_STORE = store;
  // "better" has a patrol check; "worse" stands for a version made before patrol checks.
  storeCopiedVersion(store, 'better', { before: 0.4, after: 0.6, patrol: { before: 0.7, after: 0.72 } });
  storeCopiedVersion(store, 'worse', { before: 0.5, after: 0.3 });
  app = await buildApi({ pool, pipeline });
  for (const user of ['admin', 'reviewer']) {
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: user, password: PASSWORD } });
    cookies[user] = `lingwei_session=${login.cookies.find((c) => c.name === 'lingwei_session')!.value}`;
  }
});
afterAll(async () => {
  if (saved === undefined) delete process.env.MODEL_STORE;
  else process.env.MODEL_STORE = saved;
  await app.close();
  await deleteKeysUnder(redis, pipeline.queuePrefix);
  redis.disconnect();
  await pool.end();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const as = (user: string | null, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url, headers: user ? { cookie: cookies[user]! } : {}, ...(payload ? { payload } : {}) });

describe('the model routes', () => {
  it('are for admins alone: 403 for a reviewer, 401 for nobody, and nothing changes', async () => {
    const folder = path.join(tmp, 'office');
    fs.mkdirSync(folder);
    for (const [method, url, payload] of [
      ['GET', '/api/models'], ['POST', '/api/models/adapt', { folders: [folder] }], ['GET', '/api/models/jobs/1'],
      ['POST', '/api/models/versions/better/promote', {}], ['POST', '/api/models/rollback'],
    ] as const) {
      expect((await as('reviewer', method, url, payload)).statusCode, `${method} ${url}`).toBe(403);
      expect((await as(null, method, url, payload)).statusCode, `${method} ${url}`).toBe(401);
    }
    expect(promotedVersion(store)).toBe('shipped');
    expect((await as('admin', 'GET', '/api/models')).json()).toMatchObject({ jobs: [] });
  });

  it('lists the versions with their held-back scores and which one serves', async () => {
    const r = await as('admin', 'GET', '/api/models');
    expect(r.statusCode).toBe(200);
    const body = r.json<{ served: string; versions: { version: string; before: number; after: number; gain: number; promoted: boolean }[] }>();
    expect(body.served).toBe('shipped');
    expect(body.versions.map((v) => [v.version, v.before, v.after, v.promoted])).toEqual([['better', 0.4, 0.6, false], ['worse', 0.5, 0.3, false]]);
    expect(body.versions[0]!.gain).toBeCloseTo(0.2, 6);
    // the patrol check's object F1 of the base and the version; null for a version without one
    expect(r.json<{ versions: { patrol: unknown }[] }>().versions.map((v) => v.patrol)).toEqual([{ before: 0.7, after: 0.72 }, null]);
  });

  it('refuses to promote a worse version, saying by how much; forced, it serves; rollback undoes it, once', async () => {
    const refused = await as('admin', 'POST', '/api/models/versions/worse/promote', {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ detail: string }>().detail).toBe('refused: worse scores pixel F1 0.300 on its held-back share (0 pairs), 0.200 below shipped, which serves now (0.500); promote it anyway with --force');
    expect(promotedVersion(store)).toBe('shipped');
    const forced = await as('admin', 'POST', '/api/models/versions/worse/promote', { force: true });
    expect(forced.statusCode).toBe(200);
    expect(forced.json()).toMatchObject({ promoted: true, forced: true, version: 'worse', replaced: 'shipped' });
    expect(promotedVersion(store)).toBe('worse');
    const back = await as('admin', 'POST', '/api/models/rollback');
    expect(back.json()).toMatchObject({ from: 'worse', to: 'shipped' });
    expect((await as('admin', 'POST', '/api/models/rollback')).statusCode).toBe(409);
    const better = await as('admin', 'POST', '/api/models/versions/better/promote', {});
    expect(better.json()).toMatchObject({ promoted: true, forced: false, version: 'better', margin: expect.closeTo(0.2, 6) });
    expect((await as('admin', 'GET', '/api/models')).json()).toMatchObject({ served: 'better' });
    await as('admin', 'POST', '/api/models/rollback');
  });

  it('scores the served version afresh on the held-back share of a version adapted from another, with the evaluation in a child process', async () => {
    // "held" was adapted from "better", while the shipped networks serve: its record holds no
    // figure of theirs, so promotion runs npm run eval over its held-back pair with them.
    const dir = storeCopiedVersion(store, 'held', { base: 'better', before: 0.5, after: 1 });
    const size = 128;
    const field = (base: number) => Uint8Array.from({ length: size * size }, (_, i) => base + ((i * 7 + ((i / size) | 0) * 3) % 23));
    const before = [field(70), field(100), field(50)];
    const after = before.map((band) => band.slice());
    const label = new Uint8Array(size * size);
    for (let r = 30; r < 90; r++) for (let c = 20; c < 80; c++) { after.forEach((band) => (band[r * size + c] = 205)); label[r * size + c] = 255; }
    const file = (sub: string) => path.join(dir, 'held-back', sub, 'roof.png');
    for (const sub of ['A', 'B', 'label']) fs.mkdirSync(path.dirname(file(sub)), { recursive: true });
    writePng(file('A'), before, size);
    writePng(file('B'), after, size);
    writePng(file('label'), [label], size);
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'version.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'version.json'), JSON.stringify({
      ...record, gsd: 0.5, held_back: ['roof'], held_back_files: [{ name: 'roof', before: file('A'), after: file('B'), label: file('label') }],
    }));

    const promoted = await as('admin', 'POST', '/api/models/versions/held/promote', {});
    expect(promoted.statusCode, promoted.body).toBe(200);
    const result = promoted.json<{ promoted: boolean; replaced: string; current: number | null; margin: number | null; message: string }>();
    expect(result).toMatchObject({ promoted: true, replaced: 'shipped' });
    // The shipped networks' own figure there, not the record's 0.5 (which is "better"'s).
    expect(result.current).toEqual(expect.any(Number));
    expect(result.current).not.toBe(0.5);
    expect(result.margin).toBeCloseTo(1 - result.current!, 9);
    expect(result.message).toContain(`pixel F1 1.000 on its held-back share (1 pairs) against ${result.current!.toFixed(3)}`);
    await as('admin', 'POST', '/api/models/rollback');

    // Its held-back files gone, it cannot be compared: refused unless forced.
    fs.rmSync(file('label'));
    const refused = await as('admin', 'POST', '/api/models/versions/held/promote', {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ detail: string }>().detail).toMatch(/^refused: held cannot be compared with shipped, which serves now: its held-back files are gone/);
  }, 120_000);

  it('says which versions do not exist', async () => {
    expect((await as('admin', 'POST', '/api/models/versions/nope/promote', {})).statusCode).toBe(404);
    expect((await as('admin', 'POST', '/api/models/versions/..%2F..%2Fetc/promote', {})).statusCode).toBe(404);
    expect((await as('admin', 'POST', '/api/models/versions/shipped/promote', {})).statusCode).toBe(400);
    expect((await as('admin', 'GET', '/api/models/jobs/999999')).statusCode).toBe(404);
  });

  it('queues an adaptation on its own queue for a worker to take, and refuses bad requests', async () => {
    const folder = path.join(tmp, 'office');
    for (const [payload, why] of [
      [{}, /give folders/],
      [{ folders: ['relative/dir'] }, /not a folder on the server/],
      [{ folders: [path.join(tmp, 'missing')] }, /not a folder on the server/],
      [{ area: 'QP01' }, /needs since/],
      [{ folders: [folder], area: 'QP01', since: '2026-01-01' }, /not both/],
      [{ folders: [folder], name: '../x' }, /letters, digits/],
      [{ folders: [folder], steps: 0 }, /steps/],
    ] as const) {
      const r = await as('admin', 'POST', '/api/models/adapt', payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json<{ detail: string }>().detail).toMatch(why);
    }
    const queued = await as('admin', 'POST', '/api/models/adapt', { folders: [folder], steps: 5, seed: 2 });
    expect(queued.statusCode).toBe(202);
    const { job } = queued.json<{ job: string }>();
    // No adaptation worker runs here: the job waits in the model-adapt queue, not the flights'.
    expect(await adaptJob(redis, pipeline.queuePrefix, job)).toMatchObject({ state: 'waiting', data: { folders: [folder], steps: 5, seed: 2, requestedBy: 'admin' } });
    const listed = (await as('admin', 'GET', '/api/models')).json<{ jobs: { id: string; state: string }[] }>();
    expect(listed.jobs).toEqual([expect.objectContaining({ id: job, state: 'waiting' })]);
    expect((await as('admin', 'GET', `/api/models/jobs/${job}`)).json()).toMatchObject({ id: job, state: 'waiting' });
  });

  it('takes folders only under ADAPT_FOLDERS_ROOT when it is set (the API accepted folders the model worker, in another container, cannot see)', async () => {
    const shared = path.join(tmp, 'shared');
    const inside = path.join(shared, 'office');
    const outside = path.join(tmp, 'elsewhere');
    fs.mkdirSync(inside, { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
    fs.symlinkSync(outside, path.join(shared, 'link-out'));
    process.env.ADAPT_FOLDERS_ROOT = shared;
    try {
      for (const folder of [outside, path.join(shared, 'link-out')]) {
        const r = await as('admin', 'POST', '/api/models/adapt', { folders: [folder], steps: 1 });
        expect(r.statusCode, folder).toBe(400);
        expect(r.json<{ detail: string }>().detail).toMatch(/not under .*ADAPT_FOLDERS_ROOT/);
      }
      expect((await as('admin', 'POST', '/api/models/adapt', { folders: [inside], steps: 1 })).statusCode).toBe(202);
    } finally {
      delete process.env.ADAPT_FOLDERS_ROOT;
    }
  });
});
