/**
 * Adaptation as a job (issue 19) through the real Redis, a real worker, real PyTorch fine-tuning
 * (three steps on three tiny pairs) and a real model store in a temporary folder: the job reports
 * its progress, ends with the contract's JSON answer, and leaves the version in the store; a job
 * that cannot run fails with the command's reason. Training is skipped, saying so, where Debian's
 * python3-torch is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePairsFolder } from '#scripts/eval/testing/write-folders.js';
import { hasTorch } from '#scripts/model/adapt.js';
import { loadConfig } from '../config.js';
import { listVersions } from '../model-store.js';
import { ADAPT_QUEUE, adaptArguments, adaptJob, createAdaptWorker, progressOfLine, queueAdaptation, type AdaptJobProgress } from './adapt-job.js';
import { createRedisConnection } from './redis-connection.js';
import { deleteKeysUnder } from './testing/redis-keys.js';

const torch = hasTorch();
if (!torch) console.warn('pipeline/src/queue/adapt-job.test.ts: /usr/bin/python3 cannot import torch (Debian: apt-get install python3-torch); the adapting job is not run');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-adapt-job-'));
const store = path.join(tmp, 'models');
const prefix = `lingwei-test-adapt-job-${process.pid}`;
const connection = createRedisConnection(loadConfig().redisUrl);
const env = { ...process.env, MODEL_STORE: store, MODEL_VERSION: '', OMP_WAIT_POLICY: 'PASSIVE' };
let events: QueueEvents;

beforeAll(async () => {
  events = new QueueEvents(ADAPT_QUEUE, { connection: connection.duplicate(), prefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await events.close();
  await deleteKeysUnder(connection, prefix);
  connection.disconnect();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the adaptation job', () => {
  it('turns a request into the command line and printed lines into progress', () => {
    expect(adaptArguments({ folders: ['/a', '/b'], steps: 3, seed: 2, trainer: { crop: 64 }, name: 'v1' }))
      .toEqual(['adapt', '--json', '--folders', '/a', '/b', '--steps', '3', '--seed', '2', '--crop', '64', '--name', 'v1']);
    expect(adaptArguments({ fromDb: { area: 'QP01', since: '2026-01-01' } })).toEqual(['adapt', '--json', '--from-db', '--area', 'QP01', '--since', '2026-01-01']);
    expect(progressOfLine('  step 200/400 new 0.3 lr 0.00050 12 s', 400)).toMatchObject({ phase: 'training', fraction: 0.1 + 0.75 * 0.5 });
    expect(progressOfLine('scoring shipped and v1 on the held-back share', 400)).toMatchObject({ phase: 'scoring' });
    expect(progressOfLine('samples: 2 pairs', 400)).toBeNull();
  });

  it('fails with the command\'s reason when the folder cannot be adapted, without retrying', async () => {
    const surface = path.join(tmp, 'not-pairs');
    fs.mkdirSync(path.join(surface, 'dsm'), { recursive: true });
    const worker = createAdaptWorker(connection.duplicate(), prefix, env);
    try {
      const id = await queueAdaptation(connection, prefix, { folders: [surface] });
      await expect.poll(async () => (await adaptJob(connection, prefix, id))?.state, { timeout: 60_000, interval: 250 }).toBe('failed');
      const job = (await adaptJob(connection, prefix, id))!;
      expect(job.failure).toMatch(/npm run model -- adapt ended with [12]: .*not-pairs/);
    } finally {
      await worker.close();
    }
  }, 90_000);

  it.skipIf(!torch)('adapts on its own queue, one at a time, reporting progress, and stores the version', async () => {
    const office = path.join(tmp, 'office');
    writePairsFolder(office, 3, 64);
    const worker = createAdaptWorker(connection.duplicate(), prefix, env);
    const seen: AdaptJobProgress[] = [];
    events.on('progress', ({ data }) => seen.push(data as unknown as AdaptJobProgress));
    try {
      expect(worker.opts.concurrency).toBe(1);
      const id = await queueAdaptation(connection, prefix, { folders: [office], steps: 3, seed: 1, name: 'job-1', trainer: { batch: 2, crop: 64, cache: 4 } });
      await expect.poll(async () => (await adaptJob(connection, prefix, id))?.state, { timeout: 280_000, interval: 500 }).toBe('completed');
      const job = (await adaptJob(connection, prefix, id))!;
      expect(job.result).toMatchObject({ version: 'job-1', held_back: [expect.any(String)], before: { pixel: expect.any(Object) }, after: { pixel: expect.any(Object) } });
      expect(job.progress).toMatchObject({ phase: 'done', fraction: 1 });
      expect(seen.map((p) => p.phase)).toEqual(expect.arrayContaining(['starting', 'preparing', 'training', 'scoring', 'done']));
      expect(listVersions(store).map((v) => v.version)).toEqual(['job-1']);
    } finally {
      await worker.close();
    }
  }, 300_000);
});
