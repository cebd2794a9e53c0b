/**
 * The office's training data from its database (issue 19, `npm run model -- adapt --from-db --area
 * <code> --since <date>`), in the layout of what its flights carry:
 *
 * - Flights with a surface model (a drone office): the surface-model layout (scripts/eval/surface.ts)
 *   here. Per block of each flight: dsm/ its heights, rgb/ its orthophoto, mask/ and mask_vec/ the
 *   buildings that stood then (the baseline's with their surveyed heights, the register's, and the
 *   structures reviewers confirmed, less what a confirmed demolition removed; standing-outlines.ts).
 *   The trainer's exporter turns each into a "surface" sample (models/data/real.ts
 *   exportSurfaceTiles): every outline in the baseline, heights sampled from the flight's surface
 *   model, a share withheld per draw to make new structures, as with the real surface-model tiles.
 *   Held-back tiles are scored with the same withholding (npm run eval). A flight's orthophoto is
 *   always there: these tiles adapt the main network, which serves the office's patrols against an
 *   earlier flight, and are scored by it alone (scripts/model/adapt.ts networkToAdapt; routed as
 *   they are, without an earlier flight, they would be first patrols, the surface network's).
 * - Flights of orthophotos alone: image pairs against the earlier flight (models/data/office.ts).
 *
 * Blocks are squares of BLOCK_M metres on a fixed lattice of the flight's CRS, named
 * `<block>@f<flight>`: the held-back share is whole blocks of ground (scripts/model/adapt.ts
 * chooseHeldBack), never pixels, never one flight of a block scored while another is trained on.
 * A block is left out when the flight's orthophoto does not cover all of it, when its surface
 * model covers less than MIN_SURFACE_SHARE of it, or when a candidate the flight raised there was
 * never decided by a person (what stands there is not known). Rejected false alarms are no
 * building in the outlines; they and their reasons are kept in the manifest (office.json).
 * No earlier flight is given to the tiles: a building withheld to stand for a new one stood in the
 * earlier flight too, which would say it is not new.
 *
 * Deterministic: flights, blocks and outlines in a fixed order; the same database gives the same files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { getFlight } from '#db/sql/flights.js';
import { areaFlights, knownBuildings, reviewedOutlines } from '#db/sql/training-data.js';
import { extentOf, type Grid } from '#pipeline/model/grid.js';
import type { ModelSpec } from '#pipeline/model/model-spec.js';
import { polygonMask } from '#pipeline/model/polygon-fill.js';
import type { DsmInput, RgbInput } from '#pipeline/model/prepare.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { flightInputs } from '#pipeline/stages/flight-inputs.js';
import { loadFlightRasters } from '#pipeline/stages/flight-rasters.js';
import { BLOCK_M, blocksOf, exportOfficeData, periodFlights, type OfficeManifest } from './office.js';
import { polygonsOf, standingOutlines } from './standing-outlines.js';

/** Least share of a block the flight's surface model must cover (photogrammetry leaves holes, kept as nodata). */
export const MIN_SURFACE_SHARE = 0.9;
/** The nodata value of the exported surface models (declared in each file). */
export const SURFACE_NODATA = -9999;

export interface SurfaceOfficeSample {
  name: string;
  block: string;
  flight: string;
  /** Outlines in mask_vec/ by where they come from. */
  buildings: { baseline: number; register: number; reviewed: string[] };
  /** Known buildings left out as gone (source:id), and the confirmed demolitions that say so. */
  removed: string[];
  demolitions: string[];
  negatives: Array<{ candidate: string; reason_code: string | null; reason_text: string | null }>;
  /** Share of the block the surface model covers. */
  surface_share: number;
}

export interface SurfaceOfficeManifest {
  layout: 'surface';
  area: string;
  since: string;
  block_m: number;
  gsd_m: number;
  flights: string[];
  samples: SurfaceOfficeSample[];
  skipped: Array<{ flight: string; block?: string; why: string }>;
}

export type FromDbManifest = (OfficeManifest & { layout?: 'pairs' }) | SurfaceOfficeManifest;

export interface FromDbOptions {
  area: string;
  since: string;
  spec: ModelSpec;
  dir: string;
  blockM?: number;
  log?: (line: string) => void;
}

/**
 * Writes the area's training folder in the layout its flights call for: surface models when any
 * flight of the period carries one (those without are left out, said in the manifest), else
 * image pairs.
 */
export async function exportFromDb(pool: pg.Pool, o: FromDbOptions): Promise<FromDbManifest> {
  const flights = await areaFlights(pool, o.area, o.since);
  if (flights === null) throw new Error(`--area ${o.area}: no administrative area with that code (import the areas first)`);
  for (const id of flights) {
    if (await carriesSurfaceModel(pool, id)) return exportOfficeSurfaces(pool, o);
  }
  return exportOfficeData(pool, o);
}

async function carriesSurfaceModel(pool: pg.Pool, flightId: string): Promise<boolean> {
  return !!(await getFlight(pool, flightId))?.assets.some((a) => a.kind === 'surface_model');
}

function shareOf(valid: Uint8Array | undefined, n: number): number {
  if (!valid) return 1;
  let seen = 0;
  for (const v of valid) seen += v ? 1 : 0;
  return seen / n;
}

