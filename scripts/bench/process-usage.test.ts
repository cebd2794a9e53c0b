import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { OwnCoresClock, treeRunnableThreads } from './process-usage.js';

const started: ChildProcess[] = [];
afterEach(() => {
  // Each was started as its own process group: the group goes, the spinning grandchild with it.
  for (const child of started.splice(0)) process.kill(-child.pid!, 'SIGKILL');
});

function run(script: string): number {
  const child = spawn('bash', ['-c', script], { stdio: 'ignore', detached: true });
  started.push(child);
  return child.pid!;
}

describe('the bench’s 2-core clock', () => {
  it('counts a thread in a busy loop as asking for a core and a sleeping one as not, down the process tree', async () => {
    const sleeping = run('sleep 30');
    // A parent that waits, with a child that spins: the tree asks for one core.
    const spinning = run('bash -c "while :; do :; done" & wait');
    await expect.poll(() => treeRunnableThreads(spinning), { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    // Once started (a process being started is itself runnable), the sleeper asks for none.
    await expect.poll(() => treeRunnableThreads(sleeping), { timeout: 5_000 }).toBe(0);
  });

  it('divides each interval’s CPU seconds by the cores asked for, at least one and at most its own', () => {
    const clock = new OwnCoresClock(2);
    clock.add(1, 0); // waiting on the database: one core's time
    clock.add(1, 1);
    clock.add(2, 2);
    clock.add(2, 6); // more threads than cores: still two
    expect(clock.seconds).toBe(4);
  });
});
