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

describe('a GDAL child whose worker is killed', () => {
  it('stops within a second or two', async () => {
    // A source that takes long to translate: 40000 x 40000 pixels of a generated VRT, deflated.
    const source = path.join(dir, 'slow.vrt');
    execFileSync('gdal_translate', ['-q', '-of', 'VRT', '-outsize', '40000', '40000', path.join(ROOT, 'fixtures', 'scene', 'after_ortho.tif'), source]);
    const worker = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { translateReportingErrors } = await import(${JSON.stringify(path.join(ROOT, 'pipeline', 'src', 'raster', 'gdal-child.ts'))});
      await translateReportingErrors(${JSON.stringify(source)}, ${JSON.stringify(path.join(dir, 'out.tif'))}, ['-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES']);
    `], { stdio: 'ignore' });
    let child: number | undefined;
    await expect.poll(() => (child = childrenOf(worker.pid!)[0]), { timeout: 20_000, interval: 100 }).toBeDefined();
    // Working, not just started: its output grows.
    await expect.poll(() => fs.existsSync(path.join(dir, 'out.tif')), { timeout: 20_000, interval: 100 }).toBe(true);
    worker.kill('SIGKILL');
    await expect.poll(() => alive(child!), { timeout: 3_000, interval: 100 }).toBe(false);
  });
});
