/**
 * Detection from ingest's reduced rasters (issue 20) against detection from the full-resolution
 * COGs (the path before it), on the fixture scene through the real pipeline and services: the same
 * drift, and the same detections (each raised as a candidate) with outlines within a pixel of the
 * model's grid (nine in ten; every one within three). The COG path is what loadFlightRasters reads for a flight without reduced rasters
 * (one ingested before there were any), so the same flight is detected again with them set aside.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getFlight, latestDetectionRun } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '../config.js';
import { loadModelSpec } from '../model/index.js';
import { runScene } from '../testing/run-scene.js';
import { coregisterFlight } from './coregister.js';
import { detectFlight } from './detect.js';
import { planFlight } from './plan.js';
import { tempDir, testStageContext } from './testing/flight-files.js';
import { vectoriseFlight } from './vectorise.js';

const pool = createTestPool();
const dir = tempDir('reduced-path');
const config: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'store'), queuePrefix: `lingwei-test-reduced-${process.pid}` };

afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Each detection of run `a` against those of run `b` of the same kind that it overlaps: how many
 * it overlaps, and how far its outline lies from the nearest one's on average along the outline
 * (the area between the two over the length of the outline, UTM 51N metres). The average, not
 * the farthest point: an outline regularised to right angles can swing a corner by a metre or
 * two for a pixel's difference in the map (today's path moved by 2 cm of drift does: Hausdorff
 * distances to 1.4 m, average distances to 0.51 m, and two pieces merged).
 */
async function pairing(runA: string, runB: string): Promise<Array<{ overlapped: number; distance: number | null }>> {
  const { rows } = await pool.query<{ overlapped: number; distance: number | null }>(
    `WITH a AS (SELECT kind, ST_Transform(geom, 32651) AS g FROM detection WHERE detection_run_id = $1),
          b AS (SELECT kind, ST_Transform(geom, 32651) AS g FROM detection WHERE detection_run_id = $2)
     SELECT (SELECT count(*)::int FROM b WHERE b.kind = a.kind AND ST_Intersects(a.g, b.g)) AS overlapped,
            (SELECT min(ST_Area(ST_SymDifference(a.g, b.g)) / ST_Perimeter(b.g)) FROM b WHERE b.kind = a.kind AND ST_Intersects(a.g, b.g)) AS distance
       FROM a`,
    [runA, runB],
  );
  return rows;
}

describe('detection from the reduced rasters', { timeout: 400_000 }, () => {
  it('finds what detection from the full-resolution COGs finds: the same drift, the same outlines within a model pixel', async () => {
    await emptyTables(pool);
    const flightId = await runScene(pool, config);
    const reduced = (await getFlight(pool, flightId))!;
    expect(reduced.assets.filter((a) => a.role === 'reduced').map((a) => a.kind)).toEqual(['orthophoto', 'surface_model']);
    const reducedRun = (await latestDetectionRun(pool, flightId))!.id;

    // The flight as one ingested before there were reduced rasters: every stage reads the COGs.
    await pool.query(`DELETE FROM flight_asset WHERE flight_id = $1 AND role = 'reduced'`, [flightId]);
    const ctx = testStageContext(pool, config.rasterStore);
    const drift = await coregisterFlight(ctx, flightId);
    await planFlight(ctx, flightId);
    await detectFlight(ctx, flightId);
    await vectoriseFlight(ctx, flightId);
    const cogRun = (await latestDetectionRun(pool, flightId))!.id;
    expect(cogRun).not.toBe(reducedRun);

    // Co-registration on the reduced raster: within a tenth of its pixel of the COG's figure.
    expect(Math.abs(reduced.shift_dx_m! - drift.dxM)).toBeLessThanOrEqual(0.025);
    expect(Math.abs(reduced.shift_dy_m! - drift.dyM)).toBeLessThanOrEqual(0.025);
    // The same set, one to one; nine outlines in ten within a model pixel of their counterpart,
    // every one within three. Measured with the fused main network (pretrained encoder), which
    // reads the small differences between the two paths' pixels more than the from-scratch one
    // did (every outline within a pixel then): 14 of 15 within 0.44 m, one at 1.22 m (0.92 m the
    // other way round).
    const pixel = loadModelSpec().gsd_m;
    for (const [from, to] of [[reducedRun, cogRun], [cogRun, reducedRun]] as const) {
      const pairs = await pairing(from, to);
      expect(pairs.length).toBeGreaterThan(5);
      for (const pair of pairs) {
        expect(pair.overlapped).toBe(1);
        expect(pair.distance!).toBeLessThanOrEqual(3 * pixel);
      }
      expect(pairs.filter((p) => p.distance! <= pixel).length).toBeGreaterThanOrEqual(0.9 * pairs.length);
    }
  });
});
