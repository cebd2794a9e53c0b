/**
 * Reads every height of a surface model once, for the checks that keep a broken one from ending
 * "done" with wrong results (no heights at all, infinities, 1e30). Reads go off the main thread, so
 * a large file does not hold up a job's lock renewal or the API. The upload check and ingest both
 * use it.
 */
import type { HeightSummary } from '../core/flight-checks.js';
import { scanBand } from '../raster/index.js';

/** Heights at or below this are fill values (-9999, -32767, -3.4e38), never ground: Shanghai is at 3-5 m. */
export const FILL_BELOW_M = -1000;

export interface SurfaceHeights {
  /** In metres (a scale factor and offset applied), the fill value left out. */
  summary: HeightSummary;
  /**
   * A fill value the file does not declare as nodata (its least value, when that is finite and at
   * or below FILL_BELOW_M), which ingest declares; null when there is none. In the file's own
   * units, as GDAL's -a_nodata takes it. Infinity is never taken for a fill value: it is refused.
   */
  undeclaredFill: number | null;
}

/** Pixels read at once: a few MB, whatever the file's size. */
const WINDOW_PX = 1 << 20;

/** What one pass over the values found, in the file's own units. */
interface Tally {
  total: number;
  /** Pixels that are the declared nodata value or NaN. */
  missing: number;
  /** Least and greatest value (±Infinity included), the count of the least, and the next value above it. */
  least: number;
  leastCount: number;
  aboveLeast: number;
  greatest: number;
}

/**
 * One pass over every value of band 1 (raster/scan-band.ts). GDAL's own statistics cannot be used:
 * they ignore a nodata value set on a VRT over the file and write a .aux.xml beside the upload.
 */
async function tallyValues(path: string): Promise<Tally & { nodata: number | null; scale: number; offset: number }> {
  const tally: Tally = { total: 0, missing: 0, least: Infinity, leastCount: 0, aboveLeast: Infinity, greatest: -Infinity };
  const band = await scanBand(path, WINDOW_PX, (values, { nodata }) => {
    for (let i = 0; i < values.length; i += 1) {
      const v = values[i]!;
      if (Number.isNaN(v) || v === nodata) {
        tally.missing += 1;
      } else if (v < tally.least) {
        tally.aboveLeast = tally.least;
        tally.least = v;
        tally.leastCount = 1;
      } else if (v === tally.least) {
        tally.leastCount += 1;
      } else if (v < tally.aboveLeast) {
        tally.aboveLeast = v;
      }
      if (v > tally.greatest) tally.greatest = v;
    }
  });
  return { ...tally, total: band.width * band.height, nodata: band.nodata, scale: band.scale, offset: band.offset };
}

/** Every height of the surface model at `path`, summarised, and the fill value it does not declare. */
export async function surfaceHeights(path: string): Promise<SurfaceHeights> {
  const tally = await tallyValues(path);
  const { greatest } = tally;
  let { least } = tally;
  let valid = tally.total - tally.missing;
  let undeclaredFill: number | null = null;
  // The least value is a fill value (as ingest declares it) when the file declares none and it is
  // a finite value no ground can have; the heights are then the values above it.
  if (tally.nodata === null && Number.isFinite(least) && least <= FILL_BELOW_M) {
    undeclaredFill = least;
    valid -= tally.leastCount;
    least = tally.aboveLeast;
  }
  if (valid === 0) return { summary: { validShare: 0, least: null, greatest: null }, undeclaredFill };
  const inMetres = (value: number) => value * tally.scale + tally.offset;
  // A negative scale factor swaps the ends.
  const [a, b] = [inMetres(least), inMetres(greatest)];
  return { summary: { validShare: valid / tally.total, least: Math.min(a, b), greatest: Math.max(a, b) }, undeclaredFill };
}
