/**
 * Taking in a flight: copies the uploaded files into the raster store (streamed, never held in
 * memory), registers the flight and its uploads in one transaction, and queues its flow. The same
 * orthophoto uploaded again (same SHA-256) is recognised and not processed twice. The CLI
 * uses it today; the API's upload route will hand over its stored files the same way.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { inTransaction } from '../../db/connection.js';
import { createFlight, flightWithOrthophoto, setFlightStatus, upsertFlightAsset } from '../../db/sql/flights.js';
import type { PipelineConfig } from './config.js';
import { queueFlight } from './queue/flight-flow.js';
import type { FlightStage } from './queue/flight-stages.js';
import { createRedisConnection } from './queue/redis-connection.js';
import { ensureFlightDir, FLIGHT_FILES, flightPath } from './raster-store.js';

export interface FlightUpload {
  orthophoto: string;
  surfaceModel?: string;
  /** When the flight was flown (ISO 8601); default now. */
  capturedAt?: string;
  operator?: string;
  /** 'reference': earlier imagery to compare against, not searched for changes. Default 'patrol'. */
  purpose?: 'patrol' | 'reference';
}

async function copyInto(source: string, target: string): Promise<number> {
  await pipeline(fs.createReadStream(source), fs.createWriteStream(target));
  return fs.statSync(target).size;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export interface TakenIn {
  flightId: string;
  /** True when the same orthophoto was taken in before: that flight is returned, nothing is queued. */
  duplicate: boolean;
}

export async function takeInFlight(pool: pg.Pool, config: PipelineConfig, upload: FlightUpload): Promise<TakenIn> {
  for (const file of [upload.orthophoto, upload.surfaceModel].filter(Boolean) as string[]) {
    if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  }
  const sums = { orthophoto: await sha256Of(upload.orthophoto), surface_model: upload.surfaceModel ? await sha256Of(upload.surfaceModel) : null };
  const existing = await flightWithOrthophoto(pool, sums.orthophoto);
  if (existing) return { flightId: existing, duplicate: true };
  const flightId = await inTransaction(pool, async (client) => {
    const id = await createFlight(client, { capturedAt: upload.capturedAt ?? new Date().toISOString(), operator: upload.operator ?? null });
    ensureFlightDir(config.rasterStore, id);
    const files: Array<['orthophoto' | 'surface_model', string, string]> = [['orthophoto', upload.orthophoto, FLIGHT_FILES.uploadedOrthophoto]];
    if (upload.surfaceModel) files.push(['surface_model', upload.surfaceModel, FLIGHT_FILES.uploadedSurfaceModel]);
    for (const [kind, source, name] of files) {
      const target = flightPath(config.rasterStore, id, name);
      const bytes = await copyInto(source, target);
      await upsertFlightAsset(client, id, { kind, role: 'upload', uri: target, sha256: sums[kind], bytes, width: null, height: null, band_count: null, data_type: null, gsd_m: null, crs: null });
    }
    return id;
  });
  const connection = createRedisConnection(config.redisUrl);
  try {
    const lastStage: FlightStage = upload.purpose === 'reference' ? 'coregister' : 'confirm';
    await queueFlight(connection, config.queuePrefix, flightId, lastStage);
    await setFlightStatus(pool, flightId, 'queued');
  } finally {
    connection.disconnect();
  }
  return { flightId, duplicate: false };
}
