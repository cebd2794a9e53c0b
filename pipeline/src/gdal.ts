/**
 * The one import of gdal-async. GDAL 3 follows each CRS's authority axis order (EPSG:4326 is
 * lat/lon, Gauss-Krüger EPSG:4549 is northing/easting) and gdal-async has no per-object switch, so
 * the process-wide default is set here to x = easting/longitude, y = northing/latitude before
 * anything builds a SpatialReference. Import gdal from this module, never from 'gdal-async'.
 */
import gdal from 'gdal-async';
import { GDAL_CACHE_MB } from './raster/gdal-cache.js';

gdal.config.set('OSR_DEFAULT_AXIS_MAPPING_STRATEGY', 'TRADITIONAL_GIS_ORDER');
// GDAL's block cache, bounded (raster/gdal-cache.ts says why and how much).
gdal.config.set('GDAL_CACHEMAX', GDAL_CACHE_MB);
// An object store (/vsis3/) is written sequentially; a GeoTIFF written block by block (the
// probability map) goes through a local temporary file and is uploaded when closed.
gdal.config.set('CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE', 'YES');

export default gdal;
export type { Dataset, Layer, RasterBand, SpatialReference } from 'gdal-async';
