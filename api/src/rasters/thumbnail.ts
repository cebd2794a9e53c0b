/**
 * A flight's thumbnail, the STAC item's `thumbnail` asset: its orthophoto at most THUMBNAIL_PX
 * across, in the orthophoto's own CRS, with no-data transparent. GDAL serves the downsampled read
 * from the COG's overviews, so a multi-GB orthophoto is not read whole.
 */
import gdal from '#pipeline/gdal.js';
import { orthophotoRgba } from './tile-pixels.js';

export const THUMBNAIL_PX = 512;

export async function readThumbnail(uri: string, maxPx = THUMBNAIL_PX): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const source = await gdal.openAsync(uri);
  try {
    const { x: width, y: height } = source.rasterSize;
    const scale = Math.max(1, Math.max(width, height) / maxPx);
    const size = { buffer_width: Math.max(1, Math.round(width / scale)), buffer_height: Math.max(1, Math.round(height / scale)) };
    const read = async (band: gdal.RasterBand) => (await band.pixels.readAsync(0, 0, width, height, undefined, { ...size, data_type: gdal.GDT_Byte })) as Uint8Array;
    const [red, green, blue] = await Promise.all([1, 2, 3].map(async (i) => read(await source.bands.getAsync(i))));
    // The mask: the COG's own, or its alpha band, or all valid.
    const mask = await read((await source.bands.getAsync(1)).getMaskBand()!);
    return { width: size.buffer_width, height: size.buffer_height, rgba: orthophotoRgba(red!, green!, blue!, mask) };
  } finally {
    source.close();
  }
}
