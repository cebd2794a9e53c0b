/**
 * Stage 1, ingest: checks the uploaded orthophoto and optional surface model, rewrites each as a
 * Cloud Optimized GeoTIFF with overviews (the format every later reader and the tile server want)
 * unless it is one already, and records the footprint of valid pixels. A flight that cannot be
 * used fails here with a reason the operator understands, before any detection work is spent on it.
 */
import fs from 'node:fs';
import type pg from 'pg';
import { inTransaction } from '#db/connection.js';
import { getFlight, setFlightFootprint, upsertFlightAsset, type AssetRow } from '#db/sql/flights.js';
import { checkFlightPair, checkFlightRaster, checkSurfaceHeights, groundResolutionM, type AssetRole } from '../core/flight-checks.js';
import { stretchMaximum } from '../core/colour-stretch.js';
import gdal, { type RasterBand } from '../gdal.js';
import { lonLatTransformer } from '../raster/index.js';
import { copyToObjectStore } from '../raster/copy-to-object-store.js';
import { decodeReportingErrors, translateReportingErrors } from '../raster/gdal-child.js';
import { ensureFlightDir, FLIGHT_FILES, flightPath, isVirtualStore } from '../raster-store.js';
import { FlightRejectedError, type StageContext } from './stage.js';
import { inspectRaster, UnreadableRasterError, type InspectedRaster } from './inspect-raster.js';
import { flightWorkProblems } from './flight-work.js';
import { surfaceHeights } from './surface-heights.js';

const NAMES: Record<AssetRole, string> = { orthophoto: 'orthophoto', surface_model: 'surface model' };

function inspectOrReject(role: AssetRole, path: string): InspectedRaster {
  try {
    return inspectRaster(path);
  } catch (error) {
    if (error instanceof UnreadableRasterError) {
      throw new FlightRejectedError(`The ${NAMES[role]} is not a readable GeoTIFF: it may be truncated or corrupt, or not a raster at all. Upload it again. (${error.message})`);
    }
    throw error;
  }
}

/** The rejection for an upload GDAL could open but not read through (truncated or corrupt). */
function unreadableToTheEnd(role: AssetRole, error: unknown): FlightRejectedError {
  return new FlightRejectedError(`The ${NAMES[role]} could not be read to the end: the file is truncated or corrupt. Upload it again. (${(error as Error).message})`);
}

/** Tile size of the COGs ingest writes, pixels. */
const COG_BLOCK_PX = 512;

/**
 * COG creation options per role: JPEG for colour (as drone software ships), lossless for heights.
 * Heights use DEFLATE at level 1: with the floating-point predictor the file is no larger than at
 * the default level 6 (75.9 against 76.6 MB for the bench's 1 km² surface model) and encoding
 * takes a fifth less CPU; every GeoTIFF reader reads DEFLATE, which ZSTD (faster still) cannot claim.
 */
async function cogOptions(role: AssetRole, meta: InspectedRaster, source: string, undeclaredFill: number | null): Promise<string[]> {
  const common = ['-of', 'COG', '-co', 'OVERVIEWS=AUTO', '-co', 'NUM_THREADS=2', '-co', `BLOCKSIZE=${COG_BLOCK_PX}`];
  if (role === 'surface_model') {
    // Heights as Float32 metres: integer decimetres with a scale factor are unscaled, and a fill
    // value the file does not declare (-9999, -32767; found by surfaceHeights) is declared, not
    // read as a height.
    const fill = meta.nodata === null ? undeclaredFill : null;
    const nodata = fill === null ? [] : ['-a_nodata', String(fill)];
    return [...common, '-ot', 'Float32', '-unscale', ...nodata, '-co', 'COMPRESS=DEFLATE', '-co', 'LEVEL=1', '-co', 'PREDICTOR=YES', '-co', 'RESAMPLING=AVERAGE'];
  }
  // JPEG needs 8-bit RGB: 16-bit colour gets one stretch for all bands; an alpha band becomes the COG's mask.
  const scale = meta.dataType === 'Byte' ? [] : ['-ot', 'Byte', '-scale', '0', String(stretchMaximum(...(await colourSample(source)))), '0', '255'];
  const bands = meta.bandCount === 4 ? ['-b', '1', '-b', '2', '-b', '3', '-mask', '4'] : [];
  // Bands written as grey (by many tools, and by any 16-bit source) are tagged red, green, blue:
  // right for every reader, and GDAL then has nothing to put in a .aux.xml beside the COG.
  return [...common, ...scale, ...bands, '-colorinterp', 'red,green,blue', '-co', 'COMPRESS=JPEG', '-co', 'QUALITY=90', '-co', 'RESAMPLING=AVERAGE'];
}

