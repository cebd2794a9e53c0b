/**
 * One pass over every value of a raster's band 1, window by window (block-aligned, so each block is
 * decoded once), reads off the main thread (gdal-async), so that a large file does not hold up a
 * job's lock renewal or the API.
 */
import gdal from '../gdal.js';

export interface ScannedBand {
  width: number;
  height: number;
  nodata: number | null;
  /** The band's scale factor and offset (1 and 0 when it declares none). */
  scale: number;
  offset: number;
}

/**
 * Hands every value of band 1 to `visit` (with what the band declares), in windows of about `windowPx` pixels, as Float64 when
 * the band's type does not fit Float32 exactly (Float64, Int32, UInt32), else as Float32.
 */
export async function scanBand(path: string, windowPx: number, visit: (values: Float32Array | Float64Array, band: ScannedBand) => void): Promise<ScannedBand> {
  const dataset = await gdal.openAsync(path);
  try {
    const band = dataset.bands.get(1);
    const { x: width, y: height } = band.size;
    const { x: blockW, y: blockH } = band.blockSize;
    const nodata = band.noDataValue ?? null;
    const scale = band.scale ?? 1;
    const offset = band.offset ?? 0;
    const scanned: ScannedBand = { width, height, nodata, scale, offset };
    const windowW = Math.min(width, Math.max(blockW, Math.floor(windowPx / blockH / blockW) * blockW));
    const dataType = band.dataType === gdal.GDT_Float64 || band.dataType === gdal.GDT_Int32 || band.dataType === gdal.GDT_UInt32 ? gdal.GDT_Float64 : gdal.GDT_Float32;
    for (let y = 0; y < height; y += blockH) {
      for (let x = 0; x < width; x += windowW) {
        const w = Math.min(windowW, width - x);
        const h = Math.min(blockH, height - y);
        visit((await band.pixels.readAsync(x, y, w, h, undefined, { data_type: dataType })) as Float32Array | Float64Array, scanned);
      }
    }
    return scanned;
  } finally {
    dataset.close();
  }
}
