/**
 * The COG job against ingest's verdict and the flight's failure, on the real database and GDAL:
 * it writes nothing before ingest has accepted the uploads, records nothing (and leaves no file)
 * once the flight has failed while it wrote, and keeps the overviews it writes from out of reach
 * of an ingest run again meanwhile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { getFlight, markFlightFailed, setFlightProgress } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { removeFlightFiles } from '../raster-store.js';
import { claimCogOverviews, cogOverviewsFile, removeAllCogOverviews } from './cog-sources.js';
import { writeFlightCogs } from './cog.js';
import { ingestFlight } from './ingest.js';
import { FlightRejectedError, StageNotReadyError } from './stage.js';
import { registerUploads, tempDir, testStageContext, writeOrthophoto, writeSurfaceModel } from './testing/flight-files.js';

const pool = createTestPool();
const dir = tempDir('cog');
const store = path.join(dir, 'store');
const ctx = testStageContext(pool, store);
afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emptyTables(pool));

const uploads = () => ({ orthophoto: writeOrthophoto(path.join(dir, 'o.tif'), 1200, 900), surfaceModel: writeSurfaceModel(path.join(dir, 'd.tif'), 600, 450) });
const cogRows = async (flightId: string) => (await getFlight(pool, flightId))!.assets.filter((a) => a.role === 'cog');

describe('the COG job', () => {
  it('waits for ingest to accept the uploads, writing nothing before (it wrote COGs of uploads ingest then rejected)', async () => {
    const flightId = await registerUploads(pool, uploads());
    await expect(writeFlightCogs(ctx, flightId)).rejects.toBeInstanceOf(StageNotReadyError);
    expect(await cogRows(flightId)).toEqual([]);
    const folder = path.join(store, 'flights', flightId);
    expect(fs.existsSync(folder) ? fs.readdirSync(folder) : []).toEqual([]);
    // Once ingest has accepted them, the same job writes the COGs.
    await ingestFlight(ctx, flightId);
    await writeFlightCogs(ctx, flightId);
    expect((await cogRows(flightId)).map((a) => a.kind)).toEqual(['orthophoto', 'surface_model']);
  });

  it('records nothing and keeps no file when the flight failed while it wrote (it recorded COGs of a failed flight)', async () => {
    const flightId = await registerUploads(pool, uploads());
    await ingestFlight(ctx, flightId);
    // Another stage of the flight fails for good after both COGs are written, before they are
    // recorded, as the worker records such a failure.
    const failing = {
      ...ctx,
      progress: async (fraction: number) => {
        if (fraction !== 0.95) return;
        await markFlightFailed(pool, flightId, 'Processing stopped at the detect stage: the model could not be loaded');
        removeFlightFiles(store, flightId);
      },
    };
    const error = await writeFlightCogs(failing, flightId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlightRejectedError);
    expect((error as Error).message).toMatch(/detect stage/);
    expect(await cogRows(flightId)).toEqual([]);
    expect(fs.existsSync(path.join(store, 'flights', flightId))).toBe(false);
    expect((await getFlight(pool, flightId))!.status).toBe('failed');
  });

  it('writes from the overviews it claimed though ingest runs again meanwhile (that removed them under the COG driver, and the upload was rejected as unreadable)', async () => {
    const flightId = await registerUploads(pool, uploads());
    await ingestFlight(ctx, flightId);
    const target = path.join(store, 'flights', flightId, 'orthophoto.tif');
    const folder = path.dirname(target);
    const overviewFiles = () => fs.readdirSync(folder).filter((name) => name.includes('.overviews.')).sort();
    expect(overviewFiles()).toEqual(['orthophoto.overviews.tif', 'orthophoto.overviews.tif.ovr']);
    // The COG job takes them; then a re-run ingest's first step removes the overviews it finds.
    const claimed = claimCogOverviews('orthophoto', target);
    expect(claimed).toBe(cogOverviewsFile('orthophoto', target, 'tif', 'claimed'));
    removeAllCogOverviews('orthophoto', target);
    expect(overviewFiles()).toEqual(['orthophoto.overviews.claimed.tif', 'orthophoto.overviews.claimed.tif.ovr']);
    // The job (here taken over after a kill) writes from them, and removes them.
    await writeFlightCogs(ctx, flightId);
    expect(overviewFiles()).toEqual([]);
    expect((await cogRows(flightId)).map((a) => a.kind)).toEqual(['orthophoto', 'surface_model']);
  });

  it('writes from the upload when the overviews went while it claimed them (their carrier removed, the .ovr left)', async () => {
    const flightId = await registerUploads(pool, uploads());
    await ingestFlight(ctx, flightId);
    const target = path.join(store, 'flights', flightId, 'orthophoto.tif');
    fs.rmSync(cogOverviewsFile('orthophoto', target, 'tif'));
    expect(claimCogOverviews('orthophoto', target)).toBeNull();
    await writeFlightCogs(ctx, flightId);
    expect((await cogRows(flightId)).map((a) => a.kind)).toEqual(['orthophoto', 'surface_model']);
  });

  it('does not wait for reduced rasters of a flight whose chain is past ingest without them (ingested before they existed: it waited for good)', async () => {
    const flightId = await registerUploads(pool, uploads());
    await setFlightProgress(pool, flightId, 'detect', 0.5);
    await writeFlightCogs(ctx, flightId);
    expect((await cogRows(flightId)).map((a) => a.kind)).toEqual(['orthophoto', 'surface_model']);
  });
});
