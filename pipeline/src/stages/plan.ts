/**
 * Stage 3, plan: cuts the flight into detection blocks on the model's grid and keeps those over
 * valid pixels inside the baseline's coverage; the plan is stored with a new detection run, so the
 * detect stage (on any worker) reads exactly the same blocks. The run also records the model-store
 * version the flight is detected with, read from the promoted pointer here, once per flight: a
 * promotion reaches running workers at their next flight, and the flight's later stages use the
 * recorded version whichever worker runs them.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { addFlightNotice, extentsWithinCoverage, flightOutsideEveryArea, setExaminedArea, startDetectionRun } from '#db/sql/flights.js';
import { outsideEveryAreaNotice } from '../core/flight-notices.js';
import { planBlocks, type Block } from '../core/plan-blocks.js';
import { extentOf, subGrid, type Grid } from '../model/grid.js';
import { loadModelSpec } from '../model/index.js';
import { modelStoreDir, servedVersion, specPathOf } from '../model-store.js';
import { flightGrid, loadFlightRasters } from './flight-rasters.js';
import type { StageContext } from './stage.js';

export interface DetectionPlan {
  gsd: number;
  grid: Grid;
  blocks: Block[];
  /** Blocks left out: outside the flight's valid pixels or the baseline's coverage. */
  skipped: number;
}

const modelHashes = new Map<string, string>();

function modelSha256(file: string): string {
  if (!modelHashes.has(file)) modelHashes.set(file, createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
  return modelHashes.get(file)!;
}

export async function planFlight(ctx: StageContext, flightId: string): Promise<DetectionPlan> {
  const rasters = await loadFlightRasters(ctx.pool, flightId);
  const version = servedVersion();
  const spec = loadModelSpec(specPathOf(modelStoreDir(), version));
  const grid = flightGrid(rasters, spec.gsd_m);
  const all = planBlocks(grid);
  const extents = all.map((b) => extentOf(subGrid(grid, b.col, b.row, b.width, b.height)));
  const keep = await extentsWithinCoverage(ctx.pool, flightId, rasters.proj, extents);
  const plan: DetectionPlan = { gsd: spec.gsd_m, grid, blocks: keep.map((i) => all[i]!), skipped: all.length - keep.length };
  await startDetectionRun(ctx.pool, flightId, spec.onnx, modelSha256(path.join(spec.dir, spec.onnx)), plan, version);
  // What the detection examines is what counts as patrolled, not the whole footprint.
  await setExaminedArea(ctx.pool, flightId, rasters.proj, keep.map((i) => extents[i]!));
  // A flight in the wrong place (another continent, swapped coordinates) would otherwise end
  // "done" with nothing found and nothing said.
  if (await flightOutsideEveryArea(ctx.pool, flightId)) await addFlightNotice(ctx.pool, flightId, outsideEveryAreaNotice());
  return plan;
}
