/**
 * Reads the part of a raster that covers a target grid, resampled by GDAL (averaging) to that
 * grid's pixels: how every stage gets a flight's orthophoto or surface model at the model's
 * ground resolution without ever holding the full-resolution image. COG overviews make coarse
 * reads cheap. A co-registration shift moves the raster before reading; pixels of the grid that
 * the raster does not cover come back invalid. A raster in another CRS than the grid's (a patrol
 * exported in UTM against a reference in CGCS2000 Gauss-Krüger) is warped to it as it is read.
 */
import { randomUUID } from 'node:crypto';
import gdal, { type Dataset, type RasterBand } from '../gdal.js';

export interface TargetGrid {
  width: number;
  height: number;
  /** North-up GDAL geotransform in the grid's CRS (the raster's own unless `crs` says otherwise). */
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
  /**
   * The grid's CRS as WKT. A raster in another CRS is read through a warped VRT in this one
   * (bilinear, with an alpha band for validity). Default: the grid is in the raster's CRS.
   */
  crs?: string;
}

/**
 * `dataset` as it is, or warped to `crs` when it is in another one: a VRT, so nothing is computed
 * beyond the pixels read. The caller closes the result when it is not `dataset`.
 */
function inGridCrs(dataset: Dataset, crs: string | undefined): Dataset {
  const own = dataset.srs;
  if (!crs || !own) return dataset;
  const target = gdal.SpatialReference.fromWKT(crs);
  if (own.isSame(target)) return dataset;
  return gdal.warp(`/vsimem/lingwei-read-${randomUUID()}.vrt`, null, [dataset], ['-of', 'VRT', '-t_srs', crs, '-r', 'bilinear', '-dstalpha']);
}

/** Closes what was opened for a read: the warped VRT (and its in-memory file) before its source. */
function closeRead(opened: Dataset, dataset: Dataset): void {
  if (dataset !== opened) {
    const vrt = dataset.description;
    dataset.close();
    try {
      gdal.vsimem.release(vrt);
    } catch {
      // never written out: nothing to free
    }
  }
  opened.close();
}

/** The window of the raster to read, the buffer GDAL resamples it into, and where that lands. */
interface ReadPlan {
  bandNumbers: number[];
  /** Target columns/rows covered by the raster (the buffer's place on the grid) and their count. */
  col0: number;
  row0: number;
  tw: number;
  th: number;
  /** Source window. */
  srcX: number;
  srcY: number;
  srcW: number;
  srcH: number;
  resampling: string;
}

type DatasetShape = { width: number; height: number; geoTransform: readonly number[]; bandCount: number };

function planRead(d: DatasetShape, grid: TargetGrid, options: ReadOnGridOptions): ReadPlan | null {
  const { width, height } = d;
  const [ox, sx, , oy, , sy] = d.geoTransform as [number, number, number, number, number, number];
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
  if (col1 <= col0 || row1 <= row0) return null;
  const tw = col1 - col0;
  const th = row1 - row0;
  const srcX = Math.round((gx + col0 * gsd - originX) / sx);
  const srcY = Math.round((gy + row0 * gsdY - originY) / sy);
  const srcW = Math.min(width - srcX, Math.round(tw * ratioX));
  const srcH = Math.min(height - srcY, Math.round(th * ratioY));
  const resampling = { average: gdal.GRA_Average, bilinear: gdal.GRA_Bilinear, nearest: gdal.GRA_NearestNeighbor }[options.resampling ?? 'average'];
  return { bandNumbers: bandsToRead(d, options), col0, row0, tw, th, srcX, srcY, srcW, srcH, resampling };
}

function bandsToRead(d: DatasetShape, options: ReadOnGridOptions): number[] {
  return options.bands ?? Array.from({ length: Math.min(3, d.bandCount) }, (_, i) => i + 1);
}

