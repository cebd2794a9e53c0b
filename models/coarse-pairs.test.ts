/**
 * Coarse copies of image-pair sets (models/coarse-pairs.ts): block means, and a written folder
 * that the evaluation reads at the coarser resolution it states.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeMask, listPairs, loadPair } from '#scripts/eval/pairs.js';
import { readRaster } from '#scripts/eval/read-raster.js';
import { writePairsFolder } from '#scripts/eval/testing/write-folders.js';
import { coarsenPairFolder } from './coarse-pairs.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-coarse-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('coarse copies of image pairs', () => {
  it('averages whole blocks and drops the partial ones at the right and bottom', () => {
    // 66 x 66, factor 4: the last two rows and columns make no whole block.
    const src = path.join(tmp, 'sharp-66');
    writePairsFolder(src, 1, 66);
    const dst = path.join(tmp, 'coarse-66');
    coarsenPairFolder(src, dst, 4, 0.5);
    const sharp = readRaster(path.join(src, 'A', 'p0.png'));
    const coarse = readRaster(path.join(dst, 'A', 'p0.tif'));
    expect([coarse.grid.width, coarse.grid.height]).toEqual([16, 16]);
    // Block (row 2, column 3): the rounded mean of its 16 pixels, in every band.
    for (let band = 0; band < 3; band++) {
      let sum = 0;
      for (let r = 8; r < 12; r++) for (let c = 12; c < 16; c++) sum += sharp.bands[band]![r * 66 + c]!;
      expect(coarse.bands[band]![2 * 16 + 3]).toBe(Math.round(sum / 16));
    }
  });

  it('writes a folder the evaluation reads at the coarser resolution, roofs kept by majority', () => {
    const src = path.join(tmp, 'sharp');
    writePairsFolder(src, 1, 64);
    const dst = path.join(tmp, 'coarse');
    expect(coarsenPairFolder(src, dst, 4, 0.5)).toBe(1);
    const [files] = listPairs(dst);
    const pair = loadPair(files!, undefined, 0.5);
    expect([pair.gsd, pair.gsdSource]).toEqual([2, 'file']);
    // The 20 x 24 px roof of the sharp pair (rows 20-39, columns 16-39) is 5 x 6 blocks of 4.
    const label = changeMask(readRaster(files!.label));
    expect(label.length).toBe(16 * 16);
    expect(label.reduce((a, v) => a + v, 0)).toBe(30);
    expect(label[5 * 16 + 4]).toBe(1);
    expect(label[4 * 16 + 4]).toBe(0);
    const after = readRaster(files!.after);
    expect(after.bands.length).toBe(3);
    expect(after.bands[0]![7 * 16 + 6]).toBe(180);
  });

  it('refuses a factor that is not a whole number of pixels', () => {
    const src = path.join(tmp, 'sharp-2');
    writePairsFolder(src, 1, 64);
    expect(() => coarsenPairFolder(src, path.join(tmp, 'x'), 1.5, 0.5)).toThrow(/factor 1.5 must be a whole number of pixels/);
  });
});
