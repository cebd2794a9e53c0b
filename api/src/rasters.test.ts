/**
 * Raster tiles, COG downloads, evidence chips and the STAC catalog against a real flight: the
 * fixture scene's autumn flight taken in by the ingest stage (real COGs with overviews), served by
 * the API, read back with sharp and with GDAL over HTTP.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFlight } from '#db/sql/flights.js';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig } from '#pipeline/config.js';
import gdal from '#pipeline/gdal.js';
import { drawEvidence } from '#pipeline/stages/evidence.js';
import { writeFlightCogs } from '#pipeline/stages/cog.js';
import { ingestFlight } from '#pipeline/stages/ingest.js';
import { registerUploads, tempDir, testStageContext } from '#pipeline/stages/testing/flight-files.js';
import { hashPassword } from './auth/passwords.js';
import { COG_MEDIA_TYPE } from './rasters/stac.js';
import { buildApi } from './server.js';
import type { Role } from '#domain/vocabulary.js';

const SCENE = path.resolve(import.meta.dirname, '../../fixtures/scene');
const pool = createTestPool();
const dir = tempDir('rasters');
const store = path.join(dir, 'store');
let app: FastifyInstance;
const tokens: Partial<Record<Role, string>> = {};
let flightId = '';
let orthoOnlyFlightId = '';
let candidateId = '';
/** The flight's footprint: west, south, east, north (degrees). */
let bbox: [number, number, number, number];

