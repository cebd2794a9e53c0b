/**
 * The whole pipeline with an object store as the raster store: RASTER_STORE=/vsis3/<bucket>/<prefix>
 * against an S3-compatible server on loopback (s3rver, in a process of its own: GDAL's calls are
 * synchronous and would block a server in this one). The fixture scene's two flights go from
 * intake to candidates with evidence chips; the COGs and probability map are objects in the
 * bucket, nothing is written to the local disk under the store's path, and the API draws a tile
 * of the flight from the object store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '#api/server.js';
import { getFlight } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { createAccounts, PASSWORD } from '#api/testing/accounts.js';
import { loadConfig, type PipelineConfig } from './config.js';
import gdal from './gdal.js';
import { PROBABILITY_FILE } from './stages/detect.js';
import { tempDir } from './stages/testing/flight-files.js';
import { runScene } from './testing/run-scene.js';

const pool = createTestPool();
const dir = tempDir('object-store');
const BUCKET = 'lingwei-test';
const config: PipelineConfig = { ...loadConfig(), rasterStore: `/vsis3/${BUCKET}/store`, queuePrefix: `lingwei-test-s3-${process.pid}` };
let server: ChildProcess | undefined;
let patrolId = '';

/** Starts s3rver on a free loopback port with one bucket; resolves to its port. */
function startS3(): Promise<number> {
  const script = `
    const { default: S3rver } = await import('@20minutes/s3rver');
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1], configureBuckets: [{ name: process.argv[2] }] });
    const { port } = await server.run();
    console.log(port);`;
  server = spawn(process.execPath, ['--input-type=module', '-e', script, path.join(dir, 's3'), BUCKET], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    server!.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    server!.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
}

beforeAll(async () => {
  const port = await startS3();
  // What an operator sets for S3 (docs/deploying.md): GDAL reads these from the environment, here and in the
  // intake's copy process.
  Object.assign(process.env, {
    AWS_S3_ENDPOINT: `127.0.0.1:${port}`, AWS_HTTPS: 'NO', AWS_VIRTUAL_HOSTING: 'FALSE',
    AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1',
  });
  await emptyTables(pool);
  await createAccounts(pool);
  patrolId = await runScene(pool, config);
}, 400_000);

afterAll(async () => {
  server?.kill();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('an S3 raster store', () => {
  it('takes both flights to done, with candidates and their evidence chips', async () => {
    const flight = (await getFlight(pool, patrolId))!;
    expect(flight.status).toBe('done');
    const { rows } = await pool.query<{ candidates: number; chips: number }>(
      `SELECT count(DISTINCT c.id)::int AS candidates, count(o.evidence_after)::int AS chips
         FROM candidate c JOIN candidate_observation o ON o.candidate_id = c.id AND o.flight_id = $1`, [patrolId]);
    expect(rows[0]!.candidates).toBeGreaterThan(5);
    expect(rows[0]!.chips).toBeGreaterThanOrEqual(rows[0]!.candidates);
  });

  it('keeps the uploads, COGs and probability map as objects in the bucket, and nothing on the local disk', async () => {
    const assets = (await getFlight(pool, patrolId))!.assets;
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.uri.startsWith(`/vsis3/${BUCKET}/store/flights/${patrolId}/`), asset.uri).toBe(true);
      expect(gdal.fs.stat(asset.uri).size, asset.uri).toBeGreaterThan(1000);
    }
    // the upload went up byte for byte
    const upload = assets.find((a) => a.kind === 'orthophoto' && a.role === 'upload')!;
    expect(gdal.fs.stat(upload.uri).size).toBe(fs.statSync(path.resolve(import.meta.dirname, '../../fixtures/scene/after_ortho.tif')).size);
    expect(gdal.fs.stat(`/vsis3/${BUCKET}/store/flights/${patrolId}/${PROBABILITY_FILE}`).size).toBeGreaterThan(1000);
    expect(fs.existsSync('/vsis3')).toBe(false);
  });

  it('draws a raster tile of the flight from the object store', async () => {
    const app = await buildApi({ pool, pipeline: config });
    try {
      const { rows } = await pool.query<{ lon: number; lat: number }>(`SELECT ST_X(ST_Centroid(footprint)) AS lon, ST_Y(ST_Centroid(footprint)) AS lat FROM flight WHERE id = $1`, [patrolId]);
      const { lon, lat } = rows[0]!;
      const z = 18;
      const x = Math.floor(((lon + 180) / 360) * 2 ** z);
      const phi = (lat * Math.PI) / 180;
      const y = Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * 2 ** z);
      const tile = await app.inject({ url: `/api/flights/${patrolId}/tiles/ortho/${z}/${x}/${y}.png`, headers: { cookie: await reviewerCookie(app) } });
      expect([tile.statusCode, tile.headers['content-type']]).toEqual([200, 'image/png']);
    } finally {
      await app.close();
    }
  });

  it('hands out each COG as a presigned link that the object store honours, range requests included', async () => {
    const app = await buildApi({ pool, pipeline: config });
    try {
      const cookie = await reviewerCookie(app);
      const cogs = (await getFlight(pool, patrolId))!.assets.filter((a) => a.role === 'cog');
      expect(cogs.map((a) => a.kind).sort()).toEqual(['orthophoto', 'surface_model']);
      for (const [file, cog] of [['ortho.tif', cogs.find((a) => a.kind === 'orthophoto')!], ['dsm.tif', cogs.find((a) => a.kind === 'surface_model')!]] as const) {
        const answer = await app.inject({ url: `/api/flights/${patrolId}/assets/${file}`, headers: { cookie } });
        expect(answer.statusCode, answer.body).toBe(307);
        const link = answer.headers.location as string;
        const head = await fetch(link, { headers: { Range: 'bytes=0-3' } });
        expect(head.status).toBe(206);
        expect(Buffer.from(await head.arrayBuffer()).toString('latin1')).toMatch(/^II[*+]/); // a little-endian (Big)TIFF
        expect(head.headers.get('content-range')).toBe(`bytes 0-3/${gdal.fs.stat(cog.uri).size}`);
        // the signature is checked: a link altered by one character is refused
        const tampered = link.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
        expect((await fetch(tampered)).status).toBe(403);
      }
      // without access keys the API cannot sign, and says why instead of sending a dead link
      const keys = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
      delete process.env.AWS_SECRET_ACCESS_KEY;
      try {
        const unsigned = await app.inject({ url: `/api/flights/${patrolId}/assets/ortho.tif`, headers: { cookie } });
        expect(unsigned.statusCode).toBe(501);
        expect(unsigned.json().detail).toMatch(/AWS_SECRET_ACCESS_KEY must be set/);
      } finally {
        Object.assign(process.env, { AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret });
      }
    } finally {
      await app.close();
    }
  });
});

async function reviewerCookie(app: Awaited<ReturnType<typeof buildApi>>): Promise<string> {
  const login = await app.inject({ method: 'POST', url: '/api/login', payload: { username: 'reviewer', password: PASSWORD } });
  expect(login.statusCode).toBe(200);
  return `lingwei_session=${login.cookies[0]!.value}`;
}
