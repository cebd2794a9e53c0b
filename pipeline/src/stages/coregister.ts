/**
 * Stage 2, co-register: measures how far the new flight's content sits from the reference and
 * records it on the flight; every later read takes it out. The reference is the earlier
 * orthophoto when one covers the flight (edges against edges), otherwise the baseline height
 * model (the surface model's heights against the baseline's). Windows across the flight vote
 * (model/drift.ts, which evaluation uses too).
 */
import { addFlightNotice, setFlightShift } from '#db/sql/flights.js';
import { mismatchNotice } from '../core/flight-notices.js';
import { combineWindowShifts, DRIFT_GSD_M, driftWindows, measureWindowShift, type Drift, type WindowShift } from '../model/drift.js';
import { loadModelSpec } from '../model/index.js';
import { flightInputs } from './flight-inputs.js';
import { flightGrid, loadFlightRasters } from './flight-rasters.js';
import type { StageContext } from './stage.js';

export interface CoregisterResult {
  reference: Drift['reference'] | 'none';
  dxM: number;
  dyM: number;
  windows: number;
}

export async function coregisterFlight(ctx: StageContext, flightId: string): Promise<CoregisterResult> {
  const rasters = await loadFlightRasters(ctx.pool, flightId);
  const spec = loadModelSpec();
  const windows = driftWindows(flightGrid(rasters, DRIFT_GSD_M));
  const shifts: WindowShift[] = [];
  for (const [i, window] of windows.entries()) {
    const shift = measureWindowShift(await flightInputs(ctx.pool, rasters, window, { uncorrected: true, beforeSurface: false }), spec);
    if (shift) shifts.push(shift);
    await ctx.progress((i + 1) / windows.length);
  }
  const drift = combineWindowShifts(shifts);
  const result: CoregisterResult = { reference: drift?.reference ?? 'none', dxM: drift?.dxM ?? 0, dyM: drift?.dyM ?? 0, windows: shifts.length };
  await setFlightShift(ctx.pool, flightId, result.dxM, result.dyM);
  // Compared with a reference but matched nowhere: the operator is told, not left with a flight
  // scored as if it were registered.
  const mismatch = mismatchNotice(shifts, drift !== null);
  if (mismatch) await addFlightNotice(ctx.pool, flightId, mismatch);
  return result;
}
