/**
 * Warping a window of a raster onto another grid (a Web Mercator tile): gdalwarp picks the COG
 * overview that matches the grid's pixel size and reads only the blocks under it. Runs on libuv's
 * pool (async GDAL calls), so a slow read never blocks the API, and so that GDAL reading a COG from
 * the same server over /vsicurl/ works.
 */
import gdal from '../gdal.js';
import type { GeoTransform } from './write-geotiff.js';

/** The raster's bounds in `crs` [minX, minY, maxX, maxY]: its edges densified, as they curve after reprojection. */
export async function extentIn(uri: string, crs: string): Promise<[number, number, number, number]> {
  const source = await gdal.openAsync(uri);
  try {
    const gt = source.geoTransform as [number, number, number, number, number, number];
    const { x: width, y: height } = source.rasterSize;
    const transform = new gdal.CoordinateTransformation(source.srs!, gdal.SpatialReference.fromUserInput(crs));
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

export interface WarpGrid {
  /** Pixels a side (the grid is square). */
  size: number;
  geoTransform: GeoTransform;
  crs: string;
  /** Bands of the source read, 1 to bandCount; an alpha band from the source's mask follows them. */
  bandCount: number;
  dataType: 'Byte' | 'Float32';
}

/** `uri` warped (bilinear) onto the grid: bandCount bands, then the alpha band. */
export async function warpOntoGrid(uri: string, grid: WarpGrid): Promise<Array<ArrayLike<number>>> {
  const { size, bandCount } = grid;
  const source = await gdal.openAsync(uri);
  const target = gdal.open('tile', 'w', 'MEM', size, size, bandCount + 1, grid.dataType === 'Byte' ? gdal.GDT_Byte : gdal.GDT_Float32);
  try {
    target.srs = gdal.SpatialReference.fromUserInput(grid.crs);
    target.geoTransform = grid.geoTransform;
    await gdal.warpAsync(null, target, [source], ['-r', 'bilinear', '-dstalpha']);
    return Array.from({ length: bandCount + 1 }, (_, i) => target.bands.get(i + 1).pixels.read(0, 0, size, size) as ArrayLike<number>);
  } finally {
    target.close();
    source.close();
  }
}

/** What each band of a raster declares of its pixels. */
export interface BandDeclaration {
  dataType: string | null;
  scale: number;
  offset: number;
  noData: number | null;
  colorInterpretation: string | null;
}

export async function readBandDeclarations(uri: string): Promise<BandDeclaration[]> {
  const source = await gdal.openAsync(uri);
  try {
    return Array.from({ length: source.bands.count() }, (_, i) => {
      const band = source.bands.get(i + 1);
      return { dataType: band.dataType, scale: band.scale ?? 1, offset: band.offset ?? 0, noData: band.noDataValue ?? null, colorInterpretation: band.colorInterpretation };
    });
  } finally {
    source.close();
  }
}
