/**
 * Virtual rasters (GDAL VRT): a description over other rasters, nothing computed until read. A
 * mosaic of tiles, a fill value declared over a file, a warp north up: all read as one raster.
 */
import gdal from '../gdal.js';

/** Writes `vrt`, a mosaic of the GeoTIFFs `tifs` (gdalbuildvrt). */
export async function mosaicOfGeoTiffs(vrt: string, tifs: string[]): Promise<void> {
  (await gdal.buildVRTAsync(vrt, tifs)).close();
}

/** Writes `vrt` over `source` with gdal_translate `options` (a declared nodata, say). */
export async function translateToVrt(source: string, vrt: string, options: string[]): Promise<void> {
  const input = gdal.open(source);
  try {
    (await gdal.translateAsync(vrt, input, ['-of', 'VRT', ...options])).close();
  } finally {
    input.close();
  }
}

/** Writes `vrt`, `source` warped with gdalwarp `options` (target CRS, resampling, nodata). */
export async function warpToVrt(source: string, vrt: string, options: string[]): Promise<void> {
  const input = gdal.open(source);
  try {
    const output = await gdal.warpAsync(vrt, null, [input], ['-of', 'VRT', ...options]);
    output.close();
  } finally {
    input.close();
  }
}

/** Deletes a VRT, in a directory or an object store. */
export function deleteVrt(vrt: string): void {
  gdal.drivers.get('VRT').deleteDataset(vrt);
}
