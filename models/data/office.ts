/**
 * The office's own training data from its database (issue 19, `npm run model -- adapt --from-db
 * --area <code> --since <date>`): every finished flight of the area and period that has an
 * earlier flight under it, cut into whole blocks of ground, written as an evaluation folder in the
 * pairs layout (A/ the earlier flight, B/ the flight, label/ the change), so that the adaptation
 * trains and scores on it with the code that reads any office folder, and `npm run eval` reads it.
 *
 * - Blocks: squares of BLOCK_M metres on a fixed lattice of the flight's CRS, read on the model's
 *   grid. A block's file is named `<block>@f<flight>`: the held-back share is chosen by block
 *   (scripts/model/adapt.ts chooseHeldBack groups names on the part before '@'), so ground scored
 *   on is never trained on through another flight of it.
 * - Labels (db/sql/training-data.ts): reviewers' verified structures first seen by the flight and
 *   confirmed demolitions are change (their outlines); rejected candidates are false alarms,
 *   label 0 where the network fired, their reasons kept in the manifest (hard negatives). A
 *   candidate rejected as permitted or already in the register is no false alarm: the structure
 *   is real, only not illegal (from-db.ts counts it as standing), and whether it was new between
 *   the two flights the reviewer did not say; its pixels weigh 0 (taught neither way) and it is
 *   listed under `structures`. A block
 *   holding a candidate nobody decided (pending, or set aside by triage) is left out: its labels are
 *   not known. So is a block the flights do not both fully cover. weight/ gives the rejected
 *   outlines' pixels HARD_NEGATIVE_WEIGHT in the training loss.
 * - Buildings: the baseline's and the register's footprints in each block (buildings/), which the
 *   trainer turns into new-structure examples by pasting buildings of one block into another, a
 *   share at a time ("single" samples, models/batches.py; exportOfficeSingles).
 * - office.json: the manifest: area, period, every sample with its flights, block, candidates and
 *   reasons, and every block left out with why.
 *
 * Deterministic: flights, blocks and outlines in a fixed order; the same database gives the same files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { areaFlights, buildingFootprints, labelledOutlines, type LabelledOutline } from '#db/sql/training-data.js';
import { extentOf, gridForExtent, type Grid } from '#pipeline/model/grid.js';
import type { ModelSpec } from '#pipeline/model/model-spec.js';
import { polygonMask, type PolygonRings } from '#pipeline/model/polygon-fill.js';
import { prepareInputs, type RgbInput } from '#pipeline/model/prepare.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import { flightInputs } from '#pipeline/stages/flight-inputs.js';
import { loadFlightRasters } from '#pipeline/stages/flight-rasters.js';
import { readRaster } from '#scripts/eval/read-raster.js';
import { classShare, inputPlanes } from './planes.js';
import type { SampleWriter } from './sample-writer.js';

/** Loss weight of a rejected candidate's pixels (every other pixel weighs 1). */
export const HARD_NEGATIVE_WEIGHT = 3;

/** Side of a block, metres (256 pixels at the model's 0.5 m); a smaller one may be given. */
export const BLOCK_M = 128;

export interface OfficeSample {
  name: string;
  block: string;
  flight: string;
  before_flight: string;
  changes: string[];
  demolitions: string[];
  negatives: Array<{ candidate: string; reason_code: string | null; reason_text: string | null }>;
  /** Rejected as permitted or already in the register: real structures, neither change nor false alarm. */
  structures: Array<{ candidate: string; reason_code: string | null; reason_text: string | null }>;
  unchanged: string[];
  buildings: number;
}

export interface OfficeManifest {
  area: string;
  since: string;
  block_m: number;
  gsd_m: number;
  flights: string[];
  samples: OfficeSample[];
  skipped: Array<{ flight: string; block?: string; why: string }>;
}

/** Rejection reasons that say the structure is real, only not illegal (db/sql/training-data.ts reviewedOutlines reads them so too). */
export const REAL_STRUCTURE_REASONS: ReadonlySet<string> = new Set(['permitted_construction', 'already_in_register']);

/** A rejected candidate that is a real structure rather than a false alarm. */
export function isRealStructure(l: Pick<LabelledOutline, 'label' | 'reasonCode'>): boolean {
  return l.label === 'negative' && l.reasonCode !== null && REAL_STRUCTURE_REASONS.has(l.reasonCode);
}

