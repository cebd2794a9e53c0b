/**
 * The raster side of tiles (through the pipeline's raster layer): warps the part of a flight's COG under one Web Mercator tile
 * onto the tile's pixel grid (gdalwarp picks the COG overview that matches the zoom and reads only
 * the blocks under the tile), and samples a surface model coarsely for its colour range. Runs on
 * libuv's pool (async GDAL calls), so a slow read never blocks the API, and so that GDAL reading a
 * COG from this same server over /vsicurl/ works.
 */
import { extentIn, readBandDeclarations, readDownsampled, warpOntoGrid } from '#pipeline/raster/index.js';
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
function mercatorExtent(uri: string): Promise<Extent> {
  return extentIn(uri, WEB_MERCATOR);
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
    const bands = await readBandDeclarations(uri);
    if (bands.some((band) => band.scale !== 1 || band.offset !== 0)) return false;
    if (kind === 'surface_model') return bands.length === 1 && bands[0]!.dataType === 'Float32' && bands[0]!.noData !== null;
    const colour = bands.length === 4 && bands[3]!.colorInterpretation === 'Alpha' ? bands.slice(0, 3) : bands;
    return colour.length === 3 && bands.every((band) => band.dataType === 'Byte');
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
async function warpTile(read: TileRead, margin: number, bandCount: number, dataType: 'Byte' | 'Float32'): Promise<Array<ArrayLike<number>> | null> {
  const size = TILE_SIZE + 2 * margin;
  const gt = readGeoTransform(read.tile, margin, read.shift);
  if (!extentsIntersect(extentOf(gt, size), await extents.get(read.key, () => mercatorExtent(read.uri)))) return null;
  // The COGs ingest writes have exactly these bands (orthophoto RGB with its mask, DSM heights
  // with nodata); the last band is the alpha the warp fills from the source's mask.
  return warpOntoGrid(read.uri, { size, geoTransform: gt, crs: WEB_MERCATOR, bandCount, dataType });
}

/** The orthophoto under a tile: red, green, blue and alpha (0 outside the flight or masked); null when wholly outside. */
export async function readOrthophotoTile(read: TileRead): Promise<[ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>] | null> {
  const bands = await warpTile(read, 0, 3, 'Byte');
  return bands ? [bands[0]!, bands[1]!, bands[2]!, bands[3]!] : null;
}

/** The surface model under a tile with a one-pixel margin (for the hillshade); null when wholly outside. */
export async function readHeightTile(read: TileRead): Promise<HeightWindow | null> {
  const bands = await warpTile(read, 1, 1, 'Float32');
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
    const { bands, mask } = await readDownsampled(uri, SAMPLE_PX, [1], 'Float32');
    return { heights: bands[0] as Float32Array, valid: mask };
  });
}
