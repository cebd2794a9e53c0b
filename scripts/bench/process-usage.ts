/**
 * CPU time and memory of a process and everything it started, from Linux /proc, for the benches
 * that run a worker process: GDAL work that runs in a child (gdal-child.ts) counts as the
 * worker's, as it does on the machine's bill.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

function statFields(pid: number): string[] | null {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  } catch {
    return null; // gone
  }
}

/** The live descendants of a process (children, their children...). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const text = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) children.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    children = [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/**
 * CPU seconds used so far, all threads, user + system, by the process, the children it has
 * waited for, and its live descendants.
 */
export function treeCpuSeconds(pid: number): number {
  const own = statFields(pid);
  if (!own) return 0;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const child of descendants(pid)) {
    const fields = statFields(child);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS;
}

/**
 * Threads of the process and its live descendants that are running or waiting for a core (state
 * R) at this instant: how many cores the work asks for, however many other work leaves it.
 */
export function treeRunnableThreads(pid: number): number {
  let runnable = 0;
  for (const process of [pid, ...descendants(pid)]) {
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${process}/task`);
    } catch {
      continue; // gone
    }
    for (const task of tasks) {
      try {
        if (fs.readFileSync(`/proc/${process}/task/${task}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('R')) runnable += 1;
      } catch {
        // the thread ended
      }
    }
  }
  return runnable;
}

/**
 * Seconds a worker with `cores` cores of its own would take for CPU work measured on a shared
 * machine, summed over sampling intervals: each interval's CPU seconds over the cores its threads
 * asked for (runnable threads at the interval's end, at least one, at most `cores`). Other work
 * on the machine stretches wall seconds but neither the CPU seconds nor the threads asking.
 */
export class OwnCoresClock {
  seconds = 0;
  constructor(private readonly cores: number) {}

  /** Adds one interval: `cpuS` CPU seconds used in it, `runnable` threads asking at its end. */
  add(cpuS: number, runnable: number): void {
    this.seconds += Math.max(0, cpuS) / Math.min(this.cores, Math.max(1, runnable));
  }
}

function memoryKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Peak resident memory of the process itself so far, MiB (Linux VmHWM). */
export function processPeakMemoryMiB(pid: number): number {
  return memoryKiB(pid, 'VmHWM') / 1024;
}

/**
 * Peak memory of the process tree as far as it can be seen now, MiB: the process's own peak
 * (VmHWM) or the resident memory of it and its live descendants together, whichever is more.
 * Sampled by the caller as often as it polls; a child's peak between samples can be missed.
 */
export function treePeakMemoryMiB(pid: number): number {
  const together = [pid, ...descendants(pid)].reduce((sum, p) => sum + memoryKiB(p, 'VmRSS'), 0);
  return Math.max(memoryKiB(pid, 'VmHWM'), together) / 1024;
}

/** Runs a command to its end; returns its CPU seconds (user + system, its children included) and wall seconds. */
export function timedCommand(command: string, args: string[]): { cpuS: number; wallS: number } {
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const start = performance.now();
  // bash's `times` prints the shell's own times, then its children's: "0m1.234s 0m0.567s".
  const result = spawnSync('bash', ['-c', `${quoted} >/dev/null || exit 1; times`], { encoding: 'utf8' });
  const wallS = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  const children = result.stdout.trim().split('\n').at(-1)!;
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return { cpuS: seconds, wallS };
}
