/**
 * The raster window reader every stage uses: opens a raster (a local path or any GDAL path such
 * as /vsis3/...), tells its size, type and georeferencing, and reads windows of it. It never reads
 * the whole image unless the window asked for is the whole image.
 */
import gdal, { type Dataset } from '../gdal.js';
import { epsgCode } from './srs.js';
import type { GeoTransform, RasterTypedArray } from './write-geotiff.js';

export interface RasterSource {
  path: string;
  width: number;
  height: number;
  bandCount: number;
  /** GDAL pixel type of band 1 ("Byte", "Float32"...). */
  dataType: string;
  geoTransform: GeoTransform;
  /** WKT of the reference system, or null when the raster has none. */
  srsWkt: string | null;
  /** EPSG code of the reference system, or null when it has none. */
  epsg: number | null;
  /** NoData value of band 1, or null. */
  nodata: number | null;
  /** Ground sample distance: pixel width in CRS units (metres for projected systems). */
  gsd: number;
  /**
   * Reads a window, one array per band.
   * @param bands 1-based band numbers to read; default: all bands
   */
  readWindow(x: number, y: number, width: number, height: number, bands?: number[]): RasterTypedArray[];
  /** As readWindow, off the main thread (libuv pool), for servers. */
  readWindowAsync(x: number, y: number, width: number, height: number, bands?: number[]): Promise<RasterTypedArray[]>;
  /** Pixel (column, row; fractional) of a point in CRS coordinates. */
  worldToPixel(x: number, y: number): [number, number];
  /** CRS coordinates of a pixel position (column, row; 0,0 = upper-left corner of the raster). */
  pixelToWorld(col: number, row: number): [number, number];
  close(): void;
}

export function openRaster(path: string): RasterSource {
  let ds: Dataset;
  try {
    ds = gdal.open(path);
  } catch (error) {
    throw new Error(`cannot open raster ${path}: ${(error as Error).message}`, { cause: error });
  }
  const { x: width, y: height } = ds.rasterSize;
  const bandCount = ds.bands.count();
  const band1 = ds.bands.get(1);
  const gt = (ds.geoTransform ?? [0, 1, 0, 0, 0, 1]) as GeoTransform;
  const srs = ds.srs;
  const check = (x: number, y: number, w: number, h: number, bands: number[]) => {
    if (!(w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= width && y + h <= height) || ![x, y, w, h].every(Number.isInteger)) {
      throw new Error(`window ${w}x${h} at (${x}, ${y}) is outside raster ${path} (${width}x${height}); clip it to the raster first`);
    }
    for (const b of bands) if (!(b >= 1 && b <= bandCount)) throw new Error(`raster ${path} has no band ${b} (bands 1..${bandCount})`);
  };
  const all = Array.from({ length: bandCount }, (_, i) => i + 1);
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  return {
    path,
    width,
    height,
    bandCount,
    dataType: band1.dataType ?? 'Unknown',
    geoTransform: gt,
    srsWkt: srs ? srs.toWKT() : null,
    epsg: epsgCode(srs),
    nodata: band1.noDataValue,
    gsd: Math.hypot(gt[1], gt[4]),
    readWindow(x, y, w, h, bands = all) {
      check(x, y, w, h, bands);
      return bands.map((b) => ds.bands.get(b).pixels.read(x, y, w, h) as RasterTypedArray);
    },
    async readWindowAsync(x, y, w, h, bands = all) {
      check(x, y, w, h, bands);
      const out: RasterTypedArray[] = [];
      for (const b of bands) out.push((await (await ds.bands.getAsync(b)).pixels.readAsync(x, y, w, h)) as RasterTypedArray);
      return out;
    },
    worldToPixel(x, y) {
      const dx = x - gt[0];
      const dy = y - gt[3];
      return [(gt[5] * dx - gt[2] * dy) / det, (-gt[4] * dx + gt[1] * dy) / det];
    },
    pixelToWorld(col, row) {
      return [gt[0] + col * gt[1] + row * gt[2], gt[3] + col * gt[4] + row * gt[5]];
    },
    close() {
      ds.close();
    },
  };
}
