/**
 * Image-pair sets as a coarser sensor would have given them: images area-averaged over
 * factor x factor blocks, change masks by majority, written as GeoTIFFs that state their ground
 * resolution, so that `npm run eval` reads them at it and brings them to the model's 0.5 m grid
 * as it would a real 1-1.5 m archive (MODEL_CARD.md, image-pair network, "Coarse imagery").
 * Factor 1 writes the set as it is, with its resolution stated (EGY-BCD's PNGs carry none).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { changeMask, listPairs } from '#scripts/eval/pairs.js';
import { readRaster } from '#scripts/eval/read-raster.js';

/** UTM 51N (Shanghai): any metric grid would do; the evaluation reads the pixel size from it. */
const SRS = 32651;
const ORIGIN: readonly [number, number] = [350000, 3450000];

/** Mean of each factor x factor block (the last partial row and column of blocks dropped). */
export function blockMean(values: ArrayLike<number>, width: number, height: number, factor: number): { data: Float64Array; width: number; height: number } {
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const data = new Float64Array(w * h);
  for (let y = 0; y < h * factor; y++) {
    for (let x = 0; x < w * factor; x++) data[Math.floor(y / factor) * w + Math.floor(x / factor)]! += values[y * width + x]!;
  }
  for (let i = 0; i < data.length; i++) data[i]! /= factor * factor;
  return { data, width: w, height: h };
}

/** Writes `dst/{A,B,label}/<name>.tif` for every pair of the pairs folder `src`; returns how many. */
export function coarsenPairFolder(src: string, dst: string, factor: number, sourceGsdM: number): number {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`coarsen ${src}: factor ${factor} must be a whole number of pixels, 1 or more`);
  const gsd = sourceGsdM * factor;
  const write = (sub: string, name: string, bands: Uint8Array[], width: number, height: number) => {
    fs.mkdirSync(path.join(dst, sub), { recursive: true });
    writeGeoTiff(path.join(dst, sub, `${name}.tif`), { width, height, bands, geoTransform: [ORIGIN[0], gsd, 0, ORIGIN[1], 0, -gsd], srs: SRS });
  };
  const pairs = listPairs(src);
  for (const pair of pairs) {
    for (const [sub, file] of [['A', pair.before], ['B', pair.after]] as const) {
      const r = readRaster(file);
      const bands = r.bands.slice(0, 3).map((b) => blockMean(b, r.grid.width, r.grid.height, factor));
      write(sub, pair.name, bands.map((b) => Uint8Array.from(b.data, (v) => Math.round(v))), bands[0]!.width, bands[0]!.height);
    }
    const label = readRaster(pair.label);
    const share = blockMean(changeMask(label), label.grid.width, label.grid.height, factor);
    write('label', pair.name, [Uint8Array.from(share.data, (v) => (v >= 0.5 ? 255 : 0))], share.width, share.height);
  }
  return pairs.length;
}
