/**
 * The one import of gdal-async. GDAL 3 follows each CRS's authority axis order (EPSG:4326 is
 * lat/lon, Gauss-Krüger EPSG:4549 is northing/easting) and gdal-async has no per-object switch, so
 * the process-wide default is set here to x = easting/longitude, y = northing/latitude before
 * anything builds a SpatialReference. Import gdal from this module, never from 'gdal-async'.
 */
import gdal from 'gdal-async';

gdal.config.set('OSR_DEFAULT_AXIS_MAPPING_STRATEGY', 'TRADITIONAL_GIS_ORDER');

export default gdal;
export type { Dataset, Layer, RasterBand, SpatialReference } from 'gdal-async';
