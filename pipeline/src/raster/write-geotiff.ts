/**
 * Writes a GeoTIFF from in-memory bands. The bands go into a GDAL in-memory dataset first and are
 * then copied to GeoTIFF in one pass (CreateCopy), the way gdal_translate writes: compressed
 * blocks (JPEG especially) are encoded exactly once and the output is byte-for-byte repeatable.
 */
import gdal from '../gdal.js';
import { toSpatialReference, type SrsInput } from './srs.js';

export type RasterDataType = 'Byte' | 'UInt16' | 'Int16' | 'Float32' | 'Float64';
export type RasterTypedArray = Uint8Array | Uint16Array | Int16Array | Float32Array | Float64Array;
export type GeoTransform = [number, number, number, number, number, number];

export interface WriteGeoTiffOptions {
  /** Raster width in pixels. */
  width: number;
  /** Raster height in pixels. */
  height: number;
  /** One row-major array of width * height values per band, band 1 first. */
  bands: RasterTypedArray[];
  /** Pixel type; default: inferred from the arrays (Uint8Array -> Byte, Float32Array -> Float32...). */
  dataType?: RasterDataType;
  /** GDAL geotransform [west, pixel width, row rotation, north, column rotation, -pixel height]. */
  geoTransform: GeoTransform;
  /** Reference system: an EPSG code (4549), "EPSG:4549", or WKT. */
  srs: SrsInput;
  /** NoData value written on every band; default: none. */
  nodata?: number | null;
  /**
   * GeoTIFF creation options, e.g. ["COMPRESS=JPEG", "PHOTOMETRIC=YCBCR", "JPEG_QUALITY=85",
   * "TILED=YES"]; default: ["TILED=YES", "COMPRESS=DEFLATE"].
   */
  creationOptions?: string[];
  /** Dataset metadata items (TIFF tags such as TIFFTAG_IMAGEDESCRIPTION); default: none. */
  metadata?: Record<string, string>;
}

const TYPE_OF: Record<string, RasterDataType> = {
  Uint8Array: 'Byte',
  Uint16Array: 'UInt16',
  Int16Array: 'Int16',
  Float32Array: 'Float32',
  Float64Array: 'Float64',
};

export function writeGeoTiff(path: string, o: WriteGeoTiffOptions): void {
  if (!o.bands.length) throw new Error(`writeGeoTiff ${path}: no bands given`);
  const n = o.width * o.height;
  o.bands.forEach((b, i) => {
    if (b.length !== n) throw new Error(`writeGeoTiff ${path}: band ${i + 1} has ${b.length} values, expected ${o.width} x ${o.height} = ${n}`);
  });
  const dataType = o.dataType ?? TYPE_OF[o.bands[0]!.constructor.name];
  if (!dataType) throw new Error(`writeGeoTiff ${path}: cannot infer the pixel type of a ${o.bands[0]!.constructor.name}; pass dataType`);
  const mem = gdal.drivers.get('MEM').create('', o.width, o.height, o.bands.length, dataType);
  try {
    mem.geoTransform = o.geoTransform;
    mem.srs = toSpatialReference(o.srs);
    o.bands.forEach((data, i) => {
      const band = mem.bands.get(i + 1);
      if (o.nodata !== undefined && o.nodata !== null) band.noDataValue = o.nodata;
      band.pixels.write(0, 0, o.width, o.height, data);
    });
    if (o.bands.length === 3 && dataType === 'Byte') {
      ['Red', 'Green', 'Blue'].forEach((c, i) => (mem.bands.get(i + 1).colorInterpretation = c));
    }
    if (o.metadata) mem.setMetadata(o.metadata);
    const out = gdal.drivers.get('GTiff').createCopy(path, mem, o.creationOptions ?? ['TILED=YES', 'COMPRESS=DEFLATE']);
    out.close();
  } finally {
    mem.close();
  }
}
