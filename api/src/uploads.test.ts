/**
 * Flight uploads end to end against the real services: tus uploads over real HTTP (tus-js-client
 * and plain fetch) into a scratch raster store, then POST /api/flights against the real database
 * and Redis (own queue prefix). Bad input of every kind is refused with a reason and changes
 * nothing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Upload as TusUpload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { loadConfig, type PipelineConfig } from '#pipeline/config.js';
import { FLIGHT_QUEUE, flightJobId } from '#pipeline/queue/flight-flow.js';
import gdal from '#pipeline/gdal.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { writeGeoTiff } from '#pipeline/raster/index.js';
import type { Role } from '#domain/vocabulary.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';
import { rasterSignature } from './uploads/raster-signature.js';
import { UploadArea } from './uploads/upload-area.js';
import { loadUploadLimits } from './uploads/upload-limits.js';
import { acceptClientMetadata, MetadataProblem } from './uploads/upload-metadata.js';

const ORTHO = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'scene', 'after_ortho.tif');
const DSM = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'scene', 'after_dsm.tif');
const MAX_BYTES = 3 * 1024 * 1024;
const CAPTURED_AT = '2026-10-15T13:44:00+08:00';

const pool = createTestPool();
const store = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-uploads-test-'));
const uploadsDir = path.join(store, 'uploads');
const config: PipelineConfig = { ...loadConfig(), rasterStore: store, queuePrefix: `lingwei-uploads-test-${process.pid}` };
let app: FastifyInstance;
let base = '';
const users: Record<string, { id: string; bearer: string; cookie: string }> = {};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const auth = (who: string, via: 'bearer' | 'cookie' = 'bearer'): Record<string, string> =>
  via === 'bearer' ? { authorization: `Bearer ${users[who]!.bearer}` } : { cookie: `lingwei_session=${users[who]!.cookie}` };
const TUS = { 'tus-resumable': '1.0.0' };

beforeAll(async () => {
  await emptyTables(pool);
  const hash = await hashPassword('lingwei-test-pw');
  const accounts: Array<[string, Role]> = [['operator', 'operator'], ['operator2', 'operator'], ['admin', 'admin'], ['reviewer', 'reviewer'], ['assessor', 'assessor']];
  for (const [username, role] of accounts) {
    const id = await upsertUser(pool, { username, role, passwordHash: hash });
    users[username] = { id, bearer: await openSession(pool, id, 'bearer', 1), cookie: await openSession(pool, id, 'cookie', 1) };
  }
  app = await buildApi({ pool, pipeline: config, uploadMaxBytes: MAX_BYTES });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  const connection = createRedisConnection(config.redisUrl);
  const queue = new Queue(FLIGHT_QUEUE, { connection, prefix: config.queuePrefix });
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  await app.close();
  await pool.end();
  fs.rmSync(store, { recursive: true, force: true });
});

/** Creates an upload with plain tus requests and sends `bytes` in one PATCH; returns its id and the last response. */
async function tusUpload(who: string, bytes: Buffer, metadata: Record<string, string> = {}, via: 'bearer' | 'cookie' = 'bearer') {
  const meta = Object.entries(metadata).map(([k, v]) => `${k} ${b64(v)}`).join(',');
  const created = await fetch(`${base}/api/uploads`, {
    method: 'POST',
    headers: { ...TUS, ...auth(who, via), 'upload-length': String(bytes.length), ...(meta ? { 'upload-metadata': meta } : {}) },
  });
  expect(created.status).toBe(201);
  const id = created.headers.get('location')!.split('/').pop()!;
  const patched = await fetch(`${base}/api/uploads/${id}`, {
    method: 'PATCH',
    headers: { ...TUS, ...auth(who, via), 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: new Uint8Array(bytes),
  });
  return { id, patched };
}

async function createFlight(who: string, body: object) {
  return fetch(`${base}/api/flights`, { method: 'POST', headers: { ...auth(who), 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function flightCount(): Promise<number> {
  return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM flight')).rows[0]!.n;
}

/** Sends the first `sent` bytes of a PATCH at `offset`, then destroys the connection mid-body. */
function brokenPatch(id: string, offset: number, bytes: Buffer, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const request = http.request(`${base}/api/uploads/${id}`, {
      method: 'PATCH',
      headers: { ...TUS, ...auth('operator'), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': String(bytes.length - offset) },
    });
    request.on('error', () => resolve());
    request.write(bytes.subarray(offset, offset + sent), () => setTimeout(() => {
      request.destroy();
      resolve();
    }, 200));
  });
}

async function offsetOf(id: string): Promise<number> {
  const head = await fetch(`${base}/api/uploads/${id}`, { method: 'HEAD', headers: { ...TUS, ...auth('operator') } });
  expect(head.status).toBe(200);
  return Number(head.headers.get('upload-offset'));
}

describe('a resumable upload made into a flight', () => {
  it('resumes an upload broken off mid-way from its URL, stores the exact file, and queues the flight', async () => {
    const file = fs.readFileSync(ORTHO);
    const metadata = { filename: 'after_ortho.tif', filetype: 'image/tiff', sha256: sha256(file) };
    const options = { chunkSize: 64 * 1024, headers: auth('operator'), metadata, retryDelays: [] as number[] };

    // First client: stops after about half the chunks (an operator closing the laptop).
    const uploadUrl = await new Promise<string>((resolve, reject) => {
      const first = new TusUpload(file, {
        ...options,
        endpoint: `${base}/api/uploads`,
        onError: reject,
        onSuccess: () => reject(new Error('the first client should not have finished')),
        onChunkComplete: (_chunk, accepted, total) => {
          if (accepted >= total / 2) void first.abort().then(() => resolve(first.url!));
        },
      });
      first.start();
    });
    const id = uploadUrl.split('/').pop()!;
    const half = await offsetOf(id);
    expect(half).toBeGreaterThan(0);
    expect(half).toBeLessThan(file.length);

    // The network drops in the middle of the next chunk: what arrived stays.
    await brokenPatch(id, half, file, 20_000);
    const broken = await offsetOf(id);
    expect(broken).toBeGreaterThanOrEqual(half);
    expect(broken).toBeLessThan(file.length);

    // A new client (another process, next morning) resumes from the stored URL.
    let resentBytes = 0;
    await new Promise<void>((resolve, reject) => {
      const second = new TusUpload(file, {
        ...options,
        uploadUrl,
        onError: reject,
        onSuccess: () => resolve(),
        onChunkComplete: (chunk) => (resentBytes += chunk),
      });
      second.start();
    });
    expect(resentBytes).toBe(file.length - broken);
    expect(sha256(fs.readFileSync(path.join(uploadsDir, id)))).toBe(sha256(file));

    const before = await flightCount();
    const uploadedInode = fs.statSync(path.join(uploadsDir, id)).ino;
    const created = await createFlight('operator', { orthophoto: id, captured_at: CAPTURED_AT, operator: '张三' });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; url: string; duplicate: boolean };
    expect(body).toMatchObject({ url: `/api/flights/${body.id}`, duplicate: false });
    expect(created.headers.get('location')).toBe(body.url);
    expect(await flightCount()).toBe(before + 1);

    const { rows } = await pool.query(
      `SELECT f.status, f.operator, f.uploaded_by::text, a.sha256, a.uri FROM flight f JOIN flight_asset a ON a.flight_id = f.id WHERE f.id = $1`,
      [body.id],
    );
    expect(rows[0]).toMatchObject({ status: 'queued', operator: '张三', uploaded_by: users.operator!.id, sha256: sha256(file) });
    expect(rows[0].uri.startsWith(path.join(store, 'flights', body.id))).toBe(true);
    // The upload became the flight's file by a hard link, not a second multi-GB copy.
    expect(fs.statSync(rows[0].uri).ino).toBe(uploadedInode);
    const connection = createRedisConnection(config.redisUrl);
    const queue = new Queue(FLIGHT_QUEUE, { connection, prefix: config.queuePrefix });
    const createdAt = (await pool.query<{ created_at: Date }>('SELECT created_at FROM flight WHERE id = $1', [body.id])).rows[0]!.created_at;
    expect(await (await queue.getJob(flightJobId({ id: body.id, createdAt }, 'ingest')))?.getState()).toBe('waiting');
    await queue.close();
    connection.disconnect();

    // The upload's bytes now live in the flight's folder; the upload itself is gone.
    expect(fs.existsSync(path.join(uploadsDir, id))).toBe(false);
    const again = await fetch(`${base}/api/flights/${body.id}`, { headers: auth('operator') });
    expect(((await again.json()) as { status: string }).status).toBe('queued');
    // Notices (a flight matching its reference nowhere, one outside every area) come with the list.
    await pool.query(`UPDATE flight SET notices = '{"The flight lies outside every imported administrative area"}' WHERE id = $1`, [body.id]);
    const list = (await (await fetch(`${base}/api/flights`, { headers: auth('operator') })).json()) as { flights: Array<{ id: string; notices: string[] }> };
    expect(list.flights.find((f) => f.id === body.id)!.notices).toEqual(['The flight lies outside every imported administrative area']);
    await pool.query(`UPDATE flight SET notices = '{}' WHERE id = $1`, [body.id]);
  });

  it('recognises the same orthophoto uploaded again and returns its flight without queueing another', async () => {
    const file = fs.readFileSync(ORTHO);
    const { id, patched } = await tusUpload('operator', file, { sha256: sha256(file) });
    expect(patched.status).toBe(204);
    const before = await flightCount();
    const created = await createFlight('operator', { orthophoto: id, captured_at: CAPTURED_AT });
    expect(created.status).toBe(200);
    expect(((await created.json()) as { duplicate: boolean }).duplicate).toBe(true);
    expect(await flightCount()).toBe(before);
  });

  it('takes a surface model with the orthophoto, uploaded with the session cookie', async () => {
    const dsm = fs.readFileSync(DSM);
    // A different orthophoto (the spring one) so the flight is new.
    const before = fs.readFileSync(path.join(path.dirname(ORTHO), 'before_ortho.tif'));
    const o = await tusUpload('operator', before, {}, 'cookie');
    const d = await tusUpload('operator', dsm, {}, 'cookie');
    expect([o.patched.status, d.patched.status]).toEqual([204, 204]);
    const created = await createFlight('operator', { orthophoto: o.id, surface_model: d.id, captured_at: CAPTURED_AT, purpose: 'reference' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const { rows } = await pool.query(`SELECT kind FROM flight_asset WHERE flight_id = $1 ORDER BY kind`, [id]);
    expect(rows.map((r) => r.kind)).toEqual(['orthophoto', 'surface_model']);
  });
});

describe('bad uploads are refused before anything is queued', () => {
  async function refusedFlight(bytes: Buffer, expectDetail: RegExp) {
    const { id, patched } = await tusUpload('operator', bytes);
    expect(patched.status).toBe(204);
    const before = await flightCount();
    const response = await createFlight('operator', { orthophoto: id, captured_at: CAPTURED_AT });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { detail: string; problems: string[] };
    expect(problem.detail).toMatch(expectDetail);
    expect(await flightCount()).toBe(before);
    // A refused file can never make a flight: it is removed at once, not at the week's expiry.
    expect(problem.detail).toMatch(/The refused upload was removed/);
    expect(fs.existsSync(path.join(uploadsDir, id))).toBe(false);
    expect(fs.existsSync(path.join(uploadsDir, `${id}.json`))).toBe(false);
  }

  /** The scene's surface model with every height replaced by `height(value, i)`. */
  function alteredSurfaceModel(name: string, height: (value: number, i: number) => number): Buffer {
    const source = gdal.open(DSM);
    const { x: width, y: rows } = source.rasterSize;
    const band = source.bands.get(1);
    const values = (band.pixels.read(0, 0, width, rows) as Float32Array).map(height);
    const target = path.join(store, name);
    writeGeoTiff(target, { width, height: rows, bands: [values], geoTransform: source.geoTransform as [number, number, number, number, number, number], srs: source.srs!.toWKT(), nodata: band.noDataValue! });
    source.close();
    return fs.readFileSync(target);
  }

  it('a small sparse TIFF declaring 10 billion pixels gets 422 at once, before a worker spends hours on it', async () => {
    const sparse = path.join(store, 'sparse.tif');
    const ds = gdal.open(sparse, 'w', 'GTiff', 100_000, 100_000, 3, gdal.GDT_Byte, ['SPARSE_OK=TRUE', 'TILED=YES', 'BIGTIFF=YES', 'COMPRESS=JPEG']);
    ds.geoTransform = [604_900, 0.01, 0, 3_446_300, 0, -0.01];
    ds.srs = gdal.SpatialReference.fromEPSG(4549);
    ds.close();
    const bytes = fs.readFileSync(sparse);
    expect(bytes.length).toBeLessThan(MAX_BYTES);
    await refusedFlight(bytes, /declares 100000 x 100000 pixels \(10\.0 billion\).*FLIGHT_MAX_PIXELS.*holds data in only 0 of its 152881 blocks/);
  });

  it('a surface model without heights, or with impossible ones, gets 422 and is removed; the good orthophoto stays', async () => {
    const orthophoto = fs.readFileSync(path.join(path.dirname(ORTHO), 'before_ortho.tif'));
    const cases: Array<[string, Buffer, RegExp]> = [
      ['no heights', alteredSurfaceModel('all-nan.tif', () => Number.NaN), /holds no heights: every pixel is nodata or NaN/],
      ['1e30', alteredSurfaceModel('1e30.tif', (v, i) => (i % 1000 === 0 ? 1e30 : v)), /holds impossible heights, from .* to 1e\+30 m/],
      ['infinity', alteredSurfaceModel('inf.tif', (v, i) => (i % 1000 === 0 ? Number.POSITIVE_INFINITY : v)), /holds impossible heights, from .* to infinity/],
    ];
    for (const [, dsm, reason] of cases) {
      const o = await tusUpload('operator', orthophoto);
      const d = await tusUpload('operator', dsm);
      const before = await flightCount();
      const response = await createFlight('operator', { orthophoto: o.id, surface_model: d.id, captured_at: CAPTURED_AT });
      expect(response.status).toBe(422);
      const problem = (await response.json()) as { detail: string; removed: string[] };
      expect(problem.detail).toMatch(reason);
      expect(problem.removed).toEqual([d.id]);
      expect(await flightCount()).toBe(before);
      expect(fs.existsSync(path.join(uploadsDir, d.id))).toBe(false);
      expect(fs.existsSync(path.join(uploadsDir, o.id))).toBe(true);
    }
  });

  it('a file that is not a raster (a PDF) gets 422 with what it looks like, and no flight row', async () => {
    await refusedFlight(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), /not a GeoTIFF: the file looks like a PDF document/);
  });

  it('a truncated TIFF gets 422: it could not be read to the end', async () => {
    const file = fs.readFileSync(ORTHO);
    await refusedFlight(file.subarray(0, Math.floor(file.length * 0.6)), /truncated or corrupt/);
  });

  it('a surface model given as the orthophoto gets 422 with the flight checks\' reasons', async () => {
    await refusedFlight(fs.readFileSync(DSM), /has 1 band\(s\); a colour RGB/);
  });

  it('an upload over the size limit gets 413 and stores nothing', async () => {
    const before = fs.readdirSync(uploadsDir).length;
    const response = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { ...TUS, ...auth('operator'), 'upload-length': String(MAX_BYTES + 1) } });
    expect(response.status).toBe(413);
    expect(fs.readdirSync(uploadsDir).length).toBe(before);
    const options = await fetch(`${base}/api/uploads`, { method: 'OPTIONS' });
    expect(options.headers.get('tus-max-size')).toBe(String(MAX_BYTES));
  });

  it('a checksum mismatch rejects the upload as its last byte arrives, with the reason', async () => {
    const file = fs.readFileSync(ORTHO);
    const { id, patched } = await tusUpload('operator', file, { sha256: sha256(Buffer.from('another file')) });
    expect(patched.status).toBe(460);
    expect(await patched.text()).toMatch(/Checksum mismatch: .*damaged on the way\. Upload it again\./);
    expect(fs.existsSync(path.join(uploadsDir, id))).toBe(false);
    expect((await createFlight('operator', { orthophoto: id, captured_at: CAPTURED_AT })).status).toBe(404);
  });

  it('a malformed checksum is refused when the upload is created', async () => {
    const response = await fetch(`${base}/api/uploads`, {
      method: 'POST',
      headers: { ...TUS, ...auth('operator'), 'upload-length': '10', 'upload-metadata': `sha256 ${b64('not-a-sum')}` },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('64 hexadecimal digits');
  });

  it('an unknown or malformed upload id gets 404 or 400, an incomplete upload 409', async () => {
    const unknown = await createFlight('operator', { orthophoto: '0'.repeat(32), captured_at: CAPTURED_AT });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { title: string }).title).toBe('No such upload');
    expect((await createFlight('operator', { orthophoto: '../../etc/passwd', captured_at: CAPTURED_AT })).status).toBe(400);
    const head = await fetch(`${base}/api/uploads/${'f'.repeat(32)}`, { method: 'HEAD', headers: { ...TUS, ...auth('operator') } });
    expect(head.status).toBe(404);
    const created = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { ...TUS, ...auth('operator'), 'upload-length': '1000' } });
    const id = created.headers.get('location')!.split('/').pop()!;
    const incomplete = await createFlight('operator', { orthophoto: id, captured_at: CAPTURED_AT });
    expect(incomplete.status).toBe(409);
    expect(((await incomplete.json()) as { detail: string }).detail).toContain('has 0 of 1000 bytes');
  });

  it('removes uploads abandoned longer than the expiry, finished or not, and keeps younger ones', async () => {
    const started = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { ...TUS, ...auth('operator'), 'upload-length': '10' } });
    const id = started.headers.get('location')!.split('/').pop()!;
    const area = new UploadArea(uploadsDir);
    const inAWhile = (hours: number) => new Date(Date.now() + hours * 3600_000);
    expect(await area.removeAbandoned(168, inAWhile(100))).not.toContain(id);
    expect(fs.existsSync(path.join(uploadsDir, id))).toBe(true);
    expect(await area.removeAbandoned(168, inAWhile(169))).toContain(id);
    expect(fs.existsSync(path.join(uploadsDir, id))).toBe(false);
    expect(await area.find(id)).toBeNull();
  });

  it('another operator\'s upload is unknown to them; an admin may use it', async () => {
    const file = fs.readFileSync(ORTHO);
    const { id } = await tusUpload('operator', file.subarray(0, 5000));
    const theirs = await fetch(`${base}/api/uploads/${id}`, { method: 'HEAD', headers: { ...TUS, ...auth('operator2') } });
    expect(theirs.status).toBe(404);
    const patch = await fetch(`${base}/api/uploads/${id}`, { method: 'DELETE', headers: { ...TUS, ...auth('operator2') } });
    expect(patch.status).toBe(404);
    expect((await createFlight('operator2', { orthophoto: id, captured_at: CAPTURED_AT })).status).toBe(404);
    expect(fs.existsSync(path.join(uploadsDir, id))).toBe(true);
    const admin = await fetch(`${base}/api/uploads/${id}`, { method: 'HEAD', headers: { ...TUS, ...auth('admin') } });
    expect(admin.status).toBe(200);
  });

  it('an upload id smuggled into the query string reaches nothing but the caller\'s own upload', async () => {
    const victim = (await tusUpload('operator', Buffer.from('victim bytes'))).id;
    const own = (await tusUpload('operator2', Buffer.from('own bytes'))).id;
    const head = await fetch(`${base}/api/uploads/${own}?x=/${victim}`, { method: 'HEAD', headers: { ...TUS, ...auth('operator2') } });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-metadata') ?? '').not.toContain(Buffer.from(users.operator!.id).toString('base64'));
    const removed = await fetch(`${base}/api/uploads/${own}?x=/${victim}`, { method: 'DELETE', headers: { ...TUS, ...auth('operator2') } });
    expect(removed.status).toBe(204);
    expect(fs.existsSync(path.join(uploadsDir, victim))).toBe(true);
    expect(fs.existsSync(path.join(uploadsDir, own))).toBe(false);
  });

  it('malformed JSON, missing or malformed fields and the same upload twice get 400 and create nothing', async () => {
    const before = await flightCount();
    const headers = { ...auth('operator'), 'content-type': 'application/json' };
    const malformed = await fetch(`${base}/api/flights`, { method: 'POST', headers, body: '{"orthophoto": "' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    const id = 'a'.repeat(32);
    for (const body of [{ orthophoto: id }, { orthophoto: id, captured_at: 'yesterday' }, { orthophoto: id, captured_at: CAPTURED_AT, operator: '' },
      { orthophoto: id, surface_model: id, captured_at: CAPTURED_AT }, { orthophoto: id, captured_at: CAPTURED_AT, purpose: 'everything' }]) {
      expect((await createFlight('operator', body)).status).toBe(400);
    }
    expect(await flightCount()).toBe(before);
  });

  it('a file name with path tricks is a label only: the file is stored under the upload id', async () => {
    const before = new Set(fs.readdirSync(store, { recursive: true, encoding: 'utf8' }));
    const { id, patched } = await tusUpload('operator', Buffer.from('hello'), { filename: '../../etc/passwd', sha256: sha256(Buffer.from('hello')) });
    expect(patched.status).toBe(204);
    const added = fs.readdirSync(store, { recursive: true, encoding: 'utf8' }).filter((name) => !before.has(name)).sort();
    expect(added).toEqual([path.join('uploads', id), path.join('uploads', `${id}.json`)]);
    expect(JSON.parse(fs.readFileSync(path.join(uploadsDir, `${id}.json`), 'utf8')).metadata.filename).toBe('../../etc/passwd');
    // An id that is a path is not an id.
    const tricky = await fetch(`${base}/api/uploads/..%2F..%2Fetc%2Fpasswd`, { method: 'HEAD', headers: { ...TUS, ...auth('operator') } });
    expect(tricky.status).toBe(400);
  });

  it('a client cannot claim another uploader or a verified checksum in its metadata', async () => {
    const { id } = await tusUpload('operator', Buffer.from('abc'), { uploader: users.operator2!.id, verified_sha256: '0'.repeat(64) });
    const record = JSON.parse(fs.readFileSync(path.join(uploadsDir, `${id}.json`), 'utf8')) as { metadata: Record<string, string> };
    expect(record.metadata.uploader).toBe(users.operator!.id);
    expect(record.metadata.verified_sha256).toBe(sha256(Buffer.from('abc')));
  });

  it('a client cannot name the uploader in the header the API hands to tus', async () => {
    const created = await fetch(`${base}/api/uploads`, {
      method: 'POST', headers: { ...TUS, ...auth('operator'), 'upload-length': '10', 'x-lingwei-uploader': users.operator2!.id },
    });
    expect(created.status).toBe(201);
    const id = created.headers.get('location')!.split('/').pop()!;
    const record = JSON.parse(fs.readFileSync(path.join(uploadsDir, `${id}.json`), 'utf8')) as { metadata: Record<string, string> };
    expect(record.metadata.uploader).toBe(users.operator!.id);
  });
});