beforeAll(async () => {
  await emptyTables(pool);
  const hash = await hashPassword('rasters-test-pw');
  for (const role of ['operator', 'reviewer', 'assessor'] as const) {
    tokens[role] = await openSession(pool, await upsertUser(pool, { username: role, role, passwordHash: hash }), 'bearer', 1);
  }
  const ctx = testStageContext(pool, store);
  flightId = await registerUploads(pool, { orthophoto: path.join(SCENE, 'after_ortho.tif'), surfaceModel: path.join(SCENE, 'after_dsm.tif') });
  await ingestFlight(ctx, flightId);
  await writeFlightCogs(ctx, flightId); // the tiles and STAC read the full-resolution COGs
  await pool.query(`UPDATE flight SET status = 'done', progress = 1 WHERE id = $1`, [flightId]);
  // Registered but never ingested: no COGs, so no tiles and no STAC item.
  orthoOnlyFlightId = await registerUploads(pool, { orthophoto: path.join(SCENE, 'after_ortho.tif') });
  const { rows } = await pool.query<{ w: number; s: number; e: number; n: number }>(
    `SELECT ST_XMin(footprint) AS w, ST_YMin(footprint) AS s, ST_XMax(footprint) AS e, ST_YMax(footprint) AS n FROM flight WHERE id = $1`, [flightId]);
  bbox = [rows[0]!.w, rows[0]!.s, rows[0]!.e, rows[0]!.n];
  app = await buildApi({ pool, pipeline: { ...loadConfig(), rasterStore: store } });
}, 180_000);
afterAll(async () => {
  await app.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

const as = (role: Role | null, headers: Record<string, string> = {}) => ({ ...(role ? { authorization: `Bearer ${tokens[role as 'operator']}` } : {}), ...headers });

/** The XYZ tile containing a lon/lat at zoom z. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n)];
}

const centre = () => [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2] as const;

async function getTile(asset: string, z: number, lonLat: readonly [number, number], format = 'png', query = '', headers: Record<string, string> = {}) {
  const [x, y] = tileOf(lonLat[0], lonLat[1], z);
  return app.inject({ url: `/api/flights/${flightId}/tiles/${asset}/${z}/${x}/${y}.${format}${query}`, headers: as('operator', headers) });
}

/** Decodes a tile; counts its opaque and fully transparent pixels. */
async function decode(body: Buffer) {
  const { data, info } = await sharp(body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let opaque = 0;
  let transparent = 0;
  let grey = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) transparent += 1;
    else {
      opaque += 1;
      if (data[i] === data[i + 1] && data[i + 1] === data[i + 2]) grey += 1;
    }
  }
  return { info, data, opaque, transparent, grey };
}

describe('raster tiles', () => {
  it('draw the orthophoto as a 256 px WebP over the flight, with an ETag that answers 304', async () => {
    const response = await getTile('ortho', 19, centre(), 'webp');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/webp');
    expect(response.headers['cache-control']).toBe('private, max-age=3600');
    const { info, opaque, grey } = await decode(response.rawPayload);
    expect([info.width, info.height, info.format]).toEqual([256, 256, 'raw']);
    expect((await sharp(response.rawPayload).metadata()).format).toBe('webp');
    expect(opaque).toBe(256 * 256); // the middle of the flight is all image
    expect(grey).toBeLessThan(opaque); // and in colour

    const etag = String(response.headers.etag);
    expect((await getTile('ortho', 19, centre(), 'webp')).headers.etag).toBe(etag);
    const cached = await getTile('ortho', 19, centre(), 'webp', '', { 'if-none-match': etag });
    expect(cached.statusCode).toBe(304);
    expect(cached.rawPayload.length).toBe(0);
    expect((await getTile('ortho', 19, centre(), 'png')).headers.etag).not.toBe(etag);
  });

  it('are transparent outside the flight, and 204 where a tile misses it entirely', async () => {
    // The tile holding the flight's north-west corner is partly flight, partly outside.
    const edge = await getTile('ortho', 18, [bbox[0] + 1e-5, bbox[3] - 1e-5], 'png');
    expect(edge.statusCode).toBe(200);
    const { opaque, transparent } = await decode(edge.rawPayload);
    expect(opaque).toBeGreaterThan(500);
    expect(transparent).toBeGreaterThan(500);
    // Its top-left pixel lies north-west of the corner, outside the flight.
    const pixel = await sharp(edge.rawPayload).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer();
    expect(pixel[3]).toBe(0);

    const away = await getTile('ortho', 18, [bbox[0] - 0.05, bbox[3]], 'png');
    expect(away.statusCode).toBe(204);
    expect(away.rawPayload.length).toBe(0);
  });

  it('draw the whole flight when zoomed out, from the overviews', async () => {
    const response = await getTile('ortho', 15, centre(), 'png');
    const { opaque, transparent } = await decode(response.rawPayload);
    // 200 m of flight on 4.1 m pixels: about 49 x 49 pixels of 256 x 256.
    expect(opaque).toBeGreaterThan(40 * 40);
    expect(opaque).toBeLessThan(60 * 60);
    expect(transparent).toBeGreaterThan(250 * 250 - 60 * 60);
  });

  it('draw the surface model as a grey hillshade by default and as a colour ramp on request', async () => {
    const shaded = await getTile('dsm', 19, centre(), 'png');
    const ramp = await getTile('dsm', 19, centre(), 'png', '?style=ramp');
    const explicit = await getTile('dsm', 19, centre(), 'png', '?style=hillshade');
    for (const r of [shaded, ramp, explicit]) expect([r.statusCode, r.headers['content-type']]).toEqual([200, 'image/png']);
    expect(explicit.headers.etag).toBe(shaded.headers.etag);
    expect(ramp.headers.etag).not.toBe(shaded.headers.etag);
    const a = await decode(shaded.rawPayload);
    const b = await decode(ramp.rawPayload);
    expect([a.info.width, a.info.height, b.info.width, b.info.height]).toEqual([256, 256, 256, 256]);
    // Mostly heights (the surface model has a few holes), the same pixels in both styles.
    expect(a.opaque).toBeGreaterThan(0.9 * 256 * 256);
    expect(b.opaque).toBe(a.opaque);
    expect(a.grey).toBe(a.opaque);
    expect(b.grey).toBeLessThan(b.opaque / 10);
    expect(Buffer.compare(a.data, b.data)).not.toBe(0);
  });

  it('serve JPEG without alpha', async () => {
    const response = await getTile('ortho', 18, [bbox[0] + 1e-5, bbox[3] - 1e-5], 'jpg');
    expect(response.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(response.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['jpeg', 256, 256, 3]);
  });

  it('explain bad tiles, formats, assets and styles with problem+json, and unknown flights with 404', async () => {
    const [x, y] = tileOf(...centre(), 18);
    const cases: Array<[string, number]> = [
      [`/api/flights/${flightId}/tiles/ortho/25/0/0.png`, 400],
      [`/api/flights/${flightId}/tiles/ortho/2/4/0.png`, 400],
      [`/api/flights/${flightId}/tiles/ortho/2/0/9.png`, 400],
      [`/api/flights/${flightId}/tiles/ortho/18/${x}/${y}.gif`, 400],
      [`/api/flights/${flightId}/tiles/ortho/18/${x}/${y}`, 400],
      [`/api/flights/${flightId}/tiles/thermal/18/${x}/${y}.png`, 400],
      [`/api/flights/${flightId}/tiles/ortho/18/${x}/${y}.png?style=ramp`, 400],
      [`/api/flights/${flightId}/tiles/dsm/18/${x}/${y}.png?style=rainbow`, 400],
      [`/api/flights/99999999/tiles/ortho/18/${x}/${y}.png`, 404],
      [`/api/flights/${orthoOnlyFlightId}/tiles/ortho/18/${x}/${y}.png`, 404],
      [`/api/flights/${orthoOnlyFlightId}/tiles/dsm/18/${x}/${y}.png`, 404],
    ];
    for (const [url, status] of cases) {
      const response = await app.inject({ url, headers: as('reviewer') });
      expect([url, response.statusCode]).toEqual([url, status]);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const missing = await app.inject({ url: `/api/flights/${orthoOnlyFlightId}/tiles/ortho/18/${x}/${y}.png`, headers: as('reviewer') });
    expect(missing.json().title).toBe('No such raster');
  });

  it('say 404 when a recorded COG has gone from the raster store', async () => {
    const [x, y] = tileOf(...centre(), 18);
    await pool.query(
      `INSERT INTO flight_asset (flight_id, kind, role, uri) VALUES ($1, 'orthophoto', 'cog', $2)`, [orthoOnlyFlightId, path.join(store, 'gone.cog.tif')]);
    try {
      for (const url of [`/api/flights/${orthoOnlyFlightId}/tiles/ortho/18/${x}/${y}.png`, `/api/flights/${orthoOnlyFlightId}/assets/ortho.tif`]) {
        const response = await app.inject({ url, headers: as('reviewer') });
        expect([response.statusCode, response.json().title]).toEqual([404, 'Raster file missing']);
      }
    } finally {
      await pool.query(`DELETE FROM flight_asset WHERE flight_id = $1 AND role = 'cog'`, [orthoOnlyFlightId]);
    }
  });
});

describe('COG downloads', () => {
  const cogPath = async (kind: 'orthophoto' | 'surface_model') => (await getFlight(pool, flightId))!.assets.find((a) => a.kind === kind && a.role === 'cog')!.uri;
  const url = () => `/api/flights/${flightId}/assets/ortho.tif`;

  it('stream the whole COG, or just the range asked for', async () => {
    const file = fs.readFileSync(await cogPath('orthophoto'));
    const whole = await app.inject({ url: url(), headers: as('assessor') });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe(COG_MEDIA_TYPE);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(Number(whole.headers['content-length'])).toBe(file.length);
    expect(Buffer.compare(whole.rawPayload, file)).toBe(0);

    const part = await app.inject({ url: url(), headers: as('assessor', { range: 'bytes=1000-1999' }) });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${file.length}`);
    expect(Buffer.compare(part.rawPayload, file.subarray(1000, 2000))).toBe(0);

    const tail = await app.inject({ url: url(), headers: as('assessor', { range: 'bytes=-10' }) });
    expect([tail.statusCode, Buffer.compare(tail.rawPayload, file.subarray(file.length - 10))]).toEqual([206, 0]);

    const past = await app.inject({ url: url(), headers: as('assessor', { range: `bytes=${file.length}-` }) });
    expect([past.statusCode, past.headers['content-range']]).toEqual([416, `bytes */${file.length}`]);
    expect(past.headers['content-type']).toContain('application/problem+json');

    const head = await app.inject({ method: 'HEAD', url: url(), headers: as('assessor') });
    expect([head.statusCode, Number(head.headers['content-length']), head.rawPayload.length]).toEqual([200, file.length, 0]);
    expect((await app.inject({ method: 'HEAD', url: url() })).statusCode).toBe(401);

    const again = await app.inject({ url: url(), headers: as('assessor', { 'if-none-match': String(whole.headers.etag) }) });
    expect(again.statusCode).toBe(304);
    // A range validated against an older file gets the whole new one.
    const stale = await app.inject({ url: url(), headers: as('assessor', { range: 'bytes=0-9', 'if-range': '"cog-old"' }) });
    expect([stale.statusCode, stale.rawPayload.length]).toEqual([200, file.length]);
  });

  it('are readable by GDAL over HTTP (/vsicurl/) with a bearer token', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    gdal.config.set('GDAL_DISABLE_READDIR_ON_OPEN', 'EMPTY_DIR');
    try {
      // Without the token, GDAL cannot open it.
      await expect(gdal.openAsync(`/vsicurl/${address}/api/flights/${flightId}/assets/dsm.tif?anonymous=1`)).rejects.toThrow();
      gdal.config.set('GDAL_HTTP_HEADERS', `Authorization: Bearer ${tokens.reviewer}`);
      const remote = await gdal.openAsync(`/vsicurl/${address}/api/flights/${flightId}/assets/dsm.tif`);
      const local = await gdal.openAsync(await cogPath('surface_model'));
      expect(remote.rasterSize).toEqual(local.rasterSize);
      expect(remote.bands.get(1).overviews.count()).toBe(local.bands.get(1).overviews.count());
      const window = [300, 400, 64, 48] as const;
      const a = (await (await remote.bands.getAsync(1)).pixels.readAsync(...window)) as Float32Array;
      const b = (await (await local.bands.getAsync(1)).pixels.readAsync(...window)) as Float32Array;
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(new Set(a).size).toBeGreaterThan(1);
      remote.close();
      local.close();
    } finally {
      gdal.config.set('GDAL_HTTP_HEADERS', null);
      gdal.config.set('GDAL_DISABLE_READDIR_ON_OPEN', null);
    }
  });

  it('say 404 for a flight without COGs and for anything but ortho.tif and dsm.tif', async () => {
    const none = await app.inject({ url: `/api/flights/${orthoOnlyFlightId}/assets/ortho.tif`, headers: as('operator') });
    expect([none.statusCode, none.json().title]).toEqual([404, 'No such raster']);
    expect((await app.inject({ url: '/api/flights/99999999/assets/ortho.tif', headers: as('operator') })).json().title).toBe('No such flight');
    for (const file of ['orthophoto.cog.tif', '..%2Forthophoto.cog.tif', 'ortho.tiff']) {
      expect((await app.inject({ url: `/api/flights/${flightId}/assets/${file}`, headers: as('operator') })).statusCode).toBe(404);
    }
  });
});

describe('evidence images', () => {
  let drawn: Awaited<ReturnType<typeof drawEvidence>>;
  beforeAll(async () => {
    // Real chips, drawn by the raise stage's code from the flight's COG around an outline, kept as
    // the raise stage keeps them: the image in evidence_chip, its digest on the observation.
    const uri = (await getFlight(pool, flightId))!.assets.find((a) => a.kind === 'orthophoto' && a.role === 'cog')!.uri;
    const ring = [[606_390, 3_446_190], [606_410, 3_446_190], [606_410, 3_446_210], [606_390, 3_446_210], [606_390, 3_446_190]];
    drawn = await drawEvidence([ring], { uri, shift: { dx: 0, dy: 0 }, gsd: 0.1, crs: gdal.SpatialReference.fromEPSG(4549).toWKT() }, null);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO candidate (geom, change_type, area_m2) VALUES (ST_Multi(ST_MakeEnvelope(121.1155, 31.1324, 121.1157, 31.1326, 4326)), 'new_structure', 400) RETURNING id::text`);
    candidateId = rows[0]!.id;
    await pool.query(`INSERT INTO evidence_chip (digest, media_type, image) VALUES ($1, $2, $3)`, [drawn.after.digest, drawn.after.mediaType, drawn.after.image]);
    await pool.query(
      `INSERT INTO candidate_observation (candidate_id, flight_id, geom, evidence_before, evidence_after)
       SELECT $1, $2, geom, NULL, $3 FROM candidate WHERE id = $1`, [candidateId, flightId, drawn.after.digest]);
    await pool.query(
      `INSERT INTO candidate_observation (candidate_id, flight_id, geom) SELECT $1, $2, geom FROM candidate WHERE id = $1`, [candidateId, orthoOnlyFlightId]);
  });

  it('are drawn as WebP no larger than 384 px, named by their SHA-256', async () => {
    expect(drawn.before).toBeNull();
    const meta = await sharp(drawn.after.image).metadata();
    expect([meta.format, drawn.after.mediaType]).toEqual(['webp', 'image/webp']);
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(384);
    expect(drawn.after.digest).toBe(createHash('sha256').update(drawn.after.image).digest('hex'));
  });

  it('serve the chip as WebP with an ETag that answers 304', async () => {
    const url = `/api/candidates/${candidateId}/evidence/${flightId}/after`;
    const response = await app.inject({ url, headers: as('reviewer') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/webp');
    expect(response.headers['cache-control']).toBe('private, max-age=3600');
    expect(response.rawPayload.equals(drawn.after.image)).toBe(true);
    const again = await app.inject({ url, headers: as('assessor', { 'if-none-match': String(response.headers.etag) }) });
    expect(again.statusCode).toBe(304);
  });

  it('say 404 for a missing chip and an unknown observation', async () => {
    const cases: Array<[string, string]> = [
      [`/api/candidates/${candidateId}/evidence/${flightId}/before`, 'No evidence image'],
      [`/api/candidates/${candidateId}/evidence/99999/after`, 'No such observation'],
      [`/api/candidates/99999999/evidence/${flightId}/after`, 'No such observation'],
      [`/api/candidates/${candidateId}/evidence/${orthoOnlyFlightId}/before`, 'No evidence image'],
      [`/api/candidates/${candidateId}/evidence/${orthoOnlyFlightId}/after`, 'No evidence image'],
    ];
    for (const [url, title] of cases) {
      const response = await app.inject({ url, headers: as('reviewer') });
      expect([url, response.statusCode, response.json().title]).toEqual([url, 404, title]);
    }
  });

  it('cannot be named on an observation without the image being stored', async () => {
    await expect(pool.query(`UPDATE candidate_observation SET evidence_before = $3 WHERE candidate_id = $1 AND flight_id = $2`,
      [candidateId, orthoOnlyFlightId, '0'.repeat(64)])).rejects.toThrow(/evidence_before_fkey/);
  });

  it('take nothing from the URL as a path', async () => {
    for (const which of ['..%2F..%2Fetc%2Fpasswd', 'after.webp', '%2Fetc%2Fpasswd']) {
      const response = await app.inject({ url: `/api/candidates/${candidateId}/evidence/${flightId}/${which}`, headers: as('reviewer') });
      expect(response.statusCode).toBe(400);
    }
    expect((await app.inject({ url: `/api/candidates/${candidateId}/evidence/..%2F${flightId}/after`, headers: as('reviewer') })).statusCode).toBe(400);
  });
});

describe('the STAC catalog', () => {
  const local = (href: string) => new URL(href).pathname + new URL(href).search;
  const follow = async (href: string, headers: Record<string, string> = {}) => app.inject({ url: local(href), headers: as('assessor', headers) });
  const link = (doc: { links: Array<{ rel: string; href: string }> }, rel: string) => doc.links.find((l) => l.rel === rel)?.href;

  it('leads from the catalog to the collection to one item per flight with COGs', async () => {
    const catalog = (await app.inject({ url: '/api/stac', headers: as('operator') })).json();
    expect(catalog).toMatchObject({ type: 'Catalog', stac_version: '1.0.0', id: 'lingwei' });
    expect(local(link(catalog, 'self')!)).toBe('/api/stac');
    expect(link(catalog, 'root')).toBe(link(catalog, 'self'));

    const collection = (await follow(link(catalog, 'child')!)).json();
    expect(collection).toMatchObject({ type: 'Collection', stac_version: '1.0.0', id: 'flights', license: 'proprietary' });
    expect(link(collection, 'root')).toBe(link(catalog, 'self'));
    expect(link(collection, 'parent')).toBe(link(catalog, 'self'));
    const [w, s, e, n] = collection.extent.spatial.bbox[0];
    expect([w, s, e, n]).toEqual(bbox.map((v) => expect.closeTo(v, 6)));
    expect(collection.extent.temporal.interval[0]).toEqual(['2026-10-15T02:00:00.000Z', '2026-10-15T02:00:00.000Z']);

    const items = await follow(link(collection, 'items')!);
    expect(items.headers['content-type']).toContain('application/geo+json');
    const page = items.json();
    expect(page).toMatchObject({ type: 'FeatureCollection', numberMatched: 1, numberReturned: 1 });
    const item = page.features[0];
    expect(item).toMatchObject({
      type: 'Feature', stac_version: '1.0.0', id: flightId, collection: 'flights',
      properties: { datetime: '2026-10-15T02:00:00.000Z', gsd: expect.closeTo(0.1, 6), operator: 'test', 'proj:epsg': 4549 },
    });
    expect(item.geometry.type).toBe('MultiPolygon');
    expect(item.bbox).toEqual(bbox.map((v) => expect.closeTo(v, 6)));
    for (const rel of ['self', 'root', 'parent', 'collection']) expect(link(item, rel)).toBeDefined();
    expect((await follow(link(item, 'self')!)).json()).toEqual(item);
    expect(link(item, 'parent')).toBe(link(collection, 'self'));
  });

  it('lists COG assets whose hrefs answer Range requests, and tile links that draw', async () => {
    const item = (await app.inject({ url: `/api/stac/collections/flights/items/${flightId}`, headers: as('reviewer') })).json();
    expect(Object.keys(item.assets).sort()).toEqual(['orthophoto', 'surface_model', 'thumbnail']);
    for (const asset of (Object.values(item.assets) as Array<{ href: string; type: string; roles: string[] }>).filter((a) => !a.roles.includes('thumbnail'))) {
      expect(asset.type).toBe('image/tiff; application=geotiff; profile=cloud-optimized');
      expect(asset.roles).toEqual(['data']);
      const head = await follow(asset.href, { range: 'bytes=0-3' });
      expect(head.statusCode).toBe(206);
      expect(head.rawPayload.toString('latin1')).toMatch(/^II[*+]\0$/); // a little-endian (Big)TIFF
    }
    const xyz = item.links.find((l: { rel: string }) => l.rel === 'xyz').href as string;
    const [x, y] = tileOf(...centre(), 19);
    const tile = await follow(xyz.replace(/%7Bz%7D|\{z\}/, '19').replace(/%7Bx%7D|\{x\}/, String(x)).replace(/%7By%7D|\{y\}/, String(y)));
    expect([tile.statusCode, tile.headers['content-type']]).toEqual([200, 'image/webp']);
  });

  it('pages items, and says 404 for a flight without COGs', async () => {
    const empty = (await app.inject({ url: '/api/stac/collections/flights/items?limit=1&offset=1', headers: as('operator') })).json();
    expect(empty.features).toEqual([]);
    // A page past the end still reports the true total, not the count of its (no) rows.
    expect(empty).toMatchObject({ numberMatched: 1, numberReturned: 0 });
    expect(empty.links.find((l: { rel: string }) => l.rel === 'next')).toBeUndefined();
    expect((await app.inject({ url: `/api/stac/collections/flights/items/${orthoOnlyFlightId}`, headers: as('operator') })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/stac/collections/flights/items?limit=0', headers: as('operator') })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/stac/collections/flights/items/abc', headers: as('operator') })).statusCode).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('describes the raster, evidence and STAC routes', async () => {
    const paths = Object.keys((await app.inject({ url: '/docs/json' })).json().paths);
    expect(paths).toEqual(expect.arrayContaining([
      '/api/flights/{id}/tiles/{asset}/{z}/{x}/{y}', '/api/flights/{id}/assets/{file}', '/api/candidates/{id}/evidence/{flightId}/{which}',
      '/api/stac', '/api/stac/collections/flights', '/api/stac/collections/flights/items', '/api/stac/collections/flights/items/{flightId}',
    ]));
  });
});
