/**
 * xBD (images/<event>_<id>_{pre,post}_disaster.png, labels/ the same names .json with building
 * polygons in pixel WKT) read as a change task: a building the post-disaster labels call
 * "destroyed" is a demolition between the two dates. "major-damage" and "un-classified" ones are
 * neither clearly standing nor gone, so their pixels and objects do not count; the rest stand on
 * both dates and are not change. The trainer reads the pairs the same way (models/data/real.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Grid } from '#pipeline/model/grid.js';
import { polygonArea, polygonLabels, polygonMask, type PolygonRings } from '#pipeline/model/polygon-fill.js';
import type { RgbInput } from '#pipeline/model/prepare.js';
import { toRgb } from './pairs.js';
import { readRaster, withGsd } from './read-raster.js';
import { MIN_TRUTH_M2, type TruthOnGrid } from './score.js';

/** The xBD files carry no georeferencing; the trainer reads them at 0.45 m (models/data/real.ts). */
export const XBD_GSD_M = 0.45;

export interface XbdFiles {
  name: string;
  pre: string;
  post: string;
  postLabels: string;
}

export function listXbd(dir: string): XbdFiles[] {
  const images = path.join(dir, 'images');
  const labels = path.join(dir, 'labels');
  if (!fs.existsSync(images) || !fs.existsSync(labels)) throw new Error(`${dir}: xBD layout needs images/ and labels/`);
  return fs
    .readdirSync(images)
    .filter((f) => f.endsWith('_post_disaster.png'))
    .sort()
    .flatMap((post) => {
      const pre = post.replace('_post_disaster', '_pre_disaster');
      const json = path.join(labels, post.replace(/\.png$/, '.json'));
      // A post image without its pre image or labels is not a change pair: skipped, not guessed.
      if (!fs.existsSync(path.join(images, pre)) || !fs.existsSync(json)) return [];
      return [{ name: post.replace('_post_disaster.png', ''), pre: path.join(images, pre), post: path.join(images, post), postLabels: json }];
    });
}

/** POLYGON WKT (pixel coordinates) as rings; null for anything else. */
export function wktPolygon(wkt: string): PolygonRings | null {
  const body = /^POLYGON\s*\(\((.*)\)\)\s*$/i.exec(wkt.trim());
  if (!body) return null;
  return body[1]!.split(/\)\s*,\s*\(/).map((ring) =>
    ring.split(',').map((pt) => {
      const [x, y] = pt.trim().split(/\s+/).map(Number);
      return [x!, y!];
    }),
  );
}

export interface XbdPair {
  name: string;
  before: RgbInput;
  after: RgbInput;
  truth: TruthOnGrid;
  /** Destroyed buildings (the true demolitions). */
  destroyed: number;
}

const UNSURE = new Set(['major-damage', 'un-classified']);

export function loadXbd(files: XbdFiles, gsd = XBD_GSD_M): XbdPair {
  const a = withGsd(readRaster(files.pre), gsd);
  const b = withGsd(readRaster(files.post), gsd);
  const grid: Grid = a.grid;
  const doc = JSON.parse(fs.readFileSync(files.postLabels, 'utf8')) as { features: { xy: { properties: { subtype?: string }; wkt: string }[] } };
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  const buildings = doc.features.xy.flatMap((f) => {
    const rings = wktPolygon(f.wkt);
    return rings ? [{ rings: rings.map((ring) => ring.map((p) => [x0 + p[0]! * dx, y0 + p[1]! * dy])), subtype: f.properties.subtype ?? '' }] : [];
  });
  const destroyed = buildings.filter((f) => f.subtype === 'destroyed').map((f) => f.rings);
  return {
    name: files.name,
    before: toRgb(a),
    after: toRgb(b),
    truth: {
      grid,
      mask: polygonMask(grid, destroyed),
      ignore: polygonMask(grid, buildings.filter((f) => UNSURE.has(f.subtype)).map((f) => f.rings)),
      labels: polygonLabels(grid, destroyed),
      count: destroyed.length,
      // As in the other layouts, a true structure under 10 m² is neither found nor missed.
      ignoreObject: (i) => Math.abs(polygonArea(destroyed[i]!)) < MIN_TRUTH_M2,
    },
    destroyed: destroyed.length,
  };
}
