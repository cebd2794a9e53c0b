/**
 * The GDAL child of a worker that is killed (kill -9) stops, instead of writing on beside the
 * worker that takes the job over (it wrote the same `.partial` file as the new attempt). Real
 * processes: a stand-in worker that starts a long translate through gdal-child.ts and is killed.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../stages/testing/flight-files.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = tempDir('gdal-child');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));

/**
 * Starts a stand-in worker that runs `call` (an exported function of gdal-child.ts, with `args`) on
 * a source that takes long, waits until its child is writing `written`, kills the worker and
 * resolves with whether the child still runs 3 s later.
 */
async function childOutlivesKilledWorker(call: string, args: (source: string) => unknown[], written: (source: string) => string): Promise<boolean> {
  // A source that takes long to work through: 40000 x 40000 pixels of a generated VRT.
  const source = path.join(dir, `slow-${call}.vrt`);
  execFileSync('gdal_translate', ['-q', '-of', 'VRT', '-outsize', '40000', '40000', path.join(ROOT, 'fixtures', 'scene', 'after_ortho.tif'), source]);
  const worker = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const child = await import(${JSON.stringify(path.join(ROOT, 'pipeline', 'src', 'raster', 'gdal-child.ts'))});
    await child.${call}(...${JSON.stringify(args(source))});
  `], { stdio: 'ignore' });
  let child: number | undefined;
  await expect.poll(() => (child = childrenOf(worker.pid!)[0]), { timeout: 20_000, interval: 100 }).toBeDefined();
  // Working, not just started: its output is there.
  await expect.poll(() => fs.existsSync(written(source)), { timeout: 20_000, interval: 100 }).toBe(true);
  worker.kill('SIGKILL');
  try {
    await expect.poll(() => alive(child!), { timeout: 3_000, interval: 100 }).toBe(false);
    return false;
  } catch {
    process.kill(child!, 'SIGKILL'); // the test's own orphan: not left running
    return true;
  }
}

describe('a GDAL child whose worker is killed', () => {
  it('stops within a second or two', async () => {
    const out = path.join(dir, 'out.tif');
    expect(await childOutlivesKilledWorker('translateReportingErrors', (source) => [source, out, ['-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES']], () => out)).toBe(false);
  });

  it("stops while it builds ingest's overviews, before it translates (the orphan built them on to the end)", async () => {
    const out = path.join(dir, 'reduced.tif');
    expect(await childOutlivesKilledWorker('overviewsThenTranslateReportingErrors', (source) => [source, [2, 4], out, []], (source) => `${source}.ovr`)).toBe(false);
  });
});
