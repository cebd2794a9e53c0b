/**
 * What the COG job (stages/cog.ts) writes a flight's full-resolution COG from: the upload as it
 * is when it is already a usable COG; else the upload with the COG's overviews that ingest made
 * in its pass over it; else the upload alone, when GDAL's COG driver makes the
 * overviews itself.
 *
 * Why ingest makes the overviews: the COG driver, given a source without overviews, decodes the
 * full-resolution upload twice (once to average it into overviews, once to copy it), and ingest's
 * reduced raster decoded it a third time. Averaged once in ingest's pass, the same decode yields
 * the overviews and, from the level nearest 0.25 m, the reduced raster; the COG job then decodes
 * the upload once. At 10 cm this took the flight back to the CPU time of the path before the
 * reduced rasters (docs/drone-resolution.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AssetRole } from '../core/flight-checks.js';
import { needsWarp } from '../core/ingest-decisions.js';
import { deleteVrt, readCogLayout } from '../raster/index.js';
import { mediumOf } from '../raster-store.js';
import type { InspectedRaster } from './inspect-raster.js';

/** Tile size of the COGs, pixels. */
export const COG_BLOCK_PX = 512;

/**
 * Whether an upload is already a COG that every later reader takes as it takes ours: a metric CRS,
 * COG layout with overviews, and 8-bit RGB (alpha allowed) or a one-band Float32 surface model.
 * ODM's --cog and other tools write such files; re-encoding them is most of the job's CPU time.
 */
export function isUsableCog(role: AssetRole, meta: InspectedRaster): boolean {
  if (needsWarp(meta)) return false;
  const layout = readCogLayout(meta.path);
  if (!layout.isCog) return false;
  if (layout.overviewCount === 0 && Math.max(meta.width, meta.height) > COG_BLOCK_PX) return false;
  // Heights pass as they are only when nothing about them needs fixing (see pixelOptions).
  if (role === 'surface_model') return meta.bandCount === 1 && meta.dataType === 'Float32' && meta.nodata !== null && layout.scale === 1 && layout.offset === 0;
  if (meta.dataType !== 'Byte') return false;
  return meta.bandCount === 3 || (meta.bandCount === 4 && layout.band4Interpretation === 'Alpha');
}

/** The overview factors GDAL's COG driver makes (OVERVIEWS=AUTO): 2, 4... until a level fits in one block. */
export function cogOverviewFactors(width: number, height: number): number[] {
  const factors: number[] = [];
  for (let factor = 2; Math.max(width, height) / (factor / 2) > COG_BLOCK_PX; factor *= 2) factors.push(factor);
  return factors;
}

/**
 * Whether ingest makes the COG's overviews of this upload: only where their pixels are the COG's
 * as they are (8-bit RGB, or Float32 heights without scale or offset, north up in a metric CRS: no
 * stretch, mask or warp between), the upload is not stored as uploaded, and the store is a
 * directory (the overviews are read back by path and deleted by the COG job).
 */
export function ingestMakesCogOverviews(role: AssetRole, upload: InspectedRaster, flightFile: string): boolean {
  if (mediumOf(flightFile).virtual || needsWarp(upload) || isUsableCog(role, upload)) return false;
  const layout = readCogLayout(upload.path);
  // An upload with overviews of its own (gdaladdo'd, or a COG that is not usable as it is): GDAL
  // adds no external overviews to a TIFF that holds internal ones, which rejected the upload as
  // unreadable; the COG driver copies the upload's own, as it did before ingest made any.
  if (layout.overviewCount > 0) return false;
  if (role === 'orthophoto') return upload.dataType === 'Byte' && upload.bandCount === 3;
  return upload.bandCount === 1 && upload.dataType === 'Float32' && layout.scale === 1 && layout.offset === 0;
}

