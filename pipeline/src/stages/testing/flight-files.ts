/** Test helpers: small real GeoTIFF flights on disk, registered as uploads of a flight row. */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { createFlight, upsertFlightAsset } from '#db/sql/flights.js';
import { loadConfig } from '../../config.js';
import { servedDetectors } from '../../model/served-detectors.js';
import { writeGeoTiff } from '../../raster/index.js';
import type { StageContext } from '../stage.js';

/** Qingpu, Shanghai, in EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E). */
export const ORIGIN = { x: 604_900, y: 3_446_300 };

/** A w x h RGB orthophoto at `gsd` with a black collar of `collar` pixels, as drone software writes. */
export function writeOrthophoto(file: string, w = 400, h = 300, gsd = 0.1, collar = 20, origin = ORIGIN): string {
  const bands = [0, 1, 2].map((b) => {
    const band = new Uint8Array(w * h);
    for (let r = 0; r < h; r += 1) {
      for (let c = 0; c < w; c += 1) {
        const inside = r >= collar && c >= collar && r < h - collar && c < w - collar;
        band[r * w + c] = inside ? 60 + ((r * 7 + c * 3 + b * 40) % 120) : 0;
      }
    }
    return band;
  });
  writeGeoTiff(file, { width: w, height: h, bands, geoTransform: [origin.x, gsd, 0, origin.y, 0, -gsd], srs: 4549 });
  return file;
}

export function writeSurfaceModel(file: string, w = 200, h = 150, gsd = 0.2, origin = ORIGIN): string {
  const heights = new Float32Array(w * h).map((_, i) => 4 + ((i % w) > 80 && (i % w) < 120 ? 6 : 0));
  writeGeoTiff(file, { width: w, height: h, bands: [heights], geoTransform: [origin.x, gsd, 0, origin.y, 0, -gsd], srs: 4549, nodata: -9999 });
  return file;
}

export async function registerUploads(pool: pg.Pool, files: { orthophoto?: string; surfaceModel?: string }): Promise<string> {
  const flightId = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00', operator: 'test' });
  const upload = (kind: 'orthophoto' | 'surface_model', uri: string) =>
    upsertFlightAsset(pool, flightId, { kind, role: 'upload', uri, sha256: null, bytes: fs.statSync(uri).size, width: null, height: null, band_count: null, data_type: null, gsd_m: null, crs: null });
  if (files.orthophoto) await upload('orthophoto', files.orthophoto);
  if (files.surfaceModel) await upload('surface_model', files.surfaceModel);
  return flightId;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), `lingwei-${prefix}-`));
}

/** A stage context on the test database and a scratch raster store, with the served model versions. */
export function testStageContext(pool: pg.Pool, rasterStore: string): StageContext {
  const detectors = servedDetectors({ threads: 2 });
  return {
    pool,
    config: { ...loadConfig(), rasterStore },
    progress: async () => undefined,
    // A stage run outside a job holds what it asks for until the test ends.
    changeDetector: async (version) => (await detectors.hold(version)).detector,
  };
}

/**
 * A copy of the tiled TIFF `source` (classic, little-endian, as GDAL writes it) with garbage
 * written into the middle of the tile at `tileIndex` of its first image: for JPEG tiles, a
 * corrupt tile GDAL reports ("JPEGLib: Unsupported marker") but decodes on, as a damaged disk or
 * transfer leaves it.
 */
export function withCorruptTile(source: string, target: string, tileIndex: number): string {
  const bytes = fs.readFileSync(source);
  if (bytes.toString('latin1', 0, 2) !== 'II' || bytes.readUInt16LE(2) !== 42) throw new Error(`${source}: not a classic little-endian TIFF`);
  const ifd = bytes.readUInt32LE(4);
  const tag = (id: number) => {
    for (let e = 0; e < bytes.readUInt16LE(ifd); e += 1) {
      const at = ifd + 2 + e * 12;
      if (bytes.readUInt16LE(at) === id) return bytes.readUInt32LE(bytes.readUInt32LE(at + 8) + 4 * tileIndex);
    }
    throw new Error(`${source}: no tag ${id}`);
  };
  const middle = tag(324) + Math.floor(tag(325) / 2); // TileOffsets, TileByteCounts
  for (let i = 0; i < 64; i += 2) bytes.writeUInt16BE(0xffb9 + (i % 7), middle + i);
  fs.writeFileSync(target, bytes);
  return target;
}
