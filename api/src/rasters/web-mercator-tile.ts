/**
 * The standard XYZ tile grid in Web Mercator (EPSG:3857, 256 px tiles, row 0 at the north), as
 * web maps and QGIS's "XYZ Tiles" ask for it: which tiles exist, where a tile lies, and how big its
 * pixels are on the ground. Pure.
 *
 * @example
 * tileBounds({ z: 1, x: 0, y: 0 }) // [-20037508.34, 0, 0, 20037508.34]
 */
import { tileResolution } from '#pipeline/core/tile-mosaic.js';

export const TILE_SIZE = 256;
/** Deepest zoom served: 19 cm Web Mercator pixels at z 24 are finer than any drone flight. */
export const MAX_ZOOM = 24;
/** Half the Web Mercator world width, metres. */
export const WORLD_HALF = (tileResolution(0, TILE_SIZE) * TILE_SIZE) / 2;

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** [minX, minY, maxX, maxY] in EPSG:3857 metres. */
export type Extent = readonly [number, number, number, number];

/** Why a z/x/y is not a tile of the grid, or null when it is one. */
export function tileAddressProblem({ z, x, y }: TileAddress): string | null {
  if (!Number.isInteger(z) || z < 0 || z > MAX_ZOOM) return `zoom must be an integer 0..${MAX_ZOOM}, got ${z}`;
  const n = 2 ** z;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= n || y >= n) {
    return `tile ${z}/${x}/${y} is outside the ${n} x ${n} grid of zoom ${z}`;
  }
  return null;
}

export function tileBounds({ z, x, y }: TileAddress): Extent {
  const span = (2 * WORLD_HALF) / 2 ** z;
  return [-WORLD_HALF + x * span, WORLD_HALF - (y + 1) * span, -WORLD_HALF + (x + 1) * span, WORLD_HALF - y * span];
}

/**
 * GDAL geotransform of the tile's pixel grid, grown by `margin` pixels on every side (hillshading
 * needs the neighbours of the edge pixels); the grid is TILE_SIZE + 2 * margin pixels wide.
 */
export function tileGeoTransform(tile: TileAddress, margin = 0): [number, number, number, number, number, number] {
  const [minX, , , maxY] = tileBounds(tile);
  const resolution = tileResolution(tile.z, TILE_SIZE);
  return [minX - margin * resolution, resolution, 0, maxY + margin * resolution, 0, -resolution];
}

export function extentsIntersect(a: Extent, b: Extent): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/** Latitude (degrees) of a Web Mercator northing. */
export function latitudeOf(northing: number): number {
  return (Math.atan(Math.sinh(northing / 6_378_137)) * 180) / Math.PI;
}

/**
 * True ground size of the tile's pixels, metres: Web Mercator stretches distances by 1/cos(lat),
 * 17% at Shanghai, which a hillshade must take out or every slope looks too gentle.
 */
export function groundPixelSize(tile: TileAddress): number {
  const [, minY, , maxY] = tileBounds(tile);
  return tileResolution(tile.z, TILE_SIZE) * Math.cos((latitudeOf((minY + maxY) / 2) * Math.PI) / 180);
}

/**
 * Where to read a flight's raster so that it lands where it belongs: a raster whose content sits
 * `shift` ground metres (east, north) from the truth is read that far off, stretched by Web
 * Mercator's 1/cos(lat). Close enough for drift of a few metres (the flight's CRS and Web Mercator
 * differ in orientation by under a degree over Shanghai: under 2 cm per metre of drift).
 */
export function readGeoTransform(tile: TileAddress, margin: number, shift: { dx: number; dy: number }): [number, number, number, number, number, number] {
  const gt = tileGeoTransform(tile, margin);
  const stretch = tileResolution(tile.z, TILE_SIZE) / groundPixelSize(tile);
  return [gt[0] + shift.dx * stretch, gt[1], gt[2], gt[3] + shift.dy * stretch, gt[4], gt[5]];
}

/** The extent a geotransform covers over a square of `size` pixels. */
export function extentOf(gt: readonly number[], size: number): Extent {
  return [gt[0]!, gt[3]! + size * gt[5]!, gt[0]! + size * gt[1]!, gt[3]!];
}