/**
 * The reduced read that ingest's whole-image looks (the colour stretch, the footprint) take: every
 * `step`-th pixel, at most 1024 a side, which GDAL serves from the overviews when there are some.
 */
function reducedRead(width: number, height: number): { step: number; width: number; height: number } {
  const step = Math.max(1, Math.ceil(Math.max(width, height) / 1024));
  return { step, width: Math.ceil(width / step), height: Math.ceil(height / step) };
}

/** Colour bands 1-3 and their validity, as a reduced read (reducedRead), off the main thread. */
async function colourSample(path: string): Promise<[Float32Array[], Uint8Array]> {
  const dataset = await gdal.openAsync(path);
  try {
    // Everything synchronous is asked before the first read (gdal-async's ASYNCIO.md).
    const { x: width, y: height } = dataset.rasterSize;
    const reduced = reducedRead(width, height);
    const size = { buffer_width: reduced.width, buffer_height: reduced.height };
    const bands = [1, 2, 3].map((b) => dataset.bands.get(b));
    const mask = bands[0]!.getMaskBand()!;
    const read = (band: RasterBand, data_type: string) => band.pixels.readAsync(0, 0, width, height, undefined, { ...size, data_type });
    const [valid, ...colours] = await Promise.all([read(mask, gdal.GDT_Byte), ...bands.map((band) => read(band, gdal.GDT_Float32))]);
    return [colours as Float32Array[], valid as Uint8Array];
  } finally {
    dataset.close();
  }
}

/**
 * The metric CRS flights are warped to when they come in degrees (EPSG:4326) or Web Mercator
 * (EPSG:3857, whose "metres" are 17% too large at Shanghai's latitude): UTM zone 51N. The model
 * and every measurement need pixels of a true ground size.
 */
export const METRIC_CRS = 'EPSG:32651';

function inMetricCrs(meta: InspectedRaster): boolean {
  return !meta.isGeographic && meta.epsg !== 3857;
}

/** North up, rows from north to south, no rotation: the only layout the later stages read. */
function isNorthUp(meta: InspectedRaster): boolean {
  const gt = meta.geoTransform;
  return !gt || (gt[1] > 0 && gt[5] < 0 && gt[2] === 0 && gt[4] === 0);
}

function needsWarp(meta: InspectedRaster): boolean {
  return !inMetricCrs(meta) || !isNorthUp(meta);
}

/**
 * A VRT that warps `source` north up (a south-up or rotated export) and, when it is in degrees
 * or Web Mercator, to the metric CRS; nothing is computed until the COG is written.
 */
async function warpedNorthUpMetric(role: AssetRole, source: string, target: string, meta: InspectedRaster): Promise<string> {
  const vrt = `${target}.warp.vrt`;
  const input = gdal.open(source);
  try {
    const nodata = role === 'surface_model' ? ['-dstnodata', '-9999'] : ['-dstnodata', '0'];
    const crs = inMetricCrs(meta) ? [] : ['-t_srs', METRIC_CRS];
    const output = await gdal.warpAsync(vrt, null, [input], ['-of', 'VRT', ...crs, '-r', 'bilinear', ...nodata]);
    output.close();
  } finally {
    input.close();
  }
  return vrt;
}