/** Loss weight of a rejected candidate's pixels per pixel: HARD_NEGATIVE_WEIGHT for false alarms, 0 for real structures, 1 elsewhere. */
function lossWeights(grid: Grid, here: readonly LabelledOutline[]): Uint8Array {
  const falseAlarms = polygonMask(grid, here.filter((l) => l.label === 'negative' && !isRealStructure(l)).flatMap((l) => polygonsOf(l.geometry)));
  const structures = polygonMask(grid, here.filter(isRealStructure).flatMap((l) => polygonsOf(l.geometry)));
  return Uint8Array.from(falseAlarms, (v, i) => (structures[i] ? 0 : v ? HARD_NEGATIVE_WEIGHT : 1));
}

function polygonsOf(g: LabelledOutline['geometry']): PolygonRings[] {
  return (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown as PolygonRings[];
}

function touches(grid: Grid, polygons: PolygonRings[]): boolean {
  const mask = polygonMask(grid, polygons);
  return mask.some((v) => v > 0);
}

function allSeen(rgb: RgbInput | undefined): boolean {
  return !!rgb?.valid && rgb.valid.every((v) => v > 0);
}

function writeRgb(file: string, rgb: RgbInput, srs: string): void {
  const bands = rgb.bands.map((b) => Uint8Array.from(b, (v) => Math.max(0, Math.min(255, Math.round(v)))));
  writeGeoTiff(file, { width: rgb.grid.width, height: rgb.grid.height, bands, geoTransform: [...rgb.grid.geoTransform], srs });
}

/** The area's finished flights since the date, or an error that says why there are none. */
export async function periodFlights(pool: pg.Pool, area: string, since: string): Promise<string[]> {
  const flights = await areaFlights(pool, area, since);
  if (flights === null) throw new Error(`--area ${area}: no administrative area with that code (import the areas first)`);
  if (!flights.length) throw new Error(`--area ${area} --since ${since}: no finished flights there since then`);
  return flights;
}

/**
 * The blocks of `size` metres that an extent meets, north to south, west to east, each named
 * `b<column>-<row>` with its model grid: whole blocks, so that a held-back share is whole blocks.
 */
export function* blocksOf(extent: readonly [number, number, number, number], size: number, gsdM: number): Generator<{ block: string; grid: Grid }> {
  const [minX, minY, maxX, maxY] = extent;
  for (let cy = Math.ceil(maxY / size) - 1; cy >= Math.floor(minY / size); cy -= 1) {
    for (let cx = Math.floor(minX / size); cx < Math.ceil(maxX / size); cx += 1) {
      yield { block: `b${cx}-${cy}`, grid: gridForExtent([cx * size, cy * size, (cx + 1) * size, (cy + 1) * size], gsdM) };
    }
  }
}

/** Writes the area's training folder into `dir` (emptied first) and returns its manifest. */
export async function exportOfficeData(
  pool: pg.Pool,
  o: { area: string; since: string; spec: ModelSpec; dir: string; blockM?: number; log?: (line: string) => void },
): Promise<OfficeManifest> {
  const log = o.log ?? (() => undefined);
  const size = o.blockM ?? BLOCK_M;
  const flights = await periodFlights(pool, o.area, o.since);
  fs.rmSync(o.dir, { recursive: true, force: true });
  for (const sub of ['A', 'B', 'label', 'buildings', 'weight']) fs.mkdirSync(path.join(o.dir, sub), { recursive: true });
  const manifest: OfficeManifest = { area: o.area, since: o.since, block_m: size, gsd_m: o.spec.gsd_m, flights, samples: [], skipped: [] };
  for (const flight of flights) {
    const rasters = await loadFlightRasters(pool, flight);
    if (!rasters.before) {
      manifest.skipped.push({ flight, why: 'no earlier flight under it to compare with' });
      continue;
    }
    const outlines = await labelledOutlines(pool, flight, rasters.proj);
    let kept = 0;
    for (const { block, grid } of blocksOf(rasters.extent, size, o.spec.gsd_m)) {
      const inputs = await flightInputs(pool, rasters, grid, { beforeSurface: false });
      if (!allSeen(inputs.afterRgb) || !allSeen(inputs.beforeRgb)) {
        manifest.skipped.push({ flight, block, why: 'not fully covered by both flights' });
        continue;
      }
      const here = outlines.filter((l) => touches(grid, polygonsOf(l.geometry)));
      const undecided = here.filter((l) => l.label === 'unknown');
      if (undecided.length) {
        manifest.skipped.push({ flight, block, why: `candidates nobody decided: ${undecided.map((l) => l.candidateId).join(', ')}` });
        continue;
      }
      const name = `${block}@f${flight}`;
      const changed = here.filter((l) => l.label === 'change' || l.label === 'demolition');
      const label = polygonMask(grid, changed.flatMap((l) => polygonsOf(l.geometry)));
      const footprints = (await buildingFootprints(pool, extentOf(grid), rasters.proj)).flatMap(polygonsOf);
      writeRgb(path.join(o.dir, 'A', `${name}.tif`), inputs.beforeRgb!, rasters.srsWkt);
      writeRgb(path.join(o.dir, 'B', `${name}.tif`), inputs.afterRgb!, rasters.srsWkt);
      const geo = { width: grid.width, height: grid.height, geoTransform: [...grid.geoTransform] as [number, number, number, number, number, number], srs: rasters.srsWkt };
      writeGeoTiff(path.join(o.dir, 'label', `${name}.tif`), { ...geo, bands: [label] });
      writeGeoTiff(path.join(o.dir, 'buildings', `${name}.tif`), { ...geo, bands: [polygonMask(grid, footprints)] });
      // Hard negatives: where the network fired and a reviewer said no weighs more in the loss;
      // a real structure rejected only as legal weighs nothing.
      writeGeoTiff(path.join(o.dir, 'weight', `${name}.tif`), { ...geo, bands: [lossWeights(grid, here)] });
      manifest.samples.push({
        name, block, flight, before_flight: rasters.before.flightId,
        changes: here.filter((l) => l.label === 'change').map((l) => l.candidateId),
        demolitions: here.filter((l) => l.label === 'demolition').map((l) => l.candidateId),
        negatives: here.filter((l) => l.label === 'negative' && !isRealStructure(l)).map((l) => ({ candidate: l.candidateId, reason_code: l.reasonCode, reason_text: l.reasonText })),
        structures: here.filter(isRealStructure).map((l) => ({ candidate: l.candidateId, reason_code: l.reasonCode, reason_text: l.reasonText })),
        unchanged: here.filter((l) => l.label === 'unchanged').map((l) => l.candidateId),
        buildings: footprints.length,
      });
      kept += 1;
    }
    log(`flight ${flight} (earlier flight ${rasters.before.flightId}): ${kept} blocks`);
  }
  fs.writeFileSync(path.join(o.dir, 'office.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  if (!manifest.samples.length) {
    throw new Error(`--area ${o.area} --since ${o.since}: no block with known labels (${manifest.skipped.length} left out: ${[...new Set(manifest.skipped.map((s) => s.why.replace(/:.*/, '')))].join('; ')})`);
  }
  return manifest;
}

/**
 * The trained-on blocks' after images with the baseline's and register's buildings, as "single"
 * samples: the trainer pastes another block's buildings into one, making new structures on the
 * office's own ground and roofs (models/batches.py _single).
 */
export function exportOfficeSingles(items: ReadonlyArray<{ after: string; key: string; folder: string; name: string }>, spec: ModelSpec, out: SampleWriter): number {
  let n = 0;
  for (const item of items) {
    const file = path.join(item.folder, 'buildings', `${item.name}.tif`);
    if (!fs.existsSync(file)) continue;
    const buildings = readRaster(file);
    // Ground without buildings has none to paste: such a sample would only teach "no change".
    if (!buildings.bands[0]!.some((v) => v > 0)) continue;
    const after = readRaster(item.after);
    const rgb: RgbInput = { grid: after.grid, bands: [after.bands[0]!, after.bands[1]!, after.bands[2]!] };
    const single = prepareInputs({ afterRgb: rgb }, spec);
    out.write(
      { kind: 'single', source: 'office', name: item.key, width: single.grid.width, height: single.grid.height },
      { ...inputPlanes(single, spec), buildings: classShare({ grid: buildings.grid, data: buildings.bands[0]! }, [1], single.grid) },
    );
    n += 1;
  }
  return n;
}
