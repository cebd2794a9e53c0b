/**
 * Adaptation as a job (issue 19): `npm run model -- adapt` run by a BullMQ worker on its own queue,
 * one job at a time (it trains on every core it is given), with its progress in the job. Started
 * by an admin from the API (POST /api/models/adapt) or the viewer's model panel.
 *
 * The worker runs the command as a child process (scripts/model.ts adapt --json): training already
 * runs in Python, and a child keeps the scoring's ONNX sessions and memory out of the worker, lets
 * the job be ended with it, and is exactly what an operator runs by hand. Its progress is read
 * from the lines it prints: the start, the trainer's "step N/S", the scoring.
 *
 * Where it runs: `npm run model -- worker`, a process of its own; detection workers (`npm run
 * worker`) take adaptation jobs too only when ADAPT_ON_DETECTION_WORKERS=1, since a job holds the
 * CPU for minutes to hours and flights would wait behind it.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EvalJson } from '../model-store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ADAPT_QUEUE = 'model-adapt';
/** Preloaded into the adaptation child: it stops when the worker is killed. */
const EXIT_WITH_PARENT = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'exit-with-parent.ts')).href;

/** What an admin asks for: the data (folders in an evaluation layout, or the office's database) and the trainer's settings. */
export interface AdaptJobData {
  folders?: string[];
  /** Training data from the database: an administrative area's code and the first day (YYYY-MM-DD). */
  fromDb?: { area: string; since: string };
  steps?: number;
  seed?: number;
  name?: string;
  /** Settings of the trainer (scripts/model.ts adapt), e.g. { crop: 64, batch: 4 }. */
  trainer?: { batch?: number; crop?: number; cache?: number; lr?: number; threads?: number };
  /** Who asked (a user name), for the list. */
  requestedBy?: string;
}

export interface AdaptJobProgress {
  phase: 'starting' | 'preparing' | 'training' | 'scoring' | 'done';
  /** 0..1 */
  fraction: number;
  /** The last line the command printed. */
  line: string;
}

/** The command line of a job: scripts/model.ts adapt with the job's options, JSON on stdout. */
export function adaptArguments(data: AdaptJobData): string[] {
  const args = ['adapt', '--json'];
  if (data.folders?.length) args.push('--folders', ...data.folders);
  if (data.fromDb) args.push('--from-db', '--area', data.fromDb.area, '--since', data.fromDb.since);
  const numeric: Record<string, number | undefined> = { steps: data.steps, seed: data.seed, ...data.trainer };
  for (const [key, value] of Object.entries(numeric)) if (value !== undefined) args.push(`--${key}`, String(value));
  if (data.name) args.push('--name', data.name);
  return args;
}

/** The progress a printed line means, or null when it says nothing of it. */
export function progressOfLine(line: string, steps: number): AdaptJobProgress | null {
  const text = line.trim();
  const step = /^step (\d+)\/(\d+)/.exec(text);
  if (step) return { phase: 'training', fraction: 0.1 + 0.75 * Math.min(1, Number(step[1]) / Math.max(1, Number(step[2]) || steps)), line: text };
  if (/^adapting /.test(text)) return { phase: 'preparing', fraction: 0.05, line: text };
  if (/^adapted \d+ steps/.test(text)) return { phase: 'training', fraction: 0.85, line: text };
  if (/^scoring /.test(text)) return { phase: 'scoring', fraction: 0.88, line: text };
  return null;
}

export async function queueAdaptation(connection: Redis, prefix: string, data: AdaptJobData): Promise<string> {
  const queue = new Queue<AdaptJobData>(ADAPT_QUEUE, { connection, prefix });
  try {
    // No retries: a failed adaptation fails for a reason an admin must read (bad folder, no torch).
    const job = await queue.add('adapt', data, { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } });
    return job.id!;
  } finally {
    await queue.close();
  }
}

/** What `scripts/model.ts adapt --json` answers: the version it stored, its held-back names, and the base's and its scores there. */
export interface AdaptOutcome {
  version: string;
  held_back: string[];
  before: EvalJson;
  after: EvalJson;
}