/**
 * Whether an upload is already a COG that every later reader takes as it takes ours: a metric CRS,
 * COG layout with overviews, and 8-bit RGB (alpha allowed) or a one-band Float32 surface model.
 * ODM's --cog and other tools write such files; re-encoding them is most of ingest's CPU time.
 */
function isUsableCog(role: AssetRole, meta: InspectedRaster): boolean {
  if (needsWarp(meta)) return false;
  const dataset = gdal.open(meta.path);
  try {
    if (dataset.getMetadata('IMAGE_STRUCTURE').LAYOUT !== 'COG') return false;
    const band = dataset.bands.get(1);
    if (band.overviews.count() === 0 && Math.max(meta.width, meta.height) > COG_BLOCK_PX) return false;
    // Heights pass as they are only when nothing about them needs fixing (see cogOptions).
    if (role === 'surface_model') return meta.bandCount === 1 && meta.dataType === 'Float32' && meta.nodata !== null && (band.scale ?? 1) === 1 && (band.offset ?? 0) === 0;
    if (meta.dataType !== 'Byte') return false;
    return meta.bandCount === 3 || (meta.bandCount === 4 && dataset.bands.get(4).colorInterpretation === 'Alpha');
  } finally {
    dataset.close();
  }
}

/** Stores an upload that is already a usable COG under the COG's name: a hard link, or a copy. */
async function storeAsUploaded(role: AssetRole, upload: string, target: string): Promise<void> {
  // Every tile decoded once, so that a COG stored as uploaded fails here, with the operator's
  // message, if it is truncated or corrupt, as a re-encoded one does: not later in detection or
  // in the tile server.
  try {
    await decodeReportingErrors(upload);
  } catch (error) {
    throw unreadableToTheEnd(role, error);
  }
  if (isVirtualStore(target)) {
    await copyToObjectStore(upload, target);
    return;
  }
  fs.rmSync(target, { force: true }); // a stage re-run after a crash
  try {
    fs.linkSync(upload, target);
  } catch {
    fs.copyFileSync(upload, target); // another file system, or no hard links there
  }
}

async function writeCog(role: AssetRole, upload: string, target: string, uploadMeta: InspectedRaster, undeclaredFill: number | null = null): Promise<InspectedRaster> {
  if (isUsableCog(role, uploadMeta)) {
    await storeAsUploaded(role, upload, target);
    return uploadMeta;
  }
  const source = needsWarp(uploadMeta) ? await warpedNorthUpMetric(role, upload, target, uploadMeta) : upload;
  const meta = source === upload ? uploadMeta : inspectRaster(source);
  try {
    // In a child that fails on any error GDAL reports: a corrupt JPEG tile mid-file is reported,
    // not thrown, and would otherwise be re-encoded as garbage into a flight that ends "done".
    await translateReportingErrors(source, `${target}.partial`, await cogOptions(role, meta, source, undeclaredFill));
  } catch (error) {
    fs.rmSync(`${target}.partial`, { force: true });
    // Our side failing to write (disk full, permissions, store unreachable) is retried, not blamed on the upload.
    if (/no space|permission denied|read-only file system|failed to write|write error/i.test((error as Error).message)) throw error;
    throw unreadableToTheEnd(role, error);
  }
  // Renamed only when complete, so a reader never sees half a COG. GDAL's rename works on both a
  // directory store and /vsis3/, but refuses a file with a .aux.xml whose name does not follow it:
  // whatever GDAL could not store in the TIFF itself is not needed by any reader here.
  if (!isVirtualStore(target)) fs.rmSync(`${target}.partial.aux.xml`, { force: true });
  gdal.drivers.get('GTiff').rename(target, `${target}.partial`);
  if (source !== upload) gdal.drivers.get('VRT').deleteDataset(source);
  return source === upload ? meta : inspectRaster(target);
}

