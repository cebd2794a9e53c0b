/**
 * The GDAL side of raster tiles: warps the part of a flight's COG under one Web Mercator tile
 * onto the tile's pixel grid (gdalwarp picks the COG overview that matches the zoom and reads only
 * the blocks under the tile), and samples a surface model coarsely for its colour range. Runs on
 * libuv's pool (async GDAL calls), so a slow read never blocks the API, and so that GDAL reading a
 * COG from this same server over /vsicurl/ works.
 */
import gdal from '#pipeline/gdal.js';
import type { HeightWindow } from './tile-pixels.js';
import { extentOf, extentsIntersect, groundPixelSize, readGeoTransform, TILE_SIZE, type Extent, type TileAddress } from './web-mercator-tile.js';

const WEB_MERCATOR = 'EPSG:3857';

/** A small cache of per-raster facts (extent, height range), keyed by the asset's identity. */
class FactCache<T> {
  private entries = new Map<string, Promise<T>>();
  constructor(private readonly capacity = 256) {}
  get(key: string, compute: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
      entry = compute();
      entry.catch(() => this.entries.delete(key));
      this.entries.set(key, entry);
    }
    return entry;
  }
}

const extents = new FactCache<Extent>();
const samples = new FactCache<{ heights: Float32Array; valid: Uint8Array }>();

/** The raster's bounds in Web Mercator: its edges densified, as they curve after reprojection. */
async function mercatorExtent(uri: string): Promise<Extent> {
  const source = await gdal.openAsync(uri);
  try {
    const gt = source.geoTransform as [number, number, number, number, number, number];
    const { x: width, y: height } = source.rasterSize;
    const transform = new gdal.CoordinateTransformation(source.srs!, gdal.SpatialReference.fromUserInput(WEB_MERCATOR));
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i <= 20; i += 1) {
      for (const [col, row] of [[(i / 20) * width, 0], [(i / 20) * width, height], [0, (i / 20) * height], [width, (i / 20) * height]] as const) {
        const p = transform.transformPoint(gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]);
        xs.push(p.x);
        ys.push(p.y);
      }
    }
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  } finally {
    source.close();
  }
}

const asIs = new FactCache<boolean>();

/**
 * Whether an upload's pixels are the COG's pixels before encoding, so that a tile warped from it
 * looks like the COG's: an orthophoto of 8-bit colour (three bands, or four whose last is alpha),
 * a surface model of Float32 heights that declares its fill value, neither scaled. Anything else
 * (16-bit colour, scaled or fill-less heights) takes ingest's conversion: tiles come from the
 * reduced raster until the COG exists.
 */
export function drawsLikeItsCog(uri: string, key: string, kind: 'orthophoto' | 'surface_model'): Promise<boolean> {
  return asIs.get(key, async () => {
    const source = await gdal.openAsync(uri);
    try {
      const bands = Array.from({ length: source.bands.count() }, (_, i) => source.bands.get(i + 1));
      if (bands.some((band) => (band.scale ?? 1) !== 1 || (band.offset ?? 0) !== 0)) return false;
      if (kind === 'surface_model') return bands.length === 1 && bands[0]!.dataType === gdal.GDT_Float32 && bands[0]!.noDataValue !== null;
      const colour = bands.length === 4 && bands[3]!.colorInterpretation === 'Alpha' ? bands.slice(0, 3) : bands;
      return colour.length === 3 && bands.every((band) => band.dataType === gdal.GDT_Byte);
    } finally {
      source.close();
    }
  });
}

export interface TileRead {
  uri: string;
  /** Identity of the asset (changes when it is rewritten), for the caches. */
  key: string;
  tile: TileAddress;
  shift: { dx: number; dy: number };
}

/**
 * Warps the tile's window (grown by `margin` pixels) into `bandCount` bands plus an alpha band;
 * null when the tile lies wholly outside the raster (nothing is read then).
 */
async function warpTile(read: TileRead, margin: number, bandCount: number, dataType: string): Promise<Array<ArrayLike<number>> | null> {
  const size = TILE_SIZE + 2 * margin;
  const gt = readGeoTransform(read.tile, margin, read.shift);
  if (!extentsIntersect(extentOf(gt, size), await extents.get(read.key, () => mercatorExtent(read.uri)))) return null;
  const source = await gdal.openAsync(read.uri);
  const target = gdal.open('tile', 'w', 'MEM', size, size, bandCount + 1, dataType);
  try {
    target.srs = gdal.SpatialReference.fromUserInput(WEB_MERCATOR);
    target.geoTransform = gt;
    // The COGs ingest writes have exactly these bands (orthophoto RGB with its mask, DSM heights
    // with nodata); the last target band is the alpha the warp fills from the source's mask.
    await gdal.warpAsync(null, target, [source], ['-r', 'bilinear', '-dstalpha']);
    return Array.from({ length: bandCount + 1 }, (_, i) => target.bands.get(i + 1).pixels.read(0, 0, size, size) as ArrayLike<number>);
  } finally {
    target.close();
    source.close();
  }
}

/** The orthophoto under a tile: red, green, blue and alpha (0 outside the flight or masked); null when wholly outside. */
export async function readOrthophotoTile(read: TileRead): Promise<[ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>] | null> {
  const bands = await warpTile(read, 0, 3, gdal.GDT_Byte);
  return bands ? [bands[0]!, bands[1]!, bands[2]!, bands[3]!] : null;
}

/** The surface model under a tile with a one-pixel margin (for the hillshade); null when wholly outside. */
export async function readHeightTile(read: TileRead): Promise<HeightWindow | null> {
  const bands = await warpTile(read, 1, 1, gdal.GDT_Float32);
  if (!bands) return null;
  return { heights: bands[0]!, valid: bands[1]!, width: TILE_SIZE, height: TILE_SIZE, cellSize: groundPixelSize(read.tile) };
}

/** Longest side of the coarse sample of a surface model, pixels. */
const SAMPLE_PX = 256;

/**
 * The surface model's heights at most SAMPLE_PX pixels across, with their validity: GDAL serves a
 * downsampled read from the COG's overviews, never the full-resolution raster.
 */
export function sampleHeights(uri: string, key: string): Promise<{ heights: Float32Array; valid: Uint8Array }> {
  return samples.get(key, async () => {
    const source = await gdal.openAsync(uri);
    try {
      const { x: width, y: height } = source.rasterSize;
      const scale = Math.max(1, Math.max(width, height) / SAMPLE_PX);
      const options = { buffer_width: Math.max(1, Math.round(width / scale)), buffer_height: Math.max(1, Math.round(height / scale)) };
      const band = await source.bands.getAsync(1);
      const heights = (await band.pixels.readAsync(0, 0, width, height, undefined, { ...options, data_type: gdal.GDT_Float32 })) as Float32Array;
      const valid = (await band.getMaskBand()!.pixels.readAsync(0, 0, width, height, undefined, { ...options, data_type: gdal.GDT_Byte })) as Uint8Array;
      return { heights, valid };
    } finally {
      source.close();
    }
  });
}
