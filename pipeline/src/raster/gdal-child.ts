/**
 * GDAL work that must fail on every error GDAL reports, run in a child process. GDAL reports some
 * decode errors only through its error handler and goes on with a block of garbage: a corrupt JPEG
 * tile in the middle of an orthophoto ("JPEGLib: Unsupported marker") was re-encoded into the COG
 * and the flight ended "done". gdal-async offers no hook for those reports in-process, so the work
 * runs in a child whose GDAL prints them to stderr (gdal.verbose()), and any "ERROR" line there
 * fails it. The child also keeps the long synchronous work off the worker's event loop, and stops
 * when the worker is killed.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { GDAL_CACHE_MB } from './gdal-cache.js';

const SCRIPT = `
const [gdalPath, operation, source, target, optionsJson, levelsJson] = process.argv.slice(1);
const gdal = require(gdalPath);
gdal.verbose();
// A worker killed mid-job (kill -9, the machine's OOM killer) leaves its child to the init process:
// the child then kills itself instead of writing on beside the worker that takes the job over.
// Started before any GDAL work, the overviews' pass included (an orphan built them on to the end).
// The watch is a thread of its own, as GDAL's work may hold this thread's event loop.
const { Worker } = require('node:worker_threads');
new Worker('const parent = ' + process.ppid + '; setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, "SIGKILL"); }, 250);', { eval: true }).unref();
if (operation === 'overviews-then-translate') {
  // Uncompressed: the overviews are read once more, by the COG job, and then deleted; any
  // compression would cost more CPU than the decode they spare it.
  gdal.config.set('COMPRESS_OVERVIEW', 'NONE');
  gdal.config.set('BIGTIFF_OVERVIEW', 'IF_SAFER');
  const pyramid = gdal.open(source);
  pyramid.buildOverviews('AVERAGE', JSON.parse(levelsJson));
  pyramid.close();
}
const input = gdal.open(source);
if (operation !== 'decode') {
  gdal.translate(target, input, JSON.parse(optionsJson)).close();
} else {
  // Every tile of every band and overview, strip by strip, all bands of a strip together, so
  // pixel-interleaved tiles are decoded once (GDAL's block cache holds the strip).
  const bands = Array.from({ length: input.bands.count() }, (_, i) => input.bands.get(i + 1));
  const levels = [bands, ...Array.from({ length: bands[0].overviews.count() }, (_, k) => bands.map((b) => b.overviews.get(k)))];
  for (const level of levels) {
    const { x: width, y: height } = level[0].size;
    const rows = Math.max(1, level[0].blockSize.y);
    for (let y = 0; y < height; y += rows) {
      for (const band of level) band.pixels.read(0, y, width, Math.min(rows, height - y));
    }
  }
}
input.close();`;

/** GDAL's settings of this process (pipeline/src/gdal.ts), which the child reads from its environment. */
function childEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OSR_DEFAULT_AXIS_MAPPING_STRATEGY: 'TRADITIONAL_GIS_ORDER',
    GDAL_CACHEMAX: GDAL_CACHE_MB,
    CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE: 'YES',
    // A mask (an orthophoto's alpha) inside the GeoTIFF, not in a .msk beside it that a rename
    // and every reader of the store would have to carry along.
    GDAL_TIFF_INTERNAL_MASK: 'YES',
  };
}

function runChild(args: string[]): Promise<void> {
  const gdalPath = createRequire(import.meta.url).resolve('gdal-async');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', SCRIPT, gdalPath, ...args], { env: childEnvironment(), maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      const reported = stderr.split('\n').filter((line) => /^ERROR \d+:/.test(line)).map((line) => line.replace(/^ERROR \d+:\s*/, ''));
      if (error || reported.length) {
        const uncaught = stderr.split('\n').find((line) => /^Error: /.test(line))?.replace(/^Error: /, '');
        reject(new Error([...new Set(reported)].slice(0, 3).join('; ') || uncaught || (error as Error).message));
      } else {
        resolve();
      }
    });
  });
}

/** gdal_translate `source` to `target` with `options`; rejects on any error GDAL reports. */
export function translateReportingErrors(source: string, target: string, options: string[]): Promise<void> {
  return runChild(['translate', source, target, JSON.stringify(options)]);
}

/**
 * Builds `levels` overviews (factors 2, 4...) of `source`, a VRT, as an uncompressed external
 * `${source}.ovr` (every full-resolution pixel decoded once, averaged), then gdal_translate's
 * `source` to `target` with `options`, which reads the overviews where they serve; rejects on any
 * error GDAL reports.
 */
export function overviewsThenTranslateReportingErrors(source: string, levels: number[], target: string, options: string[]): Promise<void> {
  return runChild(['overviews-then-translate', source, target, JSON.stringify(options), JSON.stringify(levels)]);
}

/** Decodes every tile of every band and overview of `source`; rejects on any error GDAL reports. */
export function decodeReportingErrors(source: string): Promise<void> {
  return runChild(['decode', source, '', '[]']);
}