/**
 * How ingest's overviews sit beside the upload: on a hard link of it (`.tif`), read as the upload
 * is, or on a VRT over it (`.vrt`) where a fill value must be declared or the upload has files
 * beside it that a link would not carry (.aux.xml, .msk). Through the VRT, the orthophoto's
 * overviews at 3 cm cost about 2 CPU s more.
 */
export type OverviewsCarrier = 'tif' | 'vrt';

export function overviewsCarrier(upload: InspectedRaster, declaresFill: boolean): OverviewsCarrier {
  const sidecars = ['.aux.xml', '.msk', '.ovr'].some((ext) => fs.existsSync(`${upload.path}${ext}`));
  return declaresFill || sidecars ? 'vrt' : 'tif';
}

/**
 * Where overviews stand: being made by ingest (`partial`), put in place for the COG job (`whole`),
 * or taken by the COG job to write from (`claimed`: a name ingest's clean-up does not touch).
 */
export type OverviewsState = 'partial' | 'whole' | 'claimed';

/** The file whose `.ovr` holds the COG's overviews, in the flight's folder beside `flightFile`. */
export function cogOverviewsFile(role: AssetRole, flightFile: string, carrier: OverviewsCarrier, state: OverviewsState = 'whole'): string {
  const name = role === 'surface_model' ? 'surface-model' : role; // as the flight's other files are named
  return path.join(path.dirname(flightFile), `${name}.overviews${state === 'whole' ? '' : `.${state}`}.${carrier}`);
}

/** Renames a file; false when it is not there (removed meanwhile). */
function renamed(from: string, to: string): boolean {
  try {
    fs.renameSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Takes ingest's overviews for the COG job (the file that carries them), or null when there are
 * none whole: renamed to their claimed names, the .ovr first, so that an ingest run again meanwhile
 * (a retry, or a killed worker's job taken over), which first removes the overviews it finds, can
 * no longer remove them under the COG driver reading them (that failed the read, and the upload
 * was rejected as unreadable). Overviews this job claimed before it was killed are taken as they are.
 */
export function claimCogOverviews(role: AssetRole, flightFile: string): string | null {
  if (mediumOf(flightFile).virtual) return null;
  for (const carrier of ['tif', 'vrt'] as const) {
    const claimed = cogOverviewsFile(role, flightFile, carrier, 'claimed');
    if (fs.existsSync(claimed) && fs.existsSync(`${claimed}.ovr`)) return claimed;
    const whole = cogOverviewsFile(role, flightFile, carrier);
    if (!renamed(`${whole}.ovr`, `${claimed}.ovr`)) continue;
    if (renamed(whole, claimed)) return claimed;
    fs.rmSync(`${claimed}.ovr`, { force: true }); // its carrier went meanwhile: write from the upload
  }
  return null;
}

/** Puts the partial overviews in place: the .ovr first, so that the carrier never names missing overviews. */
export function publishCogOverviews(role: AssetRole, flightFile: string, carrier: OverviewsCarrier): void {
  const partial = cogOverviewsFile(role, flightFile, carrier, 'partial');
  const whole = cogOverviewsFile(role, flightFile, carrier);
  fs.renameSync(`${partial}.ovr`, `${whole}.ovr`);
  fs.renameSync(partial, whole);
}

/** Removes overviews and what carries them (a VRT, or a hard link of the upload: the upload stays), if there are any. */
export function removeCogOverviews(file: string): void {
  if (file.endsWith('.vrt') && fs.existsSync(file)) deleteVrt(file);
  else fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.ovr`, { force: true });
}

/**
 * Removes the overviews files of `role` beside `flightFile` in the given states: whole or partial
 * before ingest makes them again (left by a killed attempt; claimed ones are the COG job's), and
 * in every state once the flight's last stage has ended.
 */
export function removeAllCogOverviews(role: AssetRole, flightFile: string, states: readonly OverviewsState[] = ['partial', 'whole']): void {
  for (const carrier of ['tif', 'vrt'] as const) for (const state of states) removeCogOverviews(cogOverviewsFile(role, flightFile, carrier, state));
}
