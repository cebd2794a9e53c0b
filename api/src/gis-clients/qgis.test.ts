/**
 * QGIS itself as the client (issue 22 item 1): Debian's QGIS 3.22 has no "API Header"
 * authentication, so it logs in with a "Basic" configuration holding the user name and an API
 * token. PyQGIS (python3-qgis, headless) loads each kind of layer a user adds from the real API
 * listening on a port: OGC API Features, XYZ raster tiles, MVT vector tiles and a COG over
 * /vsicurl/, and draws each one; every request it sends must be answered without a 401.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig } from '#pipeline/config.js';
import { writeFlightCogs } from '#pipeline/stages/cog.js';
import { ingestFlight } from '#pipeline/stages/ingest.js';
import { registerUploads, tempDir, testStageContext } from '#pipeline/stages/testing/flight-files.js';
import { hashPassword } from '../auth/passwords.js';
import { freePort } from '../testing/free-port.js';
import { seedGisScene } from '../testing/gis-scene.js';
import { buildApi } from '../server.js';

const run = promisify(execFile);
const SCENE = path.resolve(import.meta.dirname, '../../../fixtures/scene');
const SCRIPT = path.join(import.meta.dirname, 'qgis-load-layers.py');
const pool = createTestPool();
const dir = tempDir('qgis');
let app: FastifyInstance;
const answered: Array<{ url: string; status: number; scheme: string; username: string | null }> = [];
let layers: Record<string, { valid: boolean; provider: string; extent: number[] | null; painted?: number; render_errors?: string[]; features?: number; bands?: number; error?: string }>;
let flightBbox: number[] = [];
let cogUrl = '';
let reviewerToken = '';

beforeAll(async () => {
  await emptyTables(pool);
  await seedGisScene(pool);
  const token = await openSession(pool, await upsertUser(pool, { username: 'reviewer', role: 'reviewer', passwordHash: await hashPassword('qgis-test-pw') }), 'bearer', 1);
  const store = path.join(dir, 'store');
  const flight = await registerUploads(pool, { orthophoto: path.join(SCENE, 'after_ortho.tif'), surfaceModel: path.join(SCENE, 'after_dsm.tif') });
  const stage = testStageContext(pool, store);
  await ingestFlight(stage, flight);
  await writeFlightCogs(stage, flight);
  await pool.query(`UPDATE flight SET status = 'done', progress = 1 WHERE id = $1`, [flight]);
  const { rows } = await pool.query<{ box: number[] }>(
    `SELECT ARRAY[ST_XMin(footprint), ST_YMin(footprint), ST_XMax(footprint), ST_YMax(footprint)] AS box FROM flight WHERE id = $1`, [flight]);
  flightBbox = rows[0]!.box;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Links in the OGC API documents are absolute, under the public base URL: this server's own.
  app = await buildApi({ pool, pipeline: { ...loadConfig(), rasterStore: store }, config: { publicBaseUrl: base } });
  app.addHook('onResponse', async (request, reply) => void answered.push({
    url: request.url, status: reply.statusCode, scheme: request.headers.authorization?.split(' ')[0] ?? 'none', username: basicUsername(request.headers.authorization),
  }));
  await app.listen({ host: '127.0.0.1', port });
  cogUrl = `/vsicurl/${base}/api/flights/${flight}/assets/dsm.tif`;
  reviewerToken = token;
  const job = path.join(dir, 'job.json');
  fs.writeFileSync(job, JSON.stringify({ base, flight, username: 'reviewer', token, wrong: { username: 'intruder', token: 'not-a-token' }, flight_bbox: flightBbox, candidates_bbox: [121.04, 31.09, 121.14, 31.11] }));
  const authDb = path.join(dir, 'qgis-auth');
  const stdout = await loadLayersInQgis(job, authDb);
  layers = JSON.parse(stdout.trim().split('\n').at(-1)!);
}, 300_000);
afterAll(async () => {
  await app?.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs qgis-load-layers.py on the job. Its watchdog ends a run that hangs inside QGIS (once in CI
 * over many runs: the hook waited out its 300 s with nothing said) and prints every thread's stack;
 * that run is reported and tried once more in a fresh QGIS, so one stuck thread does not fail the
 * suite, and two in a row do, with both stacks.
 */
