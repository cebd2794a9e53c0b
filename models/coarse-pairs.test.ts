/**
 * Coarse copies of image-pair sets (models/coarse-pairs.ts): block means golden, and a written
 * folder that the evaluation reads at the coarser resolution it states.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeMask, listPairs, loadPair } from '#scripts/eval/pairs.js';
import { readRaster } from '#scripts/eval/read-raster.js';
import { writePairsFolder } from '#scripts/eval/testing/write-folders.js';
import { blockMean, coarsenPairFolder } from './coarse-pairs.js';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-coarse-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('coarse copies of image pairs', () => {
  it('averages whole blocks and drops the partial ones at the right and bottom', () => {
    // 5 x 5, factor 2: the last row and column make no whole block.
    const values = [1, 3, 5, 7, 100, 1, 3, 5, 7, 100, 2, 2, 0, 0, 100, 2, 2, 0, 0, 100, 100, 100, 100, 100, 100];
    const mean = blockMean(values, 5, 5, 2);
    expect([mean.width, mean.height]).toEqual([2, 2]);
    expect([...mean.data]).toEqual([2, 6, 2, 0]);
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
