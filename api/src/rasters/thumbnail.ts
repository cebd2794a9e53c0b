/**
 * A flight's thumbnail, the STAC item's `thumbnail` asset: its orthophoto at most THUMBNAIL_PX
 * across, in the orthophoto's own CRS, with no-data transparent. GDAL serves the downsampled read
 * from the COG's overviews, so a multi-GB orthophoto is not read whole.
 */
import { readDownsampled } from '#pipeline/raster/index.js';
import { orthophotoRgba } from './tile-pixels.js';

export const THUMBNAIL_PX = 512;

export async function readThumbnail(uri: string, maxPx = THUMBNAIL_PX): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  // The mask: the COG's own, or its alpha band, or all valid.
  const { width, height, bands, mask } = await readDownsampled(uri, maxPx, [1, 2, 3], 'Byte');
  const [red, green, blue] = bands as Uint8Array[];
  return { width, height, rgba: orthophotoRgba(red!, green!, blue!, mask) };
}
