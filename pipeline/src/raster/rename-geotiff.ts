/** Renaming a finished GeoTIFF into place, in a directory or an object store. */
import fs from 'node:fs';
import gdal from '../gdal.js';
import { mediumOf } from '../raster-store.js';

/**
 * Renames the GeoTIFF `from` to `target` (its side files follow). GDAL's rename works on both a
 * directory store and /vsis3/, but refuses a file with a .aux.xml whose name does not follow it:
 * whatever GDAL could not store in the TIFF itself is not needed by any reader here, so it is
 * dropped first.
 */
export function renameGeoTiffDroppingAux(target: string, from: string): void {
  if (!mediumOf(target).virtual) fs.rmSync(`${from}.aux.xml`, { force: true });
  renameGeoTiff(target, from);
}

/** Renames the GeoTIFF `from` to `target` with its side files. */
export function renameGeoTiff(target: string, from: string): void {
  gdal.drivers.get('GTiff').rename(target, from);
}
