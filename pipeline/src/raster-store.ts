/**
 * Where a flight's files live in the raster store: `<store>/flights/<id>/<name>`. The store is a
 * directory or a GDAL virtual path (/vsis3/...), so every path here is opened through GDAL, and
 * the names are fixed so that a stage re-run after a crash overwrites instead of accumulating.
 */
import fs from 'node:fs';
import path from 'node:path';
import gdal from './gdal.js';

export const FLIGHT_FILES = {
  uploadedOrthophoto: 'upload-orthophoto.tif',
  uploadedSurfaceModel: 'upload-surface-model.tif',
  orthophotoCog: 'orthophoto.cog.tif',
  surfaceModelCog: 'surface-model.cog.tif',
  /** What detection and co-registration read, made by ingest in one pass over each upload (stages/reduced-raster.ts). */
  reducedOrthophoto: 'orthophoto.reduced.tif',
  reducedSurfaceModel: 'surface-model.reduced.tif',
} as const;

export function isVirtualStore(store: string): boolean {
  return store.startsWith('/vsi');
}

export function flightPath(store: string, flightId: string, name: string): string {
  if (!/^\d+$/.test(flightId)) throw new Error(`flight id must be numeric, got ${JSON.stringify(flightId)}`);
  if (name.includes('/') || name.includes('..')) throw new Error(`file name must be plain, got ${JSON.stringify(name)}`);
  return isVirtualStore(store) ? `${store.replace(/\/$/, '')}/flights/${flightId}/${name}` : path.join(store, 'flights', flightId, name);
}

/** Makes the flight's folder (a no-op on object stores, which have no folders). */
export function ensureFlightDir(store: string, flightId: string): void {
  if (!isVirtualStore(store)) fs.mkdirSync(path.dirname(flightPath(store, flightId, 'x')), { recursive: true });
}

/**
 * Where the API's resumable uploads land before a flight is made of them: `<store>/uploads`, on
 * the same file system as the flights so taking one in is a local copy. A tus upload is appended
 * to piece by piece, which object stores cannot do: a /vsis3/ store has no uploads area (null).
 */
export function uploadsDir(store: string): string | null {
  return isVirtualStore(store) ? null : path.join(store, 'uploads');
}

/**
 * Removes a flight's folder: its uploads (or links to them), COGs and probability maps. For a
 * flight that failed for good, whose files no stage will read again and which would otherwise
 * stay until someone cleans by hand. On an object store each object is deleted through GDAL,
 * best effort: a file left there only costs space.
 */
export function removeFlightFiles(store: string, flightId: string): void {
  const dir = path.dirname(flightPath(store, flightId, 'x'));
  if (!isVirtualStore(store)) {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  let names: string[];
  try {
    names = gdal.fs.readDir(dir);
  } catch {
    return; // nothing stored under it
  }
  for (const name of names) {
    try {
      gdal.drivers.get('GTiff').deleteDataset(`${dir}/${name}`);
    } catch {
      // not a raster GDAL can delete (or gone already): left behind
    }
  }
}
