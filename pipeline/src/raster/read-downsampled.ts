/**
 * A whole raster read downsampled to at most `maxPx` across (a thumbnail, a coarse sample of a
 * surface model): GDAL serves it from the COG's overviews, so a multi-GB raster is not read whole.
 * Reads run on libuv's pool (async GDAL calls), so they never block the API.
 */
import gdal from '../gdal.js';

export interface DownsampledRead {
  width: number;
  height: number;
  /** The bands asked for, in that order, in the type asked for. */
  bands: Array<Uint8Array | Float32Array>;
  /** The mask of the first band asked for (its own, an alpha band, or all valid), 0 or 255. */
  mask: Uint8Array;
}

export async function readDownsampled(uri: string, maxPx: number, bands: number[], dataType: 'Byte' | 'Float32'): Promise<DownsampledRead> {
  const source = await gdal.openAsync(uri);
  try {
    const { x: width, y: height } = source.rasterSize;
    const scale = Math.max(1, Math.max(width, height) / maxPx);
    const size = { buffer_width: Math.max(1, Math.round(width / scale)), buffer_height: Math.max(1, Math.round(height / scale)) };
    const read = async (band: gdal.RasterBand, data_type: string) => (await band.pixels.readAsync(0, 0, width, height, undefined, { ...size, data_type })) as Uint8Array | Float32Array;
    const type = dataType === 'Byte' ? gdal.GDT_Byte : gdal.GDT_Float32;
    const values = await Promise.all(bands.map(async (i) => read(await source.bands.getAsync(i), type)));
    const mask = (await read((await source.bands.getAsync(bands[0]!)).getMaskBand()!, gdal.GDT_Byte)) as Uint8Array;
    return { width: size.buffer_width, height: size.buffer_height, bands: values, mask };
  } finally {
    source.close();
  }
}
