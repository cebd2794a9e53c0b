/**
 * Reads the part of a raster that covers a target grid, resampled by GDAL (averaging) to that
 * grid's pixels: how every stage gets a flight's orthophoto or surface model at the model's
 * ground resolution without ever holding the full-resolution image. COG overviews make coarse
 * reads cheap. A co-registration shift moves the raster before reading; pixels of the grid that
 * the raster does not cover come back invalid.
 */
import gdal, { type RasterBand } from '../gdal.js';

export interface TargetGrid {
  width: number;
  height: number;
  /** North-up GDAL geotransform in the raster's CRS. */
  geoTransform: readonly [number, number, number, number, number, number];
}

export interface GridRead {
  /** One array per band, on the target grid (Float32 so heights and colours share one path). */
  bands: Float32Array[];
  /** 1 where the raster had valid data (its mask band: nodata, alpha, or all valid). */
  valid: Uint8Array;
}

export interface ReadOnGridOptions {
  /** 1-based bands to read. Default: all (at most 3 for colour). */
  bands?: number[];
  /** The raster's content sits (dx, dy) metres from where it belongs: read it shifted back. Default 0, 0. */
  shift?: { dx: number; dy: number };
  /** GDAL resampling of the read. Default 'average'. */
  resampling?: 'average' | 'bilinear' | 'nearest';
}

export function readOnGrid(path: string, grid: TargetGrid, options: ReadOnGridOptions = {}): GridRead {
  const dataset = gdal.open(path);
  try {
    const { x: width, y: height } = dataset.rasterSize;
    const [ox, sx, , oy, , sy] = dataset.geoTransform as [number, number, number, number, number, number];
    const shift = options.shift ?? { dx: 0, dy: 0 };
    // Where the raster's content truly is: its nominal origin moved back by the measured drift.
    const originX = ox - shift.dx;
    const originY = oy - shift.dy;
    const [gx, gsd, , gy, , gsdY] = grid.geoTransform;
    const ratioX = gsd / sx;
    const ratioY = gsdY / sy;
    // Target columns/rows covered by the raster, clipped to both.
    const col0 = Math.max(0, Math.ceil((originX - gx) / gsd - 1e-9));
    const row0 = Math.max(0, Math.ceil((originY - gy) / gsdY - 1e-9));
    const col1 = Math.min(grid.width, Math.floor((originX + width * sx - gx) / gsd + 1e-9));
    const row1 = Math.min(grid.height, Math.floor((originY + height * sy - gy) / gsdY + 1e-9));
    const bandNumbers = options.bands ?? Array.from({ length: Math.min(3, dataset.bands.count()) }, (_, i) => i + 1);
    const out = bandNumbers.map(() => new Float32Array(grid.width * grid.height));
    const valid = new Uint8Array(grid.width * grid.height);
    if (col1 <= col0 || row1 <= row0) return { bands: out, valid };
    const tw = col1 - col0;
    const th = row1 - row0;
    const srcX = Math.round((gx + col0 * gsd - originX) / sx);
    const srcY = Math.round((gy + row0 * gsdY - originY) / sy);
    const srcW = Math.min(width - srcX, Math.round(tw * ratioX));
    const srcH = Math.min(height - srcY, Math.round(th * ratioY));
    const resampling = { average: gdal.GRA_Average, bilinear: gdal.GRA_Bilinear, nearest: gdal.GRA_NearestNeighbor }[options.resampling ?? 'average'];
    const read = (band: RasterBand, dataType: string) =>
      band.pixels.read(srcX, srcY, srcW, srcH, undefined, { buffer_width: tw, buffer_height: th, data_type: dataType, resampling });
    const copy = (source: ArrayLike<number>, target: Float32Array | Uint8Array) => {
      for (let r = 0; r < th; r += 1) {
        const base = (row0 + r) * grid.width + col0;
        for (let c = 0; c < tw; c += 1) target[base + c] = source[r * tw + c]!;
      }
    };
    bandNumbers.forEach((b, i) => copy(read(dataset.bands.get(b), gdal.GDT_Float32) as Float32Array, out[i]!));
    const mask = read(dataset.bands.get(bandNumbers[0]!).getMaskBand()!, gdal.GDT_Byte) as Uint8Array;
    copy(mask.map((m) => (m > 127 ? 1 : 0)), valid);
    return { bands: out, valid };
  } finally {
    dataset.close();
  }
}
