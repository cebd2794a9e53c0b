/**
 * Stage 4, detect: runs the change detector block by block over the planned blocks, reading each
 * block's windows (never a whole raster) with the drift taken out, and writes the probabilities
 * (band 1: new or grown structure, band 2: demolished; 0..255) into one GeoTIFF on the model's
 * grid. Blocks overlap by their margins and only cores are written, so the map has no seams.
 * With a surface model it also writes the height change over the baseline (metres, Float32):
 * computed here once, where the ground estimate already exists, and read by later stages.
 */
import { finishDetectionRun, latestDetectionRun } from '#db/sql/flights.js';
import { prepareInputs } from '../model/index.js';
import { subGrid } from '../model/grid.js';
import { createBlockWriter, renameGeoTiff } from '../raster/index.js';
import { ensureFlightDir, flightPath } from '../raster-store.js';
import { flightInputs, surfaceModelUncovered } from './flight-inputs.js';
import { loadFlightRasters } from './flight-rasters.js';
import type { DetectionPlan } from './plan.js';
import type { StageContext } from './stage.js';

export const PROBABILITY_FILE = 'change-probability.tif';
/** Surface height above ground minus baseline height, metres; -9999 where unknown. */
export const HEIGHT_CHANGE_FILE = 'height-change.tif';
const NO_HEIGHT = -9999;

export async function detectFlight(ctx: StageContext, flightId: string): Promise<{ blocks: number; chips: number }> {
  const rasters = await loadFlightRasters(ctx.pool, flightId);
  const run = await latestDetectionRun(ctx.pool, flightId);
  if (!run) throw new Error(`flight ${flightId} has no detection plan`);
  const plan = run.params as unknown as DetectionPlan;
  const detector = await ctx.changeDetector(run.model_version);
  ensureFlightDir(ctx.config.rasterStore, flightId);
  const target = flightPath(ctx.config.rasterStore, flightId, PROBABILITY_FILE);
  const partial = `${target}.partial`;
  const heightTarget = flightPath(ctx.config.rasterStore, flightId, HEIGHT_CHANGE_FILE);
  const create = (file: string, bandCount: number, dataType: 'Byte' | 'Float32', nodata?: number) =>
    createBlockWriter(file, { width: plan.grid.width, height: plan.grid.height, bandCount, dataType, geoTransform: plan.grid.geoTransform, proj4: rasters.proj, ...(nodata === undefined ? {} : { nodata }) });
  const output = create(partial, 2, 'Byte');
  const heights = rasters.surfaceModel ? create(`${heightTarget}.partial`, 1, 'Float32', NO_HEIGHT) : null;
  let chips = 0;
  // Blocks served by each network: the run records the one that served most (raise calibrates
  // the candidates' scores with its map).
  const served = new Map<string, number>();
  // A first patrol goes to the surface network or not as a whole flight (ChangeDetector.networkFor).
  const uncovered = rasters.before ? undefined : ((await surfaceModelUncovered(rasters, plan.grid)) ?? undefined);
  // The surface network sets a first patrol's orthophoto aside: then it is not read at all.
  const brings = { afterRgb: true, beforeRgb: Boolean(rasters.before), afterHeight: Boolean(rasters.detection.surfaceModel), baseline: true };
  const orthophoto = detector.networkServing(brings, uncovered ?? 0) !== 'surface_only';
  const inputsOf = (block: DetectionPlan['blocks'][number]) =>
    flightInputs(ctx.pool, rasters, subGrid(plan.grid, block.readCol, block.readRow, block.readWidth, block.readHeight), { orthophoto });
  let next = plan.blocks.length ? inputsOf(plan.blocks[0]!) : null;
  try {
    for (const [index, block] of plan.blocks.entries()) {
      const inputs = await next!;
      // The next block's windows are read (GDAL, libuv's threads) and its baseline fetched while
      // the network runs on this one; at most two blocks' inputs are held at once.
      next = index + 1 < plan.blocks.length ? inputsOf(plan.blocks[index + 1]!) : null;
      const prepared = prepareInputs(inputs, detector.spec);
      const map = await detector.detectPrepared(prepared, { uncovered });
      served.set(map.network, (served.get(map.network) ?? 0) + 1);
      chips += map.chips;
      const margin = block.col - block.readCol;
      const core = <T extends Uint8Array | Float32Array>(out: T, value: (i: number) => number): T => {
        for (let r = 0; r < block.height; r += 1) {
          for (let c = 0; c < block.width; c += 1) out[r * block.width + c] = value((r + margin) * block.readWidth + c + margin);
        }
        return out;
      };
      for (const [band, prob] of [map.newProb, map.demolishedProb].entries()) {
        const values = core(new Uint8Array(block.width * block.height), (i) => Math.round(255 * prob[i]!));
        output.writeWindow(band + 1, block.col, block.row, block.width, block.height, values);
      }
      if (heights && prepared.afterHeight) {
        const { data, valid } = prepared.afterHeight;
        const baseline = prepared.baseline?.height;
        const values = core(new Float32Array(block.width * block.height), (i) => {
          const change = valid[i] ? data[i]! - (baseline?.[i] ?? 0) : Number.NaN;
          return Number.isFinite(change) ? change : NO_HEIGHT; // never an infinity in the height-change map
        });
        heights.writeWindow(1, block.col, block.row, block.width, block.height, values);
      }
      await ctx.progress((index + 1) / plan.blocks.length);
    }
  } finally {
    // A failed block leaves the prefetch unread: let it settle quietly (its datasets close).
    next?.catch(() => undefined);
    output.close();
    heights?.close();
  }
  renameGeoTiff(target, partial);
  if (heights) renameGeoTiff(heightTarget, `${heightTarget}.partial`);
  const network = [...served].sort((a, b) => b[1] - a[1])[0]?.[0];
  await finishDetectionRun(ctx.pool, run.id, { chipCount: chips, ...(network ? { network } : {}) });
  return { blocks: plan.blocks.length, chips };
}
