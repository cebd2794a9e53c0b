/**
 * Layout 1, bi-temporal image pairs (the LEVIR-CD convention): A/ before, B/ after, label/ change
 * mask, matched by file name without extension (A/x.jpg with label/x.png). A mask marks change
 * with 255 (LEVIR-CD), 1 (some tools) or a palette colour; JPEG noise around 0 is not change.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { RgbInput } from '#pipeline/model/prepare.js';
import { filesByStem } from './files.js';
import { paletteGreys } from '#pipeline/raster/index.js';
import { degreesToMetres, readRaster, withGsd, type LoadedRaster } from './read-raster.js';

// BMP too: SZTAKI AirChange and other older change-detection sets ship their pairs as .bmp.
const IMAGE = /\.(png|tiff?|jpe?g|bmp)$/i;
const FOLDERS = ['A', 'B', 'label'] as const;

/** One pair's files, each a path. */
export interface PairFiles {
  name: string;
  before: string;
  after: string;
  label: string;
}

/** The pairs present in A/, B/ and label/; throws with what is wrong otherwise. */
export function listPairs(dir: string): PairFiles[] {
  for (const sub of FOLDERS) {
    if (!fs.existsSync(path.join(dir, sub))) throw new Error(`${dir}: pairs layout needs A/, B/ and label/ folders; ${sub}/ is missing`);
  }
  const [a, b, label] = FOLDERS.map((sub) => filesByStem(path.join(dir, sub), IMAGE)) as [Map<string, string>, Map<string, string>, Map<string, string>];
  if (!a.size) throw new Error(`${dir}/A: no images (.png, .tif, .jpg, .bmp)`);
  return [...a].map(([name, file]) => {
    for (const [sub, files] of [['B', b], ['label', label]] as const) {
      if (!files.has(name)) throw new Error(`${dir}: ${sub}/${name}.png (or .tif, .jpg, .bmp) is missing (A/${file} has no partner)`);
    }
    return { name, before: path.join(dir, 'A', file), after: path.join(dir, 'B', b.get(name)!), label: path.join(dir, 'label', label.get(name)!) };
  });
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
  gsdSource: GsdSource;
}

/** `file`: the files' georeferencing (metres, or degrees converted); `option`: --gsd; `assumed`: neither. */
export type GsdSource = 'file' | 'option' | 'assumed';

/**
 * Ground resolution of a pair: `gsd` when given, else the files' georeferencing (in metres, or in
 * degrees converted at the centre latitude), else `fallbackGsd` (reported as assumed).
 */
export function pairResolution(before: LoadedRaster, gsd: number | undefined, fallbackGsd: number): { gsd: number; source: GsdSource } {
  if (gsd !== undefined) return { gsd, source: 'option' };
  if (!before.georeferenced) return { gsd: fallbackGsd, source: 'assumed' };
  return { gsd: before.geographic ? degreesToMetres(before) : Math.abs(before.grid.geoTransform[1]), source: 'file' };
}

export function loadPair(files: PairFiles, gsd: number | undefined, fallbackGsd: number): ImagePair {
  let a = readRaster(files.before);
  let b = readRaster(files.after);
  let l = readRaster(files.label);
  for (const r of [b, l]) {
    if (r.grid.width !== a.grid.width || r.grid.height !== a.grid.height) {
      throw new Error(`${r.path}: ${r.grid.width}x${r.grid.height} pixels, but ${path.basename(files.before)} in A/ is ${a.grid.width}x${a.grid.height}`);
    }
  }
  const resolution = pairResolution(a, gsd, fallbackGsd);
  if (resolution.source === 'file' && !a.geographic) {
    // Metric georeferencing: a partner without any lies on A's grid (a plain PNG mask beside GeoTIFFs).
    if (!b.georeferenced) b = { ...b, grid: a.grid };
    if (!l.georeferenced) l = { ...l, grid: a.grid };
  } else {
    // Pixel for pixel, at the resolution found: option, assumed, or degrees converted to metres.
    [a, b, l] = [a, b, l].map((r) => withGsd(r, resolution.gsd)) as [LoadedRaster, LoadedRaster, LoadedRaster];
  }
  return { name: files.name, before: toRgb(a), after: toRgb(b), label: changeMask(l), labelGrid: l.grid, gsd: resolution.gsd, gsdSource: resolution.source };
}

/**
 * 1 where the mask says changed. Palette indices are read as the colours they stand for. A mask
 * that reaches 128 or more is a 0/255-style mask: changed from 128 up, so JPEG noise near 0 and
 * 255 does not count; a mask that stays below is 0/1 (or class numbers): changed above 0.
 */
export function changeMask(l: LoadedRaster): Uint8Array {
  const band = l.bands[0]!;
  const palette = paletteGreys(l.path);
  const values = palette ? Uint8Array.from(band, (v) => palette[v] ?? 0) : band;
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  const cut = max >= 128 ? 127 : 0;
  return Uint8Array.from(values, (v) => (v > cut ? 1 : 0));
}

/** Grey images become three equal bands; a fourth band is read as alpha (0 = no imagery). */
export function toRgb(r: LoadedRaster): RgbInput {
  const [b1, b2, b3, alpha] = r.bands;
  if (!b1) throw new Error(`${r.path}: no bands`);
  if (!(b1 instanceof Uint8Array)) {
    throw new Error(`${r.path}: ${b1.constructor.name.replace('Array', '')} pixels; the model reads 8-bit colour (convert with gdal_translate -ot Byte -scale)`);
  }
  const valid = alpha ? Uint8Array.from(alpha, (v) => (v > 0 ? 1 : 0)) : undefined;
  return { grid: r.grid, bands: b3 && b2 ? [b1, b2, b3] : [b1, b1, b1], nodata: r.nodata, valid };
}
