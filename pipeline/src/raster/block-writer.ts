/**
 * A GeoTIFF written block by block, as detection writes its maps: created empty (tiled, deflate) on
 * a grid, each window written when it is computed, closed once. On an object store GDAL writes it
 * through a local temporary file and uploads it when closed (see ../gdal.ts).
 */
import gdal from '../gdal.js';
import type { GeoTransform, RasterTypedArray } from './write-geotiff.js';

export interface BlockWriterOptions {
  width: number;
  height: number;
  bandCount: number;
  dataType: 'Byte' | 'Float32';
  geoTransform: Readonly<GeoTransform>;
  /** The reference system as a PROJ string (what flight-rasters.ts carries). */
  proj4: string;
  /** NoData value of band 1; default: none. */
  nodata?: number;
}

export interface BlockWriter {
  /** Writes `values` (row-major, width * height) into band `band` (1-based) at column, row. */
  writeWindow(band: number, col: number, row: number, width: number, height: number, values: RasterTypedArray): void;
  close(): void;
}

export function createBlockWriter(path: string, o: BlockWriterOptions): BlockWriter {
  const type = o.dataType === 'Byte' ? gdal.GDT_Byte : gdal.GDT_Float32;
  const dataset = gdal.open(path, 'w', 'GTiff', o.width, o.height, o.bandCount, type, ['TILED=YES', 'COMPRESS=DEFLATE']);
  dataset.geoTransform = [...o.geoTransform];
  dataset.srs = gdal.SpatialReference.fromProj4(o.proj4);
  if (o.nodata !== undefined) dataset.bands.get(1).noDataValue = o.nodata;
  return {
    writeWindow: (band, col, row, width, height, values) => dataset.bands.get(band).pixels.write(col, row, width, height, values),
    close: () => dataset.close(),
  };
}
