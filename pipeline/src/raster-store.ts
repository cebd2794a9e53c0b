/**
 * The raster store: where a flight's files live, `<store>/flights/<id>/<name>`. The store is a
 * directory or an object store (a GDAL virtual path, /vsis3/...); what differs between the two is
 * one implementation per medium below (as geotiff.js has one source per medium), chosen by the
 * path, so that no caller tests for `/vsi` itself. Every raster in it is opened through GDAL, and
 * the names are fixed so that a stage re-run after a crash overwrites instead of accumulating.
 */
import fs from 'node:fs';
import path from 'node:path';
import gdal from './gdal.js';
import { copyToObjectStore } from './raster/copy-to-object-store.js';

/** What a stored path can do, by the medium it lives on. */
export interface RasterMedium {
  /** Whether this is an object store (GDAL virtual path), whose files only GDAL reads. */
  readonly virtual: boolean;
  /** `parts` under `store`. */
  join(store: string, ...parts: string[]): string;
  /** Makes a folder (object stores have none). */
  makeDir(dir: string): void;
  /** Removes a folder and what is in it. */
  removeDir(dir: string): void;
  /** The size of a stored file in bytes, or null where it is not known without a request. */
  storedBytes(uri: string): number | null;
  /** False only when the file is known to be missing (an object store is not asked). */
  mayExist(uri: string): boolean;
  /** A local file stored at `target` (a hard link where `link` and the file system allow), resolving to its bytes. */
  storeLocalFile(source: string, target: string, link: boolean): Promise<number>;
}

const directory: RasterMedium = {
  virtual: false,
  join: (store, ...parts) => path.join(store, ...parts),
  makeDir: (dir) => fs.mkdirSync(dir, { recursive: true }),
  removeDir: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
  storedBytes: (uri) => fs.statSync(uri).size,
  mayExist: (uri) => fs.existsSync(uri),
  async storeLocalFile(source, target, link) {
    if (link) {
      fs.rmSync(target, { force: true }); // a job re-run after a crash
      try {
        fs.linkSync(source, target);
        return fs.statSync(target).size;
      } catch {
        // another file system, or no hard links there: a copy
      }
    }
    await fs.promises.copyFile(source, target);
    return fs.statSync(target).size;
  },
};

const objectStore: RasterMedium = {
  virtual: true,
  join: (store, ...parts) => [store.replace(/\/$/, ''), ...parts].join('/'),
  makeDir: () => undefined,
  removeDir(dir) {
    // Each object is deleted through GDAL, best effort: a file left there only costs space.
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
  },
  storedBytes: () => null,
  mayExist: () => true,
  storeLocalFile: (source, target) => copyToObjectStore(source, target),
};

/** Whether a file exists in the store, asked through GDAL (on an object store, a HEAD request). */
export async function storedFileExists(uri: string): Promise<boolean> {
  try {
    await gdal.fs.statAsync(uri);
    return true;
  } catch {
    return false;
  }
}

/** The medium a store, or a path in one, lives on. */
export function mediumOf(storeOrPath: string): RasterMedium {
  return storeOrPath.startsWith('/vsi') ? objectStore : directory;
}

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
  return mediumOf(store).virtual;
}

export function flightPath(store: string, flightId: string, name: string): string {
  if (!/^\d+$/.test(flightId)) throw new Error(`flight id must be numeric, got ${JSON.stringify(flightId)}`);
  if (name.includes('/') || name.includes('..')) throw new Error(`file name must be plain, got ${JSON.stringify(name)}`);
  return mediumOf(store).join(store, 'flights', flightId, name);
}

/** Makes the flight's folder (a no-op on object stores, which have no folders). */
export function ensureFlightDir(store: string, flightId: string): void {
  mediumOf(store).makeDir(path.dirname(flightPath(store, flightId, 'x')));
}

/**
 * Where the API's resumable uploads land before a flight is made of them: `<store>/uploads`, on
 * the same file system as the flights so taking one in is a local copy. A tus upload is appended
 * to piece by piece, which object stores cannot do: a /vsis3/ store has no uploads area (null).
 */
export function uploadsDir(store: string): string | null {
  return mediumOf(store).virtual ? null : path.join(store, 'uploads');
}

/**
 * Removes a flight's folder: its uploads (or links to them), COGs and probability maps. For a
 * flight that failed for good, whose files no stage will read again and which would otherwise
 * stay until someone cleans by hand. On an object store each object is deleted through GDAL,
 * best effort: a file left there only costs space.
 */
export function removeFlightFiles(store: string, flightId: string): void {
  mediumOf(store).removeDir(path.dirname(flightPath(store, flightId, 'x')));
}