/**
 * The footprint of valid pixels as GeoJSON MultiPolygon in lon/lat, traced on a small overview:
 * valid where the mask (alpha or nodata) says so and, for colour, where the pixel is not the black
 * collar that photogrammetry software puts around an orthophoto.
 */
function traceFootprint(cogPath: string, meta: InspectedRaster): string {
  const dataset = gdal.open(cogPath);
  try {
    const { step: scale, width: w, height: h } = reducedRead(meta.width, meta.height);
    const valid = new Uint8Array(w * h).fill(1);
    for (let b = 1; b <= Math.min(3, dataset.bands.count()); b += 1) {
      const band = dataset.bands.get(b);
      const mask = band.getMaskBand()!.pixels.read(0, 0, meta.width, meta.height, undefined, { buffer_width: w, buffer_height: h, data_type: gdal.GDT_Byte }) as Uint8Array;
      for (let i = 0; i < valid.length; i += 1) if (!mask[i]) valid[i] = 0;
    }
    if (dataset.bands.count() >= 3) {
      const sum = new Uint16Array(w * h);
      for (let b = 1; b <= 3; b += 1) {
        const values = dataset.bands.get(b).pixels.read(0, 0, meta.width, meta.height, undefined, { buffer_width: w, buffer_height: h, data_type: gdal.GDT_Byte }) as Uint8Array;
        for (let i = 0; i < sum.length; i += 1) sum[i]! += values[i]!;
      }
      for (let i = 0; i < sum.length; i += 1) if (sum[i]! < 6) valid[i] = 0;
    }
    const gt = meta.geoTransform!;
    const mem = gdal.open('footprint', 'w', 'MEM', w, h, 1, gdal.GDT_Byte);
    const footprintTransform = [gt[0], gt[1] * scale, gt[2] * scale, gt[3], gt[4] * scale, gt[5] * scale];
    mem.geoTransform = footprintTransform;
    mem.bands.get(1).pixels.write(0, 0, w, h, valid);
    const vectors = gdal.open('footprint-vectors', 'w', 'Memory');
    const layer = vectors.layers.create('footprint', null, gdal.wkbPolygon);
    layer.fields.add(new gdal.FieldDefn('valid', gdal.OFTInteger));
    gdal.polygonize({ src: mem.bands.get(1), mask: mem.bands.get(1), dst: layer, pixValField: 0, connectedness: 8 });
    const { toLonLat } = lonLatTransformer(meta.srsWkt!);
    const polygons: number[][][][] = [];
    const minimumPixels = (w * h) / 10_000;
    for (const feature of layer.features) {
      const geometry = feature.getGeometry() as unknown as { getArea(): number; toJSON(): string };
      if (geometry.getArea() / Math.abs(footprintTransform[1]! * footprintTransform[5]!) < minimumPixels) continue; // specks
      const { coordinates } = JSON.parse(geometry.toJSON()) as { coordinates: number[][][] };
      polygons.push(coordinates.map((ring) => ring.map(([x, y]) => toLonLat(x!, y!))));
    }
    mem.close();
    vectors.close();
    if (!polygons.length) throw new FlightRejectedError('The orthophoto has no valid pixels (it is empty or entirely masked).');
    return JSON.stringify({ type: 'MultiPolygon', coordinates: polygons });
  } finally {
    dataset.close();
  }
}

function assetRow(role: AssetRole, uri: string, meta: InspectedRaster, cogRole: 'upload' | 'cog'): AssetRow {
  const bytes = uri.startsWith('/vsi') ? null : fs.statSync(uri).size;
  return {
    kind: role,
    role: cogRole,
    uri,
    sha256: null,
    bytes,
    width: meta.width,
    height: meta.height,
    band_count: meta.bandCount,
    data_type: meta.dataType,
    gsd_m: groundResolutionM(meta),
    crs: meta.crs,
  };
}

