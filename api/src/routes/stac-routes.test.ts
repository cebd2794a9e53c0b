/**
 * The STAC catalog found as its clients find it (issue 22 item 5), against the real database and
 * the app listening on a port: a static crawler that follows only `child` and `item` links (as
 * pystac and stac-node-validator walk a static catalog), and a STAC API client that reads
 * `conformsTo` and goes root → data → collections → items with bbox and datetime (as QGIS's STAC
 * browser and pystac-client do); and each item's thumbnail.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlight, setFlightFootprint, upsertFlightAsset } from '#db/sql/flights.js';
import { openSession, upsertUser } from '#db/sql/users.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import { tempDir } from '#pipeline/stages/testing/flight-files.js';
import { hashPassword } from '../auth/passwords.js';
import { buildApi } from '../server.js';

const run = promisify(execFile);
const pool = createTestPool();
const dir = tempDir('stac-routes');
let app: FastifyInstance;
let address = '';
let token = '';
/** West: flown in September; east: flown in October; queued: not catalogued yet. */
const flights = { west: '', east: '', queued: '' };

interface Link { rel: string; href: string; type?: string }
interface Doc { type?: string; id?: string; links: Link[]; conformsTo?: string[]; features?: Doc[]; collections?: Doc[] }

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const square = (w: number, s: number) => JSON.stringify({ type: 'Polygon', coordinates: [[[w, s], [w + 0.01, s], [w + 0.01, s + 0.01], [w, s + 0.01], [w, s]]] });