async function loadLayersInQgis(job: string, authDb: string): Promise<string> {
  const hangs: string[] = [];
  for (;;) {
    fs.rmSync(authDb, { recursive: true, force: true });
    fs.mkdirSync(authDb);
    try {
      const { stdout } = await run('/usr/bin/python3', ['-X', 'faulthandler', SCRIPT, job], {
        env: { ...process.env, QT_QPA_PLATFORM: 'offscreen', QGIS_AUTH_DB_DIR_PATH: authDb, XDG_RUNTIME_DIR: dir, HOME: dir, CPL_DEBUG: 'OFF' },
        maxBuffer: 1 << 24,
      });
      return stdout;
    } catch (caught) {
      const error = caught as Error & { stderr?: string; signal?: string };
      const hung = /^Timeout \(\d+:\d+:\d+\)!/m.test(error.stderr ?? '');
      if (hung && hangs.length === 0) {
        hangs.push(error.stderr ?? '');
        console.warn(`PyQGIS hung and its watchdog ended it; trying once more. Its threads:\n${error.stderr}`);
        continue;
      }
      throw new Error(`PyQGIS failed (${JSON.stringify(error.signal)}): ${error.message}\n${error.stderr ?? ''}\n${hangs.join('\n')}\n${JSON.stringify(answered)}`, { cause: caught });
    }
  }
}

function basicUsername(authorization: string | undefined): string | null {
  if (!authorization?.startsWith('Basic ')) return null;
  return Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')[0] ?? null;
}

const requestsTo = (fragment: string) => answered.filter((a) => a.url.includes(fragment));

describe('QGIS 3.22 with Basic authentication (user name and API token)', () => {
  it('loads the OGC API Features candidates: every feature, with their extent', () => {
    expect(layers.oapif, JSON.stringify(layers.oapif)).toMatchObject({ valid: true, provider: 'OAPIF', features: 7 });
    const [west, south, east, north] = layers.oapif!.extent!;
    expect([west, east]).toEqual([expect.closeTo(121.05, 2), expect.closeTo(121.2702, 2)]);
    expect([south, north]).toEqual([expect.closeTo(31.1, 2), expect.closeTo(31.1002, 2)]);
    expect(layers.oapif!.painted).toBeGreaterThan(0);
  });

  it('draws the flight\'s orthophoto from XYZ raster tiles', () => {
    expect(layers.xyz, JSON.stringify(layers.xyz)).toMatchObject({ valid: true, provider: 'wms', render_errors: [] });
    // The flight covers the middle of the view: most of the image is painted.
    expect(layers.xyz!.painted).toBeGreaterThan(256 * 256 * 0.2);
    expect(requestsTo('/tiles/ortho/').filter((r) => r.status === 200).length).toBeGreaterThan(0);
  });

  it('draws the candidates from MVT vector tiles', () => {
    expect(layers.mvt, JSON.stringify(layers.mvt)).toMatchObject({ valid: true, provider: 'vectortile', render_errors: [] });
    expect(layers.mvt!.painted).toBeGreaterThan(0);
    expect(requestsTo('/api/tiles/candidates/').filter((r) => r.status === 200).length).toBeGreaterThan(0);
  });

  it('opens the surface model\'s COG over /vsicurl/ with its extent and draws it', () => {
    expect(layers.cog, JSON.stringify(layers.cog)).toMatchObject({ valid: true, provider: 'gdal', bands: 1, render_errors: [] });
    const [west, south, east, north] = layers.cog!.extent!;
    expect([west, south, east, north]).toEqual(flightBbox.map((v) => expect.closeTo(v, 3)));
    expect(layers.cog!.painted).toBeGreaterThan(256 * 256 * 0.2);
  });

  it('sent Basic on every request to a protected route, and none was refused', () => {
    const layerRequests = answered.filter((a) => /^\/(ogc|api\/)/.test(a.url) && a.username === 'reviewer');
    expect(layerRequests.length).toBeGreaterThan(4);
    expect(layerRequests.filter((r) => r.status === 401 || r.status === 403 || r.status >= 500), JSON.stringify(layerRequests)).toEqual([]);
    expect(new Set(answered.filter((a) => /^\/(ogc|api\/)/.test(a.url)).map((r) => r.scheme))).toEqual(new Set(['Basic']));
  });

  it('gets nothing with a token that is not the user\'s: every such request 401', () => {
    expect(layers.oapif_wrong_token?.features ?? 0, JSON.stringify(layers.oapif_wrong_token)).toBe(0);
    const refused = answered.filter((a) => a.username === 'intruder');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.filter((r) => r.status !== 401), JSON.stringify(refused)).toEqual([]);
  });
});

describe('GDAL with HTTP Basic (GDAL_HTTP_AUTH=BASIC, as docs/api.md shows)', () => {
  const gdalinfo = (userpwd: string) => run('gdalinfo', ['--config', 'GDAL_HTTP_AUTH', 'BASIC', '--config', 'GDAL_HTTP_USERPWD', userpwd, cogUrl], {
    env: { ...process.env, CPL_DEBUG: 'OFF' },
  }).then(({ stdout }) => stdout, (error: Error & { stderr?: string }) => `failed: ${error.stderr ?? error.message}`);

  it('opens the COG with the user name and token, and not with a wrong token', async () => {
    expect(await gdalinfo(`reviewer:${reviewerToken}`)).toContain('Driver: GTiff/GeoTIFF');
    expect(await gdalinfo('reviewer:not-a-token')).toMatch(/^failed: .*401/s);
  });
});
