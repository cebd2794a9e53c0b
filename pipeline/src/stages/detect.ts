/**
 * Stage 4, detect: runs the change detector block by block over the planned blocks, reading each
 * block's windows (never a whole raster) with the drift taken out, and writes the probabilities
 * (band 1: new or grown structure, band 2: demolished; 0..255) into one GeoTIFF on the model's
 * grid. Blocks overlap by their margins and only cores are written, so the map has no seams.
 */
import { finishDetectionRun, latestDetectionRun } from '../../../db/sql/flights.js';
import gdal from '../gdal.js';
import { chipLayout } from '../model/index.js';
import { subGrid } from '../model/grid.js';
import { ensureFlightDir, flightPath } from '../raster-store.js';
import { flightInputs } from './flight-inputs.js';
import { loadFlightRasters } from './flight-rasters.js';
import type { DetectionPlan } from './plan.js';
import type { StageContext } from './stage-context.js';

export const PROBABILITY_FILE = 'change-probability.tif';

export async function detectFlight(ctx: StageContext, flightId: string): Promise<{ blocks: number; chips: number }> {
  const rasters = await loadFlightRasters(ctx.pool, flightId);
  const run = await latestDetectionRun(ctx.pool, flightId);
  if (!run) throw new Error(`flight ${flightId} has no detection plan`);
  const plan = run.params as unknown as DetectionPlan;
  const detector = await ctx.changeDetector();
  const { chip_px: chip, overlap_px: overlap } = detector.spec;
  ensureFlightDir(ctx.config.rasterStore, flightId);
  const target = flightPath(ctx.config.rasterStore, flightId, PROBABILITY_FILE);
  const partial = `${target}.partial`;
  const output = gdal.open(partial, 'w', 'GTiff', plan.grid.width, plan.grid.height, 2, gdal.GDT_Byte, ['TILED=YES', 'COMPRESS=DEFLATE']);
  let chips = 0;
  try {
    output.geoTransform = [...plan.grid.geoTransform];
    output.srs = gdal.SpatialReference.fromProj4(rasters.proj);
    for (const [index, block] of plan.blocks.entries()) {
      const readGrid = subGrid(plan.grid, block.readCol, block.readRow, block.readWidth, block.readHeight);
      const map = await detector.detectRaster(await flightInputs(ctx.pool, rasters, readGrid));
      chips += chipLayout(block.readWidth, block.readHeight, chip, overlap).length;
      const margin = block.col - block.readCol;
      for (const [band, prob] of [map.newProb, map.demolishedProb].entries()) {
        const core = new Uint8Array(block.width * block.height);
        for (let r = 0; r < block.height; r += 1) {
          for (let c = 0; c < block.width; c += 1) core[r * block.width + c] = Math.round(255 * prob[(r + margin) * block.readWidth + c + margin]!);
        }
        output.bands.get(band + 1).pixels.write(block.col, block.row, block.width, block.height, core);
      }
      await ctx.progress((index + 1) / plan.blocks.length);
    }
  } finally {
    output.close();
  }
  gdal.drivers.get('GTiff').rename(target, partial);
  await finishDetectionRun(ctx.pool, run.id, { chipCount: chips });
  return { blocks: plan.blocks.length, chips };
}
