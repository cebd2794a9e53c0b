/**
 * A drone office's training data from its database (issue 19, --from-db) against the real
 * database and the real pipeline: the fixture scene's two flights (GeoTIFF orthophotos with
 * surface models) run through the real worker, then reviewers decide what the patrol raised as its
 * ground truth says (a real change verified, anything else rejected as no structure; what triage set
 * aside is left undecided). The export writes the surface-model layout the evaluation reads
 * (dsm/, rgb/, mask/, mask_vec/): the flight's own heights, the baseline's buildings with the
 * verified structures and without the confirmed demolitions, rejected outlines out with their
 * reasons in the manifest, blocks with undecided candidates left out; the trainer's exporter turns
 * a tile into a "surface" sample with the baseline's heights and footprints; the same database
 * gives the same bytes, and the held-back share is whole blocks across both flights.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewCandidate } from '#api/review/review-candidate.js';
import { inTransaction } from '#db/connection.js';
import { raiseCandidate } from '#db/sql/candidates.js';
import { latestDetectionRun } from '#db/sql/flights.js';
import { upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { loadModelSpec } from '#pipeline/model/model-spec.js';
import { tempDir } from '#pipeline/stages/testing/flight-files.js';
import { runScene } from '#pipeline/testing/run-scene.js';
import { detectLayout } from '#scripts/eval/layout.js';
import { readRaster } from '#scripts/eval/read-raster.js';
import { listTiles } from '#scripts/eval/surface.js';
import { chooseHeldBack, groupOf } from '#scripts/model/adapt.js';
import { exportFromDb, SURFACE_NODATA, type SurfaceOfficeManifest } from './from-db.js';
import { exportSurfaceTiles } from './real.js';
import { SampleWriter, type SampleEntry } from './sample-writer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCENE = path.join(ROOT, 'fixtures', 'scene');
const pool = createTestPool();
const dir = tempDir('from-db-surface');
const config: PipelineConfig = { ...loadConfig(), rasterStore: path.join(dir, 'rasters'), queuePrefix: `lingwei-test-from-db-${process.pid}` };
const spec = loadModelSpec();
/** 50 m blocks: the scene's 200 m square is 4 x 4 of them. */
const BLOCK = 50;
const DISTRICT = '310118000000';
let patrol = '';
const decided = { verified: [] as string[], gone: [] as string[], rejected: [] as string[], permitted: [] as string[], undecided: [] as string[] };
/** Open ground in block b12126-68923 (EPSG:4549), where a false alarm is raised: the network found none in the scene. */
const FALSE_ALARM = [606_320, 3_446_170, 606_326, 3_446_176] as const;
/** The block where a real extension is rejected as permitted. */
const PERMITTED_BLOCK = 'b12127-68924';

beforeAll(async () => {
  await emptyTables(pool);
  patrol = await runScene(pool, config);
  // Reviews simulated from the scene's ground truth: a candidate over a true change is verified
  // (a demolition as a demolition), any other is rejected as no structure; triage's set-asides
  // (permitted, in the register) stay as they are, which no person decided.
  const reviewer = await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: 'x' });
  const run = (await latestDetectionRun(pool, patrol))!.id;
  const { rows: [box] } = await pool.query<{ g: string }>(`SELECT ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4549), 4326), 9) AS g`, [...FALSE_ALARM]);
  await inTransaction(pool, (c) => raiseCandidate(c, patrol, run, {
    changeType: 'new_structure', status: 'pending', priority: 40, triage: {}, heightGainM: null, score: 0.6, evidenceBefore: null, evidenceAfter: null, geometry: box!.g,
  }));
  const { rows } = await pool.query<{ id: string; status: string; change_type: string; truth: string | null; block: string }>(
    `WITH truth AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326) AS g, f->'properties'->>'change_type' AS change_type
                      FROM jsonb_array_elements($1::jsonb->'features') f)
     SELECT c.id::text, c.status, c.change_type,
            (SELECT format('b%s-%s', floor(ST_X(p) / ${BLOCK}), floor(ST_Y(p) / ${BLOCK})) FROM ST_Transform(ST_PointOnSurface(c.geom), 4549) p) AS block,
            (SELECT t.change_type FROM truth t WHERE ST_Intersects(t.g, c.geom) ORDER BY ST_Area(ST_Intersection(t.g, c.geom)) DESC LIMIT 1) AS truth
       FROM candidate c JOIN candidate_observation o ON o.candidate_id = c.id AND o.flight_id = $2 ORDER BY c.id`,
    [fs.readFileSync(path.join(SCENE, 'ground_truth.geojson'), 'utf8'), patrol],
  );
  for (const c of rows) {
    if (c.status !== 'pending') {
      decided.undecided.push(c.id);
      continue;
    }
    const real = c.truth !== null && (c.truth === 'demolished') === (c.change_type === 'demolished');
    // A real extension in block b12127-68924 is found to have a permit: rejected, but a building all the same.
    const permitted = real && c.change_type === 'extension' && c.block === PERMITTED_BLOCK && !decided.permitted.length;
    const request = permitted
      ? { action: 'reject' as const, version: 1, reasonCode: 'permitted_construction' as const }
      : real
        ? { action: 'verify' as const, version: 1 }
        : { action: 'reject' as const, version: 1, reasonCode: 'not_a_structure' as const, reasonText: 'simulated from the ground truth' };
    const outcome = await reviewCandidate(pool, c.id, reviewer, request);
    if (outcome.outcome !== 'ok') throw new Error(`review of ${c.id}: ${JSON.stringify(outcome)}`);
    (permitted ? decided.permitted : real ? (c.change_type === 'demolished' ? decided.gone : decided.verified) : decided.rejected).push(c.id);
  }
}, 300_000);

afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

const digestOf = (root: string) =>
  Object.fromEntries(['dsm', 'rgb', 'mask', 'mask_vec'].flatMap((sub) => fs.readdirSync(path.join(root, sub)).sort()
    .map((f) => [`${sub}/${f}`, createHash('sha256').update(fs.readFileSync(path.join(root, sub, f))).digest('hex')])));
const outlinesOf = (root: string, name: string) =>
  (JSON.parse(fs.readFileSync(path.join(root, 'mask_vec', `${name}.geojson`), 'utf8')) as { features: Array<{ properties: { source: string; id: string; height_m: number | null } }> }).features;

/** IEEE half-precision bits to a number. */
function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

describe('a drone office\'s training data from its database', () => {
  let manifest: SurfaceOfficeManifest;
  const out = path.join(dir, 'export');

  beforeAll(async () => {
    const exported = await exportFromDb(pool, { area: DISTRICT, since: '2026-01-01', spec, dir: out, blockM: BLOCK });
    if (exported.layout !== 'surface') throw new Error(`exported as ${exported.layout ?? 'pairs'}: the scene's flights carry surface models`);
    manifest = exported;
  }, 120_000);

  it('takes in both flights\' surface models and orthophotos in the surface-model layout the evaluation reads', () => {
    expect(manifest.flights).toHaveLength(2);
    expect(manifest.flights).toContain(patrol);
    expect(detectLayout(out)).toBe('surface');
    const tiles = listTiles(out);
    expect(tiles.map((t) => t.name).sort()).toEqual(manifest.samples.map((s) => s.name).sort());
    expect(tiles.every((t) => t.rgb && !t.beforeRgb && !t.beforeDsm)).toBe(true);
    // Every block of both flights is kept or left out with a reason.
    expect(manifest.samples.length + manifest.skipped.filter((s) => s.block).length).toBe(2 * 16);
    expect(new Set(manifest.samples.map((s) => s.flight))).toEqual(new Set(manifest.flights));
  });

  it('writes the flight\'s own heights: roofs stand metres above the ground around them, holes declared as nodata', () => {
    const sample = manifest.samples.find((s) => s.buildings.baseline >= 2)!;
    const dsm = readRaster(path.join(out, 'dsm', `${sample.name}.tif`));
    const mask = readRaster(path.join(out, 'mask', `${sample.name}.tif`)).bands[0]!;
    expect(dsm.nodata).toBe(SURFACE_NODATA);
    expect(dsm.bands[0]).toBeInstanceOf(Float32Array);
    const mean = (inside: boolean) => {
      let sum = 0;
      let n = 0;
      dsm.bands[0]!.forEach((v, i) => {
        if (v === SURFACE_NODATA || (mask[i]! > 0) !== inside) return;
        sum += v;
        n += 1;
      });
      return sum / n;
    };
    expect(mean(true) - mean(false)).toBeGreaterThan(3);
  });

  it('outlines the baseline with its heights, adds the verified structures, drops the confirmed demolitions and keeps rejections as reasons', () => {
    expect(decided.verified.length).toBeGreaterThan(0);
    expect(decided.rejected).toHaveLength(1);
    expect(decided.permitted).toHaveLength(1);
    const patrolSamples = manifest.samples.filter((s) => s.flight === patrol);
    const reviewed = patrolSamples.flatMap((s) => s.buildings.reviewed);
    // A verified structure, or one rejected as permitted, stands in the patrol's blocks (where it was not left out undecided)...
    expect(reviewed.length).toBeGreaterThan(0);
    expect(reviewed.every((id) => decided.verified.includes(id) || decided.permitted.includes(id))).toBe(true);
    expect(reviewed).toContain(decided.permitted[0]);
    const withReviewed = patrolSamples.find((s) => s.buildings.reviewed.length)!;
    expect(outlinesOf(out, withReviewed.name).filter((f) => f.properties.source === 'reviewed').map((f) => f.properties.id)).toEqual(withReviewed.buildings.reviewed);
    // ...but not in the reference flight's, captured before it was built.
    expect(manifest.samples.filter((s) => s.flight !== patrol).flatMap((s) => s.buildings.reviewed)).toEqual([]);
    const baseline = outlinesOf(out, manifest.samples.find((s) => s.buildings.baseline)!.name).filter((f) => f.properties.source === 'baseline');
    expect(baseline.every((f) => typeof f.properties.height_m === 'number' && f.properties.height_m > 0)).toBe(true);
    // A confirmed demolition removes the baseline building under it from the patrol's outlines only.
    for (const s of patrolSamples.filter((p) => p.demolitions.length)) {
      expect(s.removed.length).toBeGreaterThan(0);
      const ids = new Set(outlinesOf(out, s.name).map((f) => `${f.properties.source}:${f.properties.id}`));
      for (const r of s.removed) expect(ids.has(r)).toBe(false);
    }
    expect(manifest.samples.filter((s) => s.flight !== patrol).flatMap((s) => s.removed)).toEqual([]);
    // A demolition confirmed in a block that was kept.
    expect(patrolSamples.flatMap((s) => s.demolitions).length).toBeGreaterThan(0);
    // The false alarm is no building; its reason is kept.
    const negatives = patrolSamples.flatMap((s) => s.negatives);
    expect(negatives).toEqual([{ candidate: decided.rejected[0], reason_code: 'not_a_structure', reason_text: 'simulated from the ground truth' }]);
    expect(patrolSamples.find((s) => s.negatives.length)!.block).toBe('b12126-68923');
    const outlined = new Set(patrolSamples.flatMap((s) => outlinesOf(out, s.name).map((f) => f.properties.id)));
    for (const n of negatives) expect(outlined.has(n.candidate)).toBe(false);
  });

  it('leaves out the blocks holding a candidate no person decided, saying which', () => {
    const undecidedBlocks = manifest.skipped.filter((s) => s.why.startsWith('candidates nobody decided'));
    expect(undecidedBlocks.every((s) => s.flight === patrol)).toBe(true);
    const named = undecidedBlocks.flatMap((s) => s.why.replace(/.*: /, '').split(', '));
    for (const id of named) expect(decided.undecided).toContain(id);
    if (decided.undecided.length) expect(undecidedBlocks.length).toBeGreaterThan(0);
  });

  it('gives the trainer surface samples with the baseline\'s heights and footprints from a tile', () => {
    const tile = listTiles(out).find((t) => t.name === manifest.samples.find((s) => s.buildings.baseline >= 2)!.name)!;
    const data = path.join(dir, 'samples');
    const writer = new SampleWriter(data);
    expect(exportSurfaceTiles([{ ...tile, sampleName: tile.name }], { source: 'office' }, spec, writer)).toBe(1);
    writer.finish({});
    const [entry] = (JSON.parse(fs.readFileSync(path.join(data, 'index.json'), 'utf8')) as { samples: SampleEntry[] }).samples;
    expect(entry).toMatchObject({ kind: 'surface', source: 'office', name: tile.name });
    const halves = new Uint16Array(fs.readFileSync(path.join(data, entry!.file)).buffer.slice(0));
    const plane = (name: string) => {
      const n = entry!.width * entry!.height;
      const p = entry!.planes.indexOf(name);
      return Array.from(halves.subarray(p * n, (p + 1) * n), fromHalf);
    };
    for (const name of ['after_r', 'after_height', 'baseline_height', 'baseline_footprint', 'instance']) expect(entry!.planes).toContain(name);
    expect(Math.max(...plane('baseline_footprint'))).toBeGreaterThan(0);
    expect(Math.max(...plane('baseline_height'))).toBeGreaterThan(0);
    expect(new Set(plane('instance').filter((v) => v > 0)).size).toBeGreaterThanOrEqual(2);
  });

  it('is deterministic: the same database gives the same files', async () => {
    const again = path.join(dir, 'export-again');
    await exportFromDb(pool, { area: DISTRICT, since: '2026-01-01', spec, dir: again, blockM: BLOCK });
    expect(digestOf(again)).toEqual(digestOf(out));
    expect(fs.readFileSync(path.join(again, 'office.json'), 'utf8')).toBe(fs.readFileSync(path.join(out, 'office.json'), 'utf8'));
  }, 120_000);

  it('holds back whole blocks: both flights of a block on the same side', () => {
    const items = manifest.samples.map((s) => ({ folder: out, name: s.name }));
    expect(new Set(items.map((i) => groupOf(i.name))).size).toBeLessThan(items.length); // blocks seen by both flights
    for (const seed of [1, 2, 3]) {
      const { held, rest } = chooseHeldBack(items, seed);
      expect(held.length).toBeGreaterThanOrEqual(Math.ceil(items.length / 3));
      const heldGroups = new Set(held.map((h) => groupOf(h.name)));
      expect(rest.some((r) => heldGroups.has(groupOf(r.name)))).toBe(false);
    }
  });

  it('refuses an area with no finished flights since the date, and one it does not know', async () => {
    await expect(exportFromDb(pool, { area: DISTRICT, since: '2027-01-01', spec, dir: path.join(dir, 'none'), blockM: BLOCK })).rejects.toThrow(/no finished flights there since then/);
    await expect(exportFromDb(pool, { area: 'NO-SUCH', since: '2026-01-01', spec, dir: path.join(dir, 'none'), blockM: BLOCK })).rejects.toThrow(/no administrative area with that code/);
  });
});