export interface IngestResult {
  orthophoto: InspectedRaster;
  surfaceModel: InspectedRaster | null;
}

export async function ingestFlight(ctx: StageContext, flightId: string): Promise<IngestResult> {
  const flight = await getFlight(ctx.pool, flightId);
  if (!flight) throw new FlightRejectedError(`Flight ${flightId} does not exist.`);
  const upload = (kind: AssetRole) => flight.assets.find((a) => a.kind === kind && a.role === 'upload');
  const orthoUpload = upload('orthophoto');
  if (!orthoUpload) throw new FlightRejectedError('The flight has no orthophoto: upload the orthophoto (and, if there is one, the surface model).');
  const dsmUpload = upload('surface_model');

  const ortho = inspectOrReject('orthophoto', orthoUpload.uri);
  const dsm = dsmUpload ? inspectOrReject('surface_model', dsmUpload.uri) : null;
  const problems = [...checkFlightRaster('orthophoto', ortho), ...(dsm ? checkFlightRaster('surface_model', dsm) : [])];
  if (dsm && !problems.length) problems.push(...checkFlightPair(ortho, dsm));
  if (problems.length) throw new FlightRejectedError(problems.join(' '));
  // The work bounded before a pixel is read (the CLI queues without the API's check).
  const rasters = [{ role: 'orthophoto' as const, meta: ortho }, ...(dsm ? [{ role: 'surface_model' as const, meta: dsm }] : [])];
  const work = await flightWorkProblems(rasters, ctx.config.workLimits);
  if (work.length) throw new FlightRejectedError(work.map((w) => w.problem).join(' '));
  // Every height read once before any is written: a surface model with none, or with impossible
  // ones (±infinity, 1e30), would end "done" having seen nothing, or raise false candidates.
  const heights = dsm ? await surfaceHeights(dsm.path) : null;
  const heightProblems = heights ? checkSurfaceHeights(heights.summary) : [];
  if (heightProblems.length) throw new FlightRejectedError(heightProblems.join(' '));
  await ctx.progress(0.1);

  ensureFlightDir(ctx.config.rasterStore, flightId);
  const orthoCog = flightPath(ctx.config.rasterStore, flightId, FLIGHT_FILES.orthophotoCog);
  const dsmCog = dsm ? flightPath(ctx.config.rasterStore, flightId, FLIGHT_FILES.surfaceModelCog) : null;
  // Both COGs are written at once: each GDAL write is mostly one thread decoding the upload, so
  // together they keep two cores busy. Both are awaited before any error is raised, so a rejected
  // orthophoto never leaves the surface model's write running behind the clean-up.
  const [orthoWrite, dsmWrite] = await Promise.allSettled([
    writeCog('orthophoto', orthoUpload.uri, orthoCog, ortho),
    dsm && dsmCog ? writeCog('surface_model', dsmUpload!.uri, dsmCog, dsm, heights?.undeclaredFill ?? null) : Promise.resolve(null),
  ]);
  if (orthoWrite.status === 'rejected') throw orthoWrite.reason;
  if (dsmWrite.status === 'rejected') throw dsmWrite.reason;
  const orthoMeta = orthoWrite.value;
  const dsmMeta = dsmWrite.value;
  await ctx.progress(0.9);
  const footprint = traceFootprint(orthoCog, orthoMeta);

  await inTransaction(ctx.pool, async (client: pg.PoolClient) => {
    await upsertFlightAsset(client, flightId, assetRow('orthophoto', orthoCog, orthoMeta, 'cog'));
    if (dsmMeta && dsmCog) await upsertFlightAsset(client, flightId, assetRow('surface_model', dsmCog, dsmMeta, 'cog'));
    await setFlightFootprint(client, flightId, footprint, groundResolutionM(ortho)!, orthoMeta.crs ?? 'unknown');
  });
  await ctx.progress(1);
  return { orthophoto: ortho, surfaceModel: dsm };
}