function shapeOf(dataset: Dataset): DatasetShape {
  const { x: width, y: height } = dataset.rasterSize;
  return { width, height, geoTransform: dataset.geoTransform!, bandCount: dataset.bands.count() };
}

/** Places the buffers GDAL filled on the grid; the mask becomes 0/1 validity. */
function placeOnGrid(grid: TargetGrid, plan: ReadPlan, buffers: Float32Array[], mask: Uint8Array): GridRead {
  const { col0, row0, tw, th } = plan;
  const out = buffers.map(() => new Float32Array(grid.width * grid.height));
  const valid = new Uint8Array(grid.width * grid.height);
  for (let r = 0; r < th; r += 1) {
    const base = (row0 + r) * grid.width + col0;
    buffers.forEach((b, i) => out[i]!.set(b.subarray(r * tw, (r + 1) * tw), base));
    for (let c = 0; c < tw; c += 1) valid[base + c] = mask[r * tw + c]! > 127 ? 1 : 0;
  }
  return { bands: out, valid };
}

function emptyRead(grid: TargetGrid, bands: number): GridRead {
  return { bands: Array.from({ length: bands }, () => new Float32Array(grid.width * grid.height)), valid: new Uint8Array(grid.width * grid.height) };
}

function readOptions(plan: ReadPlan, dataType: string) {
  return { buffer_width: plan.tw, buffer_height: plan.th, data_type: dataType, resampling: plan.resampling };
}

export function readOnGrid(path: string, grid: TargetGrid, options: ReadOnGridOptions = {}): GridRead {
  const opened = gdal.open(path);
  const dataset = inGridCrs(opened, options.crs);
  try {
    const shape = shapeOf(dataset);
    const plan = planRead(shape, grid, options);
    if (!plan) return emptyRead(grid, bandsToRead(shape, options).length);
    const { srcX, srcY, srcW, srcH } = plan;
    const read = (band: RasterBand, dataType: string) => band.pixels.read(srcX, srcY, srcW, srcH, undefined, readOptions(plan, dataType));
    const buffers = plan.bandNumbers.map((b) => read(dataset.bands.get(b), gdal.GDT_Float32) as Float32Array);
    const mask = read(dataset.bands.get(plan.bandNumbers[0]!).getMaskBand()!, gdal.GDT_Byte) as Uint8Array;
    return placeOnGrid(grid, plan, buffers, mask);
  } finally {
    closeRead(opened, dataset);
  }
}

/**
 * As readOnGrid, with the decoding and resampling on libuv's threads: the detect stage reads the
 * next block this way while the network runs on the current one. Same plan, same values.
 */
export async function readOnGridAsync(path: string, grid: TargetGrid, options: ReadOnGridOptions = {}): Promise<GridRead> {
  const opened = await gdal.openAsync(path);
  // Everything synchronous is asked before the first read: a getter on a dataset with a read in
  // flight would block the event loop until the read ends (gdal-async's ASYNCIO.md).
  const dataset = inGridCrs(opened, options.crs);
  try {
    const shape = shapeOf(dataset);
    const plan = planRead(shape, grid, options);
    if (!plan) return emptyRead(grid, bandsToRead(shape, options).length);
    const bands = plan.bandNumbers.map((b) => dataset.bands.get(b));
    const maskBand = bands[0]!.getMaskBand()!;
    const { srcX, srcY, srcW, srcH } = plan;
    const read = (band: RasterBand, dataType: string) => band.pixels.readAsync(srcX, srcY, srcW, srcH, undefined, readOptions(plan, dataType));
    // All queued at once, so that they finish without waiting for the main thread in between.
    const [mask, ...buffers] = await Promise.all([read(maskBand, gdal.GDT_Byte), ...bands.map((band) => read(band, gdal.GDT_Float32))]);
    return placeOnGrid(grid, plan, buffers as Float32Array[], mask as Uint8Array);
  } finally {
    closeRead(opened, dataset);
  }
}