export interface AdaptJobView {
  id: string;
  state: string;
  data: AdaptJobData;
  progress: AdaptJobProgress | null;
  /** The command's JSON answer when done. */
  result: AdaptOutcome | null;
  failure: string | null;
  queued_at: string;
  finished_at: string | null;
}

function view(job: Job<AdaptJobData>, state: string): AdaptJobView {
  const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as unknown as AdaptJobProgress) : null;
  return {
    id: job.id!, state, data: job.data, progress, result: job.returnvalue ?? null, failure: job.failedReason || null,
    queued_at: new Date(job.timestamp).toISOString(), finished_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}

/** The newest adaptation jobs, any state, newest first. */
export async function adaptJobs(connection: Redis, prefix: string, limit = 20): Promise<AdaptJobView[]> {
  const queue = new Queue<AdaptJobData>(ADAPT_QUEUE, { connection, prefix });
  try {
    const jobs = await queue.getJobs(['active', 'waiting', 'delayed', 'completed', 'failed'], 0, limit - 1);
    const views = await Promise.all(jobs.filter(Boolean).map(async (job) => view(job, await job.getState())));
    return views.sort((a, b) => Number(b.id) - Number(a.id)).slice(0, limit);
  } finally {
    await queue.close();
  }
}

export async function adaptJob(connection: Redis, prefix: string, id: string): Promise<AdaptJobView | null> {
  const queue = new Queue<AdaptJobData>(ADAPT_QUEUE, { connection, prefix });
  try {
    const job = await queue.getJob(id);
    return job ? view(job, await job.getState()) : null;
  } finally {
    await queue.close();
  }
}

/** A TypeScript script of the repository in a child that ends itself and its own children when this process dies. */
export function spawnExitingWithParent(args: string[], env: NodeJS.ProcessEnv): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['--import', 'tsx', '--import', EXIT_WITH_PARENT, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs one job's command; resolves with its JSON answer. */
function runAdaptation(job: Job<AdaptJobData>, env: NodeJS.ProcessEnv): Promise<AdaptOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawnExitingWithParent(['scripts/model.ts', ...adaptArguments(job.data)], env);
    let stdout = '';
    let tail = '';
    const lastLines: string[] = [];
    let reported = Promise.resolve();
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const parts = (tail + chunk.toString()).split('\n');
      tail = parts.pop()!;
      for (const line of parts) {
        lastLines.push(line);
        if (lastLines.length > 5) lastLines.shift();
        const progress = progressOfLine(line, job.data.steps ?? 400);
        // In order, one at a time: a later line never lands before an earlier one.
        if (progress) reported = reported.then(() => job.updateProgress(progress as unknown as object)).catch(() => undefined);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      void reported.then(() => {
        if (code !== 0) {
          const why = [...lastLines, tail].filter(Boolean).join(' | ').replace(/^model: /, '');
          // A usage mistake or a refusal (bad folder, no torch) fails the same way again: no retry.
          reject(new UnrecoverableError(`npm run model -- adapt ended with ${code}: ${why}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
        } catch {
          reject(new Error(`npm run model -- adapt printed no JSON answer: ${stdout.slice(-200)}`));
        }
      });
    });
  });
}

/** The adaptation worker: concurrency 1, whatever WORKER_CONCURRENCY says for flights. */
export function createAdaptWorker(connection: Redis, prefix: string, env: NodeJS.ProcessEnv = process.env): Worker<AdaptJobData> {
  return new Worker<AdaptJobData>(
    ADAPT_QUEUE,
    async (job) => {
      await job.updateProgress({ phase: 'starting', fraction: 0, line: '' } satisfies AdaptJobProgress);
      const result = await runAdaptation(job, env);
      await job.updateProgress({ phase: 'done', fraction: 1, line: '' } satisfies AdaptJobProgress);
      return result;
    },
    // A job runs for minutes to hours, its event loop free (the work is in a child): a long lock
    // would only slow the hand-over of a job whose worker died.
    { connection, prefix, concurrency: 1, lockDuration: 60_000 },
  );
}
