/**
 * The tile reader reads only what a tile needs: GDAL's own debug log (CPL_DEBUG) says which
 * overview gdalwarp chose and which source window it read. Run in a child process, because GDAL
 * writes that log to the process's stderr.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gdal from '#pipeline/gdal.js';
import { tempDir } from '#pipeline/stages/testing/flight-files.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = tempDir('tile-window');
const cog = path.join(dir, 'dsm.cog.tif');

beforeAll(async () => {
  // The fixture scene's surface model (1000 x 1000, 0.2 m) as a COG with one 500 x 500 overview.
  const source = await gdal.openAsync(path.join(ROOT, 'fixtures/scene/after_dsm.tif'));
  (await gdal.translateAsync(cog, source, ['-of', 'COG', '-co', 'OVERVIEWS=AUTO', '-co', 'BLOCKSIZE=512', '-co', 'COMPRESS=DEFLATE'])).close();
  source.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Reads one tile of the COG in a child process; returns its valid pixel count and GDAL's debug log. */
async function readInChild(tile: { z: number; x: number; y: number }): Promise<{ valid: number; log: string }> {
  const code = `
    import { readHeightTile } from './api/src/rasters/read-tile-window.ts';
    const window = await readHeightTile({ uri: ${JSON.stringify(cog)}, key: 'k', tile: ${JSON.stringify(tile)}, shift: { dx: 0, dy: 0 } });
    console.log('VALID=' + Array.from(window.valid).filter(Boolean).length);`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT, env: { ...process.env, CPL_DEBUG: 'ON' },
  });
  return { valid: Number(/VALID=(\d+)/.exec(stdout)![1]), log: stderr };
}

/** The source windows GDAL's warp kernel read: [x, y, width, height]. */
const sourceWindows = (log: string) => [...log.matchAll(/Src=(\d+),(\d+),(\d+)x(\d+)/g)].map((m) => m.slice(1).map(Number));

describe('reading a tile window', () => {
  it('zoomed out, reads the overview instead of the full-resolution raster', async () => {
    // Zoom 15 (4 m pixels): the whole 200 m flight fits in a corner of the tile.
    const { valid, log } = await readInChild({ z: 15, x: 27408, y: 13399 });
    expect(valid).toBeGreaterThan(40 * 40);
    expect(log).toMatch(/Selecting overview level 0 for .*dsm\.cog\.tif/);
    for (const [, , w, h] of sourceWindows(log)) expect(Math.max(w!, h!)).toBeLessThanOrEqual(500);
  });

  it('zoomed in, reads only the window under the tile', async () => {
    // Zoom 20 (13 cm ground pixels): a 33 m tile of the 200 m flight.
    const { valid, log } = await readInChild({ z: 20, x: 877062, y: 428785 });
    expect(valid).toBeGreaterThan(0.8 * 258 * 258); // the tile (with its margin) lies inside the flight; water has no heights
    expect(log).not.toMatch(/Selecting overview level/);
    const windows = sourceWindows(log);
    expect(windows.length).toBeGreaterThan(0);
    for (const [, , w, h] of windows) expect(w! * h!).toBeLessThan(0.05 * 1000 * 1000);
  });
});