function writeRgb(file: string, rgb: RgbInput, srs: string): void {
  const bands = rgb.bands.map((b) => Uint8Array.from(b, (v) => Math.max(0, Math.min(255, Math.round(v)))));
  writeGeoTiff(file, { width: rgb.grid.width, height: rgb.grid.height, bands, geoTransform: [...rgb.grid.geoTransform], srs });
}

function writeHeights(file: string, dsm: DsmInput, srs: string): void {
  const data = Float32Array.from(dsm.data, (v) => (Number.isFinite(v) ? v : SURFACE_NODATA));
  writeGeoTiff(file, { width: dsm.grid.width, height: dsm.grid.height, bands: [data], geoTransform: [...dsm.grid.geoTransform], srs, nodata: SURFACE_NODATA });
}

function touches(grid: Grid, geometry: Parameters<typeof polygonsOf>[0]): boolean {
  return polygonMask(grid, polygonsOf(geometry)).some((v) => v > 0);
}

/** Writes the area's surface-model training folder into `dir` (emptied first) and returns its manifest. */
export async function exportOfficeSurfaces(pool: pg.Pool, o: FromDbOptions): Promise<SurfaceOfficeManifest> {
  const log = o.log ?? (() => undefined);
  const size = o.blockM ?? BLOCK_M;
  const flights = await periodFlights(pool, o.area, o.since);
  fs.rmSync(o.dir, { recursive: true, force: true });
  for (const sub of ['dsm', 'rgb', 'mask', 'mask_vec']) fs.mkdirSync(path.join(o.dir, sub), { recursive: true });
  const manifest: SurfaceOfficeManifest = { layout: 'surface', area: o.area, since: o.since, block_m: size, gsd_m: o.spec.gsd_m, flights, samples: [], skipped: [] };
  for (const flight of flights) {
    const rasters = await loadFlightRasters(pool, flight);
    if (!rasters.detection.surfaceModel) {
      manifest.skipped.push({ flight, why: 'no surface model (an orthophoto alone; adapt on a period of orthophoto flights for those)' });
      continue;
    }
    const reviewed = await reviewedOutlines(pool, flight, rasters.proj);
    let kept = 0;
    for (const { block, grid } of blocksOf(rasters.extent, size, o.spec.gsd_m)) {
      const n = grid.width * grid.height;
      const inputs = await flightInputs(pool, rasters, grid, { before: false, beforeSurface: false });
      if (shareOf(inputs.afterRgb?.valid, n) < 1) {
        manifest.skipped.push({ flight, block, why: 'not fully covered by the flight\'s orthophoto' });
        continue;
      }
      const surfaceShare = shareOf(Uint8Array.from(inputs.afterDsm!.data, (v) => (Number.isFinite(v) ? 1 : 0)), n);
      if (surfaceShare < MIN_SURFACE_SHARE) {
        manifest.skipped.push({ flight, block, why: `the surface model covers ${(surfaceShare * 100).toFixed(0)}% of it` });
        continue;
      }
      const here = reviewed.filter((r) => touches(grid, r.geometry));
      const undecided = here.filter((r) => r.label === 'unknown');
      if (undecided.length) {
        manifest.skipped.push({ flight, block, why: `candidates nobody decided: ${undecided.map((r) => r.candidateId).join(', ')}` });
        continue;
      }
      const known = await knownBuildings(pool, extentOf(grid), rasters.proj);
      const { features, removed } = standingOutlines(grid, known, here);
      const name = `${block}@f${flight}`;
      writeHeights(path.join(o.dir, 'dsm', `${name}.tif`), inputs.afterDsm!, rasters.srsWkt);
      writeRgb(path.join(o.dir, 'rgb', `${name}.tif`), inputs.afterRgb!, rasters.srsWkt);
      writeGeoTiff(path.join(o.dir, 'mask', `${name}.tif`), {
        width: grid.width, height: grid.height, geoTransform: [...grid.geoTransform], srs: rasters.srsWkt,
        bands: [polygonMask(grid, features.flatMap((f) => polygonsOf(f.geometry)))],
      });
      fs.writeFileSync(path.join(o.dir, 'mask_vec', `${name}.geojson`), `${JSON.stringify({ type: 'FeatureCollection', features })}\n`);
      manifest.samples.push({
        name, block, flight,
        buildings: {
          baseline: features.filter((f) => f.properties.source === 'baseline').length,
          register: features.filter((f) => f.properties.source === 'register').length,
          reviewed: features.filter((f) => f.properties.source === 'reviewed').map((f) => f.properties.id),
        },
        removed,
        demolitions: here.filter((r) => r.label === 'gone').map((r) => r.candidateId),
        negatives: here.filter((r) => r.label === 'negative').map((r) => ({ candidate: r.candidateId, reason_code: r.reasonCode, reason_text: r.reasonText })),
        surface_share: Math.round(surfaceShare * 1000) / 1000,
      });
      kept += 1;
    }
    log(`flight ${flight} (surface model): ${kept} blocks`);
  }
  fs.writeFileSync(path.join(o.dir, 'office.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  if (!manifest.samples.length) {
    throw new Error(`--area ${o.area} --since ${o.since}: no block with known buildings (${manifest.skipped.length} left out: ${[...new Set(manifest.skipped.map((s) => s.why.replace(/:.*/, '').replace(/\d+%/, 'too little')))].join('; ')})`);
  }
  return manifest;
}
