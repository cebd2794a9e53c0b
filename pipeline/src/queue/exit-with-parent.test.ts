/**
 * The adaptation child of a worker that is killed (kill -9) stops, and takes its trainer with it,
 * instead of training on beside the job's next attempt. Real processes: a stand-in worker starts a
 * child through spawnExitingWithParent (as runAdaptation does), whose script starts a long
 * grandchild (standing for the Python trainer); then the worker is killed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../stages/testing/flight-files.js';

const ADAPT_JOB_TS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'adapt-job.ts');
const dir = tempDir('exit-with-parent');
const pids: number[] = [];
afterAll(() => {
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone, as it should be */ }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('an adaptation child whose worker is killed', () => {
  it('stops with its own child within a second or two', async () => {
    const pidsFile = path.join(dir, 'pids');
    const script = path.join(dir, 'adapt-stand-in.mjs');
    fs.writeFileSync(script, `
      import { spawn } from 'node:child_process';
      import fs from 'node:fs';
      const trainer = spawn('sleep', ['60'], { stdio: 'ignore' });
      fs.writeFileSync(${JSON.stringify(pidsFile)}, process.pid + ' ' + trainer.pid);
      setInterval(() => {}, 1000);
    `);
    const worker = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { spawnExitingWithParent } = await import(${JSON.stringify(ADAPT_JOB_TS)});
      spawnExitingWithParent([${JSON.stringify(script)}], process.env);
      setInterval(() => {}, 1000);
    `], { stdio: 'ignore' });
    pids.push(worker.pid!);
    await expect.poll(() => fs.existsSync(pidsFile) && fs.readFileSync(pidsFile, 'utf8').includes(' '), { timeout: 20_000, interval: 100 }).toBe(true);
    const [child, trainer] = fs.readFileSync(pidsFile, 'utf8').split(' ').map(Number) as [number, number];
    pids.push(child, trainer);
    expect([alive(child), alive(trainer)]).toEqual([true, true]);
    worker.kill('SIGKILL');
    await expect.poll(() => [alive(child), alive(trainer)], { timeout: 3_000, interval: 100 }).toEqual([false, false]);
  }, 30_000);
});
