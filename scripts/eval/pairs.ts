/**
 * Layout 1, bi-temporal image pairs (the LEVIR-CD convention): A/ before, B/ after, label/ change
 * mask (0 unchanged, anything else changed: 255 in LEVIR-CD, 1 in some tools), same file names.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RgbInput } from '../../pipeline/src/model/prepare.js';
import { readRaster, withGsd, type LoadedRaster } from './read-raster.js';

const IMAGE = /\.(png|tif|tiff|jpg|jpeg)$/i;

/** File names present in A/, B/ and label/; throws with what is wrong otherwise. */
export function listPairs(dir: string): string[] {
  for (const sub of ['A', 'B', 'label']) {
    if (!fs.existsSync(path.join(dir, sub))) throw new Error(`${dir}: pairs layout needs A/, B/ and label/ folders; ${sub}/ is missing`);
  }
  const names = fs.readdirSync(path.join(dir, 'A')).filter((f) => IMAGE.test(f)).sort();
  if (!names.length) throw new Error(`${dir}/A: no images (.png, .tif, .jpg)`);
  for (const name of names) {
    for (const sub of ['B', 'label']) {
      if (!fs.existsSync(path.join(dir, sub, name))) throw new Error(`${dir}: ${sub}/${name} is missing (A/${name} has no partner)`);
    }
  }
  return names;
}

export interface ImagePair {
  name: string;
  before: RgbInput;
  after: RgbInput;
  /** 1 where changed, on `labelGrid`. */
  label: Uint8Array;
  labelGrid: RgbInput['grid'];
  /** Ground resolution used, metres, and where it came from. */
  gsd: number;
  gsdSource: 'file' | 'option' | 'assumed';
}

/**
 * Loads one pair. Ground resolution: `gsd` when given, else the file's georeferencing, else
 * `fallbackGsd` (reported as assumed).
 */
export function loadPair(dir: string, name: string, gsd: number | undefined, fallbackGsd: number): ImagePair {
  let a = readRaster(path.join(dir, 'A', name));
  let b = readRaster(path.join(dir, 'B', name));
  let l = readRaster(path.join(dir, 'label', name));
  for (const r of [b, l]) {
    if (r.grid.width !== a.grid.width || r.grid.height !== a.grid.height) {
      throw new Error(`${r.path}: ${r.grid.width}x${r.grid.height} pixels, but A/${name} is ${a.grid.width}x${a.grid.height}`);
    }
  }
  let gsdSource: ImagePair['gsdSource'] = 'file';
  if (gsd !== undefined || !a.georeferenced) {
    gsdSource = gsd !== undefined ? 'option' : 'assumed';
    const g = gsd ?? fallbackGsd;
    a = withGsd(a, g);
    b = withGsd(b, g);
    l = withGsd(l, g);
  } else if (!b.georeferenced) {
    b = { ...b, grid: a.grid };
    l = { ...l, grid: a.grid };
  }
  const label = new Uint8Array(l.grid.width * l.grid.height);
  const lb = l.bands[0]!;
  for (let i = 0; i < label.length; i++) label[i] = lb[i]! > 0 ? 1 : 0;
  return { name, before: toRgb(a), after: toRgb(b), label, labelGrid: l.grid, gsd: a.grid.geoTransform[1], gsdSource };
}

/** Grey images become three equal bands; a fourth band is read as alpha (0 = no imagery). */
export function toRgb(r: LoadedRaster): RgbInput {
  const [b1, b2, b3, alpha] = r.bands;
  if (!b1) throw new Error(`${r.path}: no bands`);
  const valid = alpha ? Uint8Array.from(alpha, (v) => (v > 0 ? 1 : 0)) : undefined;
  return { grid: r.grid, bands: b3 && b2 ? [b1, b2, b3] : [b1, b1, b1], nodata: r.nodata, valid };
}
