/**
 * Image-pair sets as a coarser sensor would have given them: images area-averaged over
 * factor x factor blocks, change masks by majority, written as GeoTIFFs that state their ground
 * resolution, so that `npm run eval` reads them at it and brings them to the model's 0.5 m grid
 * as it would a real 1-1.5 m archive (MODEL_CARD.md, image-pair network, "Coarse imagery").
 * Factor 1 writes the set as it is, with its resolution stated (EGY-BCD's PNGs carry none).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Grid } from '#pipeline/model/grid.js';
import { resampleBand } from '#pipeline/model/resample.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { changeMask, listPairs } from '#scripts/eval/pairs.js';
import { readRaster } from '#scripts/eval/read-raster.js';
import { classShare } from './data/planes.js';

/** UTM 51N (Shanghai): any metric grid would do; the evaluation reads the pixel size from it. */
const SRS = 32651;
const ORIGIN: readonly [number, number] = [350000, 3450000];

/** Writes `dst/{A,B,label}/<name>.tif` for every pair of the pairs folder `src`; returns how many. */
export function coarsenPairFolder(src: string, dst: string, factor: number, sourceGsdM: number): number {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`coarsen ${src}: factor ${factor} must be a whole number of pixels, 1 or more`);
  const gsd = sourceGsdM * factor;
  const write = (sub: string, name: string, bands: Uint8Array[], width: number, height: number) => {
    fs.mkdirSync(path.join(dst, sub), { recursive: true });
    writeGeoTiff(path.join(dst, sub, `${name}.tif`), { width, height, bands, geoTransform: [ORIGIN[0], gsd, 0, ORIGIN[1], 0, -gsd], srs: SRS });
  };
  // Whole blocks of the file's own grid; a last partial row or column of blocks is dropped.
  const coarser = ({ width, height, geoTransform: [x0, dx, , y0, , dy] }: Grid): Grid => ({
    width: Math.floor(width / factor),
    height: Math.floor(height / factor),
    geoTransform: [x0, dx * factor, 0, y0, 0, dy * factor],
  });
  const pairs = listPairs(src);
  for (const pair of pairs) {
    for (const [sub, file] of [['A', pair.before], ['B', pair.after]] as const) {
      const r = readRaster(file);
      const grid = coarser(r.grid);
      const bands = r.bands.slice(0, 3).map((data) => resampleBand({ grid: r.grid, data }, grid, { method: 'average', minCoverage: 0 }).data);
      write(sub, pair.name, bands.map((b) => Uint8Array.from(b, (v) => Math.round(v))), grid.width, grid.height);
    }
    const label = readRaster(pair.label);
    const grid = coarser(label.grid);
    const share = classShare({ grid: label.grid, data: changeMask(label) }, [1], grid);
    write('label', pair.name, [Uint8Array.from(share, (v) => (v >= 0.5 ? 255 : 0))], grid.width, grid.height);
  }
  return pairs.length;
}