describe('who may upload', () => {
  for (const [who, status] of [[null, 401], ['reviewer', 403], ['assessor', 403]] as const) {
    it(`${who ?? 'anonymous'} gets ${status} on every tus request and on POST /api/flights`, async () => {
      const headers = { ...TUS, ...(who ? auth(who) : {}) };
      const post = await fetch(`${base}/api/uploads`, { method: 'POST', headers: { ...headers, 'upload-length': '10' } });
      expect(post.status).toBe(status);
      expect(post.headers.get('content-type')).toContain('application/problem+json');
      for (const method of ['HEAD', 'PATCH', 'DELETE']) {
        const response = await fetch(`${base}/api/uploads/${'a'.repeat(32)}`, { method, headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, ...(method === 'PATCH' ? { body: 'x' } : {}) });
        expect(response.status).toBe(status);
      }
      const flight = await fetch(`${base}/api/flights`, {
        method: 'POST',
        headers: { ...(who ? auth(who) : {}), 'content-type': 'application/json' },
        body: JSON.stringify({ orthophoto: 'a'.repeat(32), captured_at: CAPTURED_AT }),
      });
      expect(flight.status).toBe(status);
    });
  }
});

describe('the pure pieces', () => {
  it('tells a TIFF or BigTIFF from what else a file looks like', () => {
    expect(rasterSignature(Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]))).toEqual({ tiff: true });
    expect(rasterSignature(Buffer.from([0x4d, 0x4d, 0, 43, 0, 8, 0, 0]))).toEqual({ tiff: true });
    expect(rasterSignature(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]))).toEqual({ tiff: false, looksLike: 'a JPEG photo' });
    expect(rasterSignature(Buffer.from('PK\x03\x04abcd', 'latin1')).tiff).toBe(false);
    expect(rasterSignature(Buffer.from('II'))).toEqual({ tiff: false, looksLike: 'a text file' });
    expect(rasterSignature(Buffer.alloc(0))).toEqual({ tiff: false, looksLike: 'an empty file' });
  });

  it('keeps the client\'s labels, checks the checksum and sets the uploader itself', () => {
    expect(acceptClientMetadata({ filename: '../x.tif', sha256: 'AB'.repeat(32), uploader: '9' }, '3')).toEqual({ filename: '../x.tif', sha256: 'ab'.repeat(32), uploader: '3' });
    expect(() => acceptClientMetadata({ sha256: null }, '3')).toThrow(MetadataProblem);
    expect(() => acceptClientMetadata({ filename: 'x'.repeat(2000) }, '3')).toThrow(/longer than 1024/);
  });

  it('reads UPLOAD_MAX_BYTES and UPLOAD_EXPIRY_HOURS and refuses values that are not sizes or hours', () => {
    expect(loadUploadLimits({}).maxBytes).toBe(20 * 1024 ** 3);
    expect(loadUploadLimits({ UPLOAD_MAX_BYTES: '1000', UPLOAD_DIR: '/data/uploads' })).toEqual({ maxBytes: 1000, directory: '/data/uploads', expiryHours: 168 });
    expect(loadUploadLimits({ UPLOAD_EXPIRY_HOURS: '24' }).expiryHours).toBe(24);
    expect(() => loadUploadLimits({ UPLOAD_EXPIRY_HOURS: 'soon' })).toThrow(/UPLOAD_EXPIRY_HOURS/);
    expect(() => loadUploadLimits({ UPLOAD_MAX_BYTES: '20G' })).toThrow(/UPLOAD_MAX_BYTES/);
  });
});