beforeAll(async () => {
  await emptyTables(pool);
  token = await openSession(pool, await upsertUser(pool, { username: 'operator', role: 'operator', passwordHash: await hashPassword('stac-routes-pw') }), 'bearer', 1);
  const cog = path.join(dir, 'ortho.tif');
  await run('gdal_translate', ['-q', '-of', 'COG', path.resolve(import.meta.dirname, '../../../fixtures/scene/after_ortho.tif'), cog]);
  for (const [name, capturedAt, w] of [['west', '2026-09-10T10:00:00+08:00', 121.0], ['east', '2026-10-15T10:00:00+08:00', 121.5]] as const) {
    flights[name] = await createFlight(pool, { capturedAt, operator: '张三' });
    await setFlightFootprint(pool, flights[name], square(w, 31.0), 0.1, 'EPSG:4549');
    await upsertFlightAsset(pool, flights[name], {
      kind: 'orthophoto', role: 'cog', uri: cog, sha256: null, bytes: fs.statSync(cog).size,
      width: null, height: null, band_count: 4, data_type: 'Byte', gsd_m: 0.1, crs: 'EPSG:4549',
    });
    await pool.query(`UPDATE flight SET status = 'done' WHERE id = $1`, [flights[name]]);
  }
  flights.queued = await createFlight(pool, { capturedAt: '2026-10-20T10:00:00+08:00' });
  // Links are built from PUBLIC_BASE_URL, so the port is chosen before listening.
  const port = await freePort();
  address = `http://127.0.0.1:${port}`;
  app = await buildApi({ pool, config: { publicBaseUrl: address } });
  await app.listen({ host: '127.0.0.1', port });
});
afterAll(async () => {
  await app.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** GET over HTTP, as a client does, with the bearer token. */
async function get(href: string): Promise<Doc> {
  const response = await fetch(href, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, `${href}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as Doc;
}
const link = (doc: Doc, rel: string) => doc.links.find((l) => l.rel === rel)?.href;

describe('a static crawler (child and item links only)', () => {
  it('finds every catalogued flight as an item from the root', async () => {
    const seen = new Set<string>();
    const items: Doc[] = [];
    const queue = [`${address}/api/stac`];
    while (queue.length) {
      const href = queue.shift()!;
      if (seen.has(href)) continue;
      seen.add(href);
      const doc = await get(href);
      if (doc.type === 'Feature') items.push(doc);
      for (const l of doc.links) if (l.rel === 'child' || l.rel === 'item') queue.push(new URL(l.href, href).toString());
    }
    expect(items.map((item) => item.id).sort()).toEqual([flights.west, flights.east].sort());
    for (const item of items) expect(link(item, 'self')).toBe(`${address}/api/stac/collections/flights/items/${item.id}`);
  });
});

describe('a STAC API client (conformsTo, data, items with bbox and datetime)', () => {
  it('reads the conformance classes from the root and from /conformance', async () => {
    const root = await get(`${address}/api/stac`);
    expect(root.conformsTo).toEqual(expect.arrayContaining([
      'https://api.stacspec.org/v1.0.0/core', 'https://api.stacspec.org/v1.0.0/collections', 'https://api.stacspec.org/v1.0.0/ogcapi-features',
    ]));
    expect((await get(link(root, 'conformance')!)).conformsTo).toEqual(root.conformsTo);
    const openapi = (await get(link(root, 'service-desc')!)) as unknown as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/stac/collections', '/api/stac/collections/flights/items']));
  });

  it('goes from the root to the collections to the items, and filters them by bbox and datetime', async () => {
    const root = await get(`${address}/api/stac`);
    const { collections } = await get(link(root, 'data')!);
    expect(collections!.map((c) => c.id)).toEqual(['flights']);
    const items = link(collections![0]!, 'items')!;
    const ids = async (query: string) => (await get(`${items}?${query}`)).features!.map((f) => f.id);
    expect(await ids('limit=10')).toEqual([flights.west, flights.east]);
    expect(await ids('bbox=121.4,30.9,121.6,31.1')).toEqual([flights.east]);
    expect(await ids('datetime=2026-09-01/2026-09-30')).toEqual([flights.west]);
    expect(await ids('datetime=2026-10-15')).toEqual([flights.east]);
    expect(await ids('datetime=../2026-09-30&bbox=121.4,30.9,121.6,31.1')).toEqual([]);
  });

  it('pages with next and prev links that keep the filters, and refuses a bad bbox or datetime', async () => {
    const first = await get(`${address}/api/stac/collections/flights/items?limit=1&datetime=2026-09-01/..`);
    expect(first.features!.map((f) => f.id)).toEqual([flights.west]);
    const next = await get(link(first, 'next')!);
    expect(next.features!.map((f) => f.id)).toEqual([flights.east]);
    expect(new URL(link(next, 'prev')!).searchParams.get('datetime')).toBe('2026-09-01/..');
    expect(link(next, 'next')).toBeUndefined();
    for (const query of ['bbox=1,2,3', 'datetime=2026-10-31/2026-10-01']) {
      const response = await fetch(`${address}/api/stac/collections/flights/items?${query}`, { headers: { authorization: `Bearer ${token}` } });
      expect([query, response.status]).toEqual([query, 400]);
    }
  });
});

describe('the thumbnail asset', () => {
  it('is a small WebP of the orthophoto, linked from each item, with no-data transparent', async () => {
    const item = (await get(`${address}/api/stac/collections/flights/items/${flights.west}`)) as Doc & { assets: Record<string, { href: string; type: string; roles: string[] }> };
    const thumbnail = item.assets.thumbnail!;
    expect(thumbnail).toMatchObject({ type: 'image/webp', roles: ['thumbnail'] });
    const response = await fetch(thumbnail.href, { headers: { authorization: `Bearer ${token}` } });
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'image/webp']);
    const { data, info } = await sharp(Buffer.from(await response.arrayBuffer())).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(Math.max(info.width, info.height)).toBe(512);
    let opaque = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] === 255) opaque += 1;
    expect(opaque / (info.width * info.height)).toBeGreaterThan(0.5);
    const again = await fetch(thumbnail.href, { headers: { authorization: `Bearer ${token}`, 'if-none-match': response.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const none = await fetch(`${address}/api/flights/${flights.queued}/thumbnail.webp`, { headers: { authorization: `Bearer ${token}` } });
    expect(none.status).toBe(404);
    expect((await fetch(thumbnail.href)).status).toBe(401);
  });
});
