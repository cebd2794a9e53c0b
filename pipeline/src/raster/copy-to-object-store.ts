/**
 * Copies a local file into an object store path (/vsis3/...), byte for byte, through GDAL's
 * virtual file system (GDALCopyDatasetFiles), with the same credentials and endpoint (from the
 * environment) as every other raster access. GDAL's copy is synchronous, and gdal-async loads in
 * one thread per process only: it runs in a child process, so the API and the worker keep
 * answering while a multi-GB upload goes up.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

const COPY = `
const [gdalPath, source, target] = process.argv.slice(1);
const gdal = require(gdalPath);
gdal.drivers.get('GTiff').copyFiles(target, source);
process.stdout.write(String(gdal.fs.stat(target).size));`;

/** Resolves to the bytes written at `target`. */
export function copyToObjectStore(source: string, target: string): Promise<number> {
  const gdalPath = createRequire(import.meta.url).resolve('gdal-async');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', COPY, gdalPath, source, target], (error, stdout, stderr) => {
      if (error) reject(new Error(`copying ${source} to ${target}: ${stderr.trim().split('\n').find((l) => l.startsWith('Error')) ?? error.message}`));
      else resolve(Number(stdout));
    });
  });
}
