/**
 * The checks a flight's uploads pass before anything is queued: each file must be a TIFF by its
 * first bytes, open in GDAL, read to its last block (a truncated file fails there), and pass the
 * same checks the ingest stage applies (pipeline/src/core/flight-checks.ts: the rasters, the
 * pair, the surface model's heights; core/work-bounds.ts: the work the flight would take). A file
 * that fails gets a sentence the operator can act on, and no flight is made.
 */
import fs from 'node:fs/promises';
import { checkFlightPair, checkFlightRaster, checkSurfaceHeights, type AssetRole } from '#pipeline/core/flight-checks.js';
import { openRaster } from '#pipeline/raster/index.js';
import { inspectRaster, UnreadableRasterError, type InspectedRaster } from '#pipeline/stages/inspect-raster.js';
import { surfaceHeights } from '#pipeline/stages/surface-heights.js';
import { flightWorkProblems } from '#pipeline/stages/flight-work.js';
import type { WorkLimits } from '#pipeline/core/work-bounds.js';
import { rasterSignature, SIGNATURE_BYTES } from './raster-signature.js';

const NAMES: Record<AssetRole, string> = { orthophoto: 'orthophoto', surface_model: 'surface model' };

async function firstBytes(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(SIGNATURE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SIGNATURE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Reads the bottom-right pixel of every band: the strip or tile holding it is written last, at the
 * end of the pixel data, so a file cut short (an upload tool that stopped early, a full disk)
 * fails here. One block per band is read, never the image.
 */
async function readLastBlock(file: string): Promise<void> {
  const raster = openRaster(file);
  try {
    await raster.readWindowAsync(raster.width - 1, raster.height - 1, 1, 1);
  } finally {
    raster.close();
  }
}

/** The raster's metadata, or the reason it cannot be used as the flight's `role`. */
export async function inspectUploadedRaster(role: AssetRole, file: string): Promise<{ raster: InspectedRaster } | { problem: string }> {
  const name = NAMES[role];
  const signature = rasterSignature(await firstBytes(file));
  if (!signature.tiff) return { problem: `The ${name} is not a GeoTIFF: the file looks like ${signature.looksLike}. Export the ${name} as a GeoTIFF (.tif) and upload that.` };
  let raster: InspectedRaster;
  try {
    raster = inspectRaster(file);
  } catch (error) {
    if (!(error instanceof UnreadableRasterError)) throw error;
    return { problem: `The ${name} starts like a TIFF but cannot be opened: it is truncated or corrupt. Upload it again.` };
  }
  // What the metadata already refuses is said first: a file of a kind GDAL cannot read pixels of
  // here (complex CInt16 heights) is not "truncated or corrupt".
  const problems = checkFlightRaster(role, raster);
  if (problems.length) return { problem: problems.join(' ') };
  try {
    await readLastBlock(file);
  } catch {
    return { problem: `The ${name} could not be read to the end: the file is truncated or corrupt. Upload it again.` };
  }
  return { raster };
}

export interface UploadCheck {
  /** Every reason the pair cannot make a flight; empty when it can. */
  problems: string[];
  /** The uploads that cannot be used as they are (both, when they do not fit together). */
  refused: AssetRole[];
}

export async function checkUploadedRasters(files: { orthophoto: string; surfaceModel?: string }, limits: WorkLimits): Promise<UploadCheck> {
  const ortho = await inspectUploadedRaster('orthophoto', files.orthophoto);
  const dsm = files.surfaceModel ? await inspectUploadedRaster('surface_model', files.surfaceModel) : null;
  const results = [['orthophoto', ortho], ['surface_model', dsm]] as const;
  const problems = results.flatMap(([, result]) => (result && 'problem' in result ? [result.problem] : []));
  const refused = results.flatMap(([role, result]) => (result && 'problem' in result ? [role] : []));
  if (problems.length || !('raster' in ortho) || (dsm && !('raster' in dsm))) return { problems, refused };
  const rasters = [{ role: 'orthophoto' as const, meta: ortho.raster }, ...(dsm && 'raster' in dsm ? [{ role: 'surface_model' as const, meta: dsm.raster }] : [])];
  const both: AssetRole[] = rasters.map((r) => r.role);
  if (rasters[1]) {
    const pair = checkFlightPair(ortho.raster, rasters[1].meta);
    if (pair.length) return { problems: pair, refused: both };
  }
  // The work is bounded before a pixel is read: a sparse file declaring billions of pixels would
  // otherwise hold the heights read below, and then a worker, for hours.
  const work = await flightWorkProblems(rasters, limits);
  if (work.length) {
    return { problems: work.map((w) => w.problem), refused: [...new Set(work.flatMap((w) => (w.about === 'flight' ? both : [w.about])))] };
  }
  // Every height is read (one band, so far less than the orthophoto): a surface model with none,
  // or with impossible ones, would make a flight that ends "done" with wrong results.
  if (rasters[1]) {
    const heights = checkSurfaceHeights((await surfaceHeights(rasters[1].meta.path)).summary);
    if (heights.length) return { problems: heights, refused: ['surface_model'] };
  }
  return { problems: [], refused: [] };
}
