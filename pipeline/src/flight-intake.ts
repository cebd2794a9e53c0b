/**
 * Taking in a flight: copies the uploaded files into the raster store (streamed, never held in
 * memory) or hard-links them when they are already on the store's file system (the API's
 * finished uploads: a multi-GB file is neither hashed nor copied twice), registers the flight and its
 * uploads in one transaction, and queues its flow. The same orthophoto uploaded again (same
 * SHA-256) is recognised and not processed twice. The CLI and the API's flight route use it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { inTransaction } from '#db/connection.js';
import { createFlight, flightWithUploads, getFlight, lockIntakeOf, markFlightQueued, upsertFlightAsset } from '#db/sql/flights.js';
import type { PipelineConfig } from './config.js';
import { mosaicVrt, parseTilePaths } from './core/tile-mosaic.js';
import { queueFlight } from './queue/flight-flow.js';
import type { FlightStage } from './stages/stage.js';
import { createRedisConnection } from './queue/redis-connection.js';
import { mosaicOfGeoTiffs } from './raster/index.js';
import { ensureFlightDir, FLIGHT_FILES, flightPath, mediumOf } from './raster-store.js';

export interface FlightUpload {
  /**
   * The orthophoto: a GeoTIFF, or a folder of aerial tiles (GeoTIFF tiles; or an XYZ/TMS pyramid,
   * then `tiles` says which zoom and scheme).
   */
  orthophoto: string;
  /** For a tile pyramid folder: the zoom level delivered, and the row scheme. */
  tiles?: { zoom: number; scheme: 'xyz' | 'tms' };
  surfaceModel?: string;
  /** When the flight was flown (ISO 8601); default now. */
  capturedAt?: string;
  operator?: string;
  /** 'reference': earlier imagery to compare against, not searched for changes. Default 'patrol'. */
  purpose?: 'patrol' | 'reference';
  /** The account that uploaded the files (app_user id), recorded on the flight; the API sets it. */
  uploadedBy?: string;
  /** SHA-256 sums the caller has already verified (hex): not computed again. */
  sha256?: { orthophoto?: string; surfaceModel?: string };
  /**
   * Hard-link single files into the store instead of copying them (falls back to a copy across
   * file systems). For files the caller owns and removes afterwards; the source stays intact, so
   * a failed take-in loses nothing.
   */
  link?: boolean;
}

function copyInto(source: string, target: string, link = false): Promise<number> {
  return mediumOf(target).storeLocalFile(source, target, link);
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((name) => fs.statSync(path.join(dir, name)).isFile())
    .sort();
}

