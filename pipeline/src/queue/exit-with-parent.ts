/**
 * Preloaded (node --import) into a worker's adaptation child: when the worker is killed (kill -9,
 * the machine's OOM killer) the child is left to the init process and would train on, holding the
 * CPU beside the job's next attempt. It then kills its own descendants (the Python trainer) and
 * itself, as gdal-child.ts does for GDAL's child. The watch is a thread of its own, so synchronous
 * work on the child's main thread cannot hold it up. Linux: descendants are read from /proc.
 */
import { Worker } from 'node:worker_threads';

const WATCH = `
const fs = require('node:fs');
const parent = ${process.ppid};
function descendants(pid) {
  let children = [];
  try {
    for (const task of fs.readdirSync('/proc/' + pid + '/task')) {
      children.push(...fs.readFileSync('/proc/' + pid + '/task/' + task + '/children', 'utf8').trim().split(/\\s+/).filter(Boolean).map(Number));
    }
  } catch {}
  return children.flatMap((child) => [child, ...descendants(child)]);
}
setInterval(() => {
  if (process.ppid === parent) return;
  for (const pid of descendants(process.pid)) {
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  process.kill(process.pid, 'SIGKILL');
}, 250);`;

new Worker(WATCH, { eval: true }).unref();
