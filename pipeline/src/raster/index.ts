/** Raster I/O: GeoTIFF writing and windowed reading over gdal-async. */
export { openRaster, type RasterSource } from './open-raster.js';
export { writeGeoTiff, type GeoTransform, type RasterDataType, type RasterTypedArray, type WriteGeoTiffOptions } from './write-geotiff.js';
export { epsgCode, lonLatTransformer, toSpatialReference, type SrsInput } from './srs.js';
