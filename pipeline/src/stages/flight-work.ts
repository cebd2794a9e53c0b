/**
 * The adapter of the work bounds (core/work-bounds.ts): counts each raster's empty blocks from
 * its TIFF directory and the flight's area from the orthophoto's size, never reading a pixel, so
 * the check costs the same for a 7 MB sparse file as for a 20 GB one. The upload check and ingest
 * both run it before any pixel is read.
 */
import { groundResolutionM, type AssetRole } from '../core/flight-checks.js';
import { checkFlightWork, type WorkLimits, type WorkProblem } from '../core/work-bounds.js';
import { countEmptyBlocks } from '../raster/tiff-blocks.js';
import type { InspectedRaster } from './inspect-raster.js';

export async function flightWorkProblems(rasters: ReadonlyArray<{ role: AssetRole; meta: InspectedRaster }>, limits: WorkLimits): Promise<WorkProblem[]> {
  const work = await Promise.all(rasters.map(async ({ role, meta }) => ({ role, width: meta.width, height: meta.height, blocks: await countEmptyBlocks(meta.path) })));
  const ortho = rasters.find((r) => r.role === 'orthophoto')?.meta;
  const gsd = ortho ? groundResolutionM(ortho) : null;
  const areaKm2 = ortho && gsd ? (ortho.width * gsd * ortho.height * gsd) / 1e6 : 0;
  return checkFlightWork(work, areaKm2, limits);
}
