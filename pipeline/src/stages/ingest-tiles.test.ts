/** Aerial tile sets through intake and ingest: an XYZ pyramid and a folder of GeoTIFF tiles. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { getFlight } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { takeInFlight } from '../flight-intake.js';
import { writeFlightCogs } from './cog.js';
import { ingestFlight, METRIC_CRS } from './ingest.js';
import { tempDir, testStageContext } from './testing/flight-files.js';

const pool = createTestPool();
const dir = tempDir('tiles');
const ctx = testStageContext(pool, path.join(dir, 'store'));
afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emptyTables(pool));

/** XYZ tile column and row of a lon/lat at `zoom`. */
function tileOf(lon: number, lat: number, zoom: number): [number, number] {
  const n = 2 ** zoom;
  const phi = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n)];
}

describe('aerial tile sets', () => {
  it('ingests an XYZ pyramid as a metric COG at its true place and ground resolution', async () => {
    const zoom = 19;
    const [x0, y0] = tileOf(121.1, 31.13, zoom);
    const pyramid = path.join(dir, 'pyramid');
    for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const file = path.join(pyramid, String(zoom), String(x0 + dx!), `${y0 + dy!}.png`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const pixels = Buffer.alloc(256 * 256 * 3).map((_, i) => 60 + ((i * 7 + dx! * 50 + dy! * 90) % 150));
      await sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } }).png().toFile(file);
    }
    const { flightId } = await takeInFlight(pool, ctx.config, { orthophoto: path.join(pyramid, String(zoom)), tiles: { zoom, scheme: 'xyz' } });
    await ingestFlight(ctx, flightId);
    await writeFlightCogs(ctx, flightId);
    const flight = (await getFlight(pool, flightId))!;
    expect(flight.kind).toBe('aerial_tiles');
    const cog = flight.assets.find((a) => a.role === 'cog')!;
    expect(cog.crs).toBe(METRIC_CRS);
    // 0.2986 m Web Mercator pixels are 0.2986 * cos(31.13 deg) = 0.2556 m on the ground.
    expect(cog.gsd_m).toBeCloseTo(0.2556, 2);
    const { rows } = await pool.query(`SELECT ST_X(ST_Centroid(footprint)) AS lon, ST_Y(ST_Centroid(footprint)) AS lat, lw_area_m2(footprint) AS area FROM flight WHERE id = $1`, [flightId]);
    expect(rows[0].lon).toBeCloseTo(121.1, 2);
    expect(rows[0].lat).toBeCloseTo(31.13, 2);
    const side = 512 * 0.2556;
    expect(rows[0].area).toBeGreaterThan(side * side * 0.95);
    expect(rows[0].area).toBeLessThan(side * side * 1.05);
  });

  it('ingests a folder of GeoTIFF tiles as one mosaic of the same size', async () => {
    const folder = path.join(dir, 'geotiff-tiles');
    fs.mkdirSync(folder, { recursive: true });
    const whole = path.resolve('fixtures/scene/after_ortho.tif');
    for (const [name, x, y] of [['nw', 0, 0], ['ne', 1000, 0], ['sw', 0, 1000], ['se', 1000, 1000]] as const) {
      execFileSync('gdal_translate', ['-q', '-srcwin', String(x), String(y), '1000', '1000', whole, path.join(folder, `${name}.tif`)]);
    }
    const { flightId } = await takeInFlight(pool, ctx.config, { orthophoto: folder });
    await ingestFlight(ctx, flightId);
    await writeFlightCogs(ctx, flightId);
    const cog = (await getFlight(pool, flightId))!.assets.find((a) => a.role === 'cog')!;
    expect([cog.width, cog.height, cog.crs]).toEqual([2000, 2000, 'EPSG:4549']);
  });

  it('says what is missing when a folder holds no tiles', async () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'nothing here');
    await expect(takeInFlight(pool, ctx.config, { orthophoto: empty })).rejects.toThrow('no GeoTIFF tiles in this folder');
    await expect(takeInFlight(pool, ctx.config, { orthophoto: empty, tiles: { zoom: 19, scheme: 'xyz' } })).rejects.toThrow('no <x>/<y>.png|jpg tiles found');
  });
});