/** SHA-256 of a file (streamed), or of a folder's files (names and contents, in order). */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  const files = fs.statSync(file).isDirectory() ? filesUnder(file).map((name) => path.join(file, name)) : [file];
  for (const each of files) {
    hash.update(path.relative(file, each));
    for await (const chunk of fs.createReadStream(each)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * Copies a folder of aerial tiles into the flight's folder and writes a VRT mosaic of them
 * (relative paths, so any worker reading the store finds them); returns the VRT's path and size.
 */
async function takeInTiles(source: string, flightDir: string, tiles: FlightUpload['tiles']): Promise<{ uri: string; bytes: number }> {
  const names = filesUnder(source);
  const tileDir = path.join(flightDir, 'tiles');
  let bytes = 0;
  for (const name of names) {
    fs.mkdirSync(path.dirname(path.join(tileDir, name)), { recursive: true });
    bytes += await copyInto(path.join(source, name), path.join(tileDir, name));
  }
  const vrt = path.join(flightDir, 'upload-orthophoto.vrt');
  if (tiles) {
    const pyramid = parseTilePaths(names, tiles.scheme, tiles.zoom).map((t) => ({ ...t, file: path.join('tiles', t.file) }));
    if (!pyramid.length) throw new Error(`${source}: no <x>/<y>.png|jpg tiles found for zoom ${tiles.zoom}`);
    fs.writeFileSync(vrt, mosaicVrt(pyramid, { zoom: tiles.zoom }));
  } else {
    const tifs = names.filter((n) => /\.tiff?$/i.test(n)).map((n) => path.join(tileDir, n));
    if (!tifs.length) throw new Error(`${source}: no GeoTIFF tiles in this folder (for an XYZ/TMS pyramid, give its zoom)`);
    await mosaicOfGeoTiffs(vrt, tifs);
  }
  return { uri: vrt, bytes };
}

export interface TakenIn {
  flightId: string;
  /** True when the same orthophoto with the same surface model (or none) was taken in before: that flight is returned, nothing is queued. */
  duplicate: boolean;
}

export async function takeInFlight(pool: pg.Pool, config: PipelineConfig, upload: FlightUpload): Promise<TakenIn> {
  for (const file of [upload.orthophoto, upload.surfaceModel].filter(Boolean) as string[]) {
    if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  }
  const sums = {
    orthophoto: upload.sha256?.orthophoto ?? (await sha256Of(upload.orthophoto)),
    surface_model: upload.surfaceModel ? upload.sha256?.surfaceModel ?? (await sha256Of(upload.surfaceModel)) : null,
  };
  const taken = await inTransaction(pool, async (client): Promise<TakenIn & { queue: boolean }> => {
    // Two intakes of the same orthophoto at once (two API instances, two CLI runs): the second
    // waits for the first's transaction here, then finds its flight instead of making another.
    await lockIntakeOf(client, sums.orthophoto);
    const existing = await flightWithUploads(client, sums.orthophoto, sums.surface_model);
    // A flight registered but never queued (the process died in between) is queued again; its job
    // ids are derived from the flight, so queueing one that is already queued adds nothing.
    if (existing) return { flightId: existing.id, duplicate: true, queue: existing.status === 'uploaded' || existing.status === 'queued' };
    const kind = fs.statSync(upload.orthophoto).isDirectory() ? 'aerial_tiles' : 'drone';
    const id = await createFlight(client, { kind, capturedAt: upload.capturedAt ?? new Date().toISOString(), operator: upload.operator ?? null, uploadedBy: upload.uploadedBy ?? null });
    ensureFlightDir(config.rasterStore, id);
    const flightDir = path.dirname(flightPath(config.rasterStore, id, FLIGHT_FILES.uploadedOrthophoto));
    const files: Array<['orthophoto' | 'surface_model', string, string]> = [['orthophoto', upload.orthophoto, FLIGHT_FILES.uploadedOrthophoto]];
    if (upload.surfaceModel) files.push(['surface_model', upload.surfaceModel, FLIGHT_FILES.uploadedSurfaceModel]);
    try {
      for (const [kind, source, name] of files) {
        let target = flightPath(config.rasterStore, id, name);
        let bytes: number;
        if (kind === 'orthophoto' && fs.statSync(source).isDirectory()) ({ uri: target, bytes } = await takeInTiles(source, path.dirname(target), upload.tiles));
        else bytes = await copyInto(source, target, upload.link);
        await upsertFlightAsset(client, id, { kind, role: 'upload', uri: target, sha256: sums[kind], bytes, width: null, height: null, band_count: null, data_type: null, gsd_m: null, crs: null });
      }
    } catch (error) {
      // The flight's row rolls back: its copies (or links, which would keep a multi-GB upload's
      // data on disk after the upload is removed) go with it.
      fs.rmSync(flightDir, { recursive: true, force: true });
      throw error;
    }
    return { flightId: id, duplicate: false, queue: true };
  });
  if (taken.queue) await queue(pool, config, taken.flightId, upload.purpose);
  return { flightId: taken.flightId, duplicate: taken.duplicate };
}

async function queue(pool: pg.Pool, config: PipelineConfig, flightId: string, purpose: FlightUpload['purpose']): Promise<void> {
  const connection = createRedisConnection(config.redisUrl);
  try {
    const lastStage: FlightStage = purpose === 'reference' ? 'coregister' : 'confirm';
    const { created_at: createdAt } = (await getFlight(pool, flightId))!;
    // Queued first, then the jobs: a worker may fail the flight before this function returns.
    await markFlightQueued(pool, flightId);
    await queueFlight(connection, config.queuePrefix, { id: flightId, createdAt }, lastStage);
  } finally {
    connection.disconnect();
  }
}
