/**
 * The API under a district's worth of data: BENCH_CANDIDATES candidates and BENCH_BUILDINGS
 * baseline buildings (1,000,000 each by default) in a scratch database. Prints p50/p99 of a
 * candidates bbox query (1 km window), of cold (rendered by PostGIS) and warm (Redis) MVT tiles at
 * zoom 12, 14 and 16, of raster tiles of a flight's orthophoto (the fixture scene's autumn flight,
 * taken in by the real ingest stage) at zoom 17 to 19, and requests per second under local load
 * (autocannon). Reference, same run and tiles: MapServer 8 (Debian's cgi-mapserver) serving MVT
 * from the same PostGIS tables and PNG tiles from the same COG, and the ratio. The scratch
 * database is kept between runs (regenerated when its counts differ).
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { createPool, databaseUrl } from '#db/connection.js';
import { migrateUp } from '#db/migrate.js';
import { CANDIDATE_CLUSTER_BELOW_ZOOM } from '#db/sql/tiles.js';
import { openSession, upsertUser } from '#db/sql/users.js';
import { recreateDatabase, siblingDatabaseUrl } from '#db/testing/test-database.js';
import { loadConfig } from '#pipeline/config.js';
import { createRedisConnection } from '#pipeline/queue/redis-connection.js';
import { deleteKeysUnder } from '#pipeline/queue/testing/redis-keys.js';
import { formatLatency, summariseLatency, timeEach, type LatencySummary } from '#scripts/bench/latency.js';
import { BENCH_AREA, fillBenchData } from './bench/bench-data.js';
import { MAPSERV, mapServerTile, writeMapServerFiles, writeMapServerRasterFiles, type MapServerSetup } from './bench/mapserver.js';
import { flightCog } from '#db/sql/flights.js';
import { writeFlightCogs } from '#pipeline/stages/cog.js';
import { ingestFlight } from '#pipeline/stages/ingest.js';
import { registerUploads, testStageContext } from '#pipeline/stages/testing/flight-files.js';
import { hashPassword } from './auth/passwords.js';
import { buildApi } from './server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CANDIDATES = Number(process.env.BENCH_CANDIDATES ?? 1_000_000);
const BUILDINGS = Number(process.env.BENCH_BUILDINGS_API ?? 1_000_000);
const TILES_PER_ZOOM = 40;
const SCENE = path.join(ROOT, 'fixtures', 'scene');
const RASTER_STORE = path.join(ROOT, '.lingwei', 'bench', 'api-rasters');
const BBOX_QUERIES = 200;

/** A small deterministic generator, so every run asks for the same tiles and windows. */
function sequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

/** Distinct tiles at zoom z whose corner point falls on the data, so none is trivially empty. */
function tilesAt(z: number, count: number): Array<[number, number, number]> {
  const next = sequence(z * 7919);
  const seen = new Map<string, [number, number, number]>();
  for (let tries = 0; seen.size < count && tries < count * 50; tries++) {
    const [x, y] = tileOf(BENCH_AREA.west + next() * BENCH_AREA.widthDeg, BENCH_AREA.south + next() * BENCH_AREA.heightDeg, z);
    seen.set(`${x}/${y}`, [z, x, y]);
  }
  return [...seen.values()];
}

async function benchDatabase(): Promise<string> {
  const url = siblingDatabaseUrl(databaseUrl(), '_apibench');
  const probe = createPool(url, 1);
  const counts = await probe
    .query<{ c: string; b: string }>('SELECT (SELECT count(*) FROM candidate) AS c, (SELECT count(*) FROM baseline_building) AS b')
    .then((r) => r.rows[0]!, () => null)
    .finally(() => probe.end());
  if (counts && Number(counts.c) === CANDIDATES && Number(counts.b) === BUILDINGS) {
    console.log(`data: reusing ${CANDIDATES.toLocaleString('en')} candidates and ${BUILDINGS.toLocaleString('en')} baseline buildings in ${new URL(url).pathname.slice(1)}`);
    return url;
  }
  const t = performance.now();
  await recreateDatabase(url);
  await migrateUp(url);
  const pool = createPool(url, 1);
  try {
    await fillBenchData(pool, { candidates: CANDIDATES, buildings: BUILDINGS });
  } finally {
    await pool.end();
  }
  console.log(`data: generated ${CANDIDATES.toLocaleString('en')} candidates and ${BUILDINGS.toLocaleString('en')} baseline buildings in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  return url;
}

/** The flight whose orthophoto the raster tiles show: the fixture's autumn flight, ingested once per bench database. */
async function benchFlight(pool: pg.Pool): Promise<{ id: string; cog: string; bbox: [number, number, number, number] }> {
  const { rows } = await pool.query<{ id: string }>(`SELECT f.id::text FROM flight f JOIN flight_asset a ON a.flight_id = f.id AND a.role = 'cog' AND a.kind = 'orthophoto' LIMIT 1`);
  let id = rows[0]?.id;
  let cog = id ? (await flightCog(pool, id, 'orthophoto')).cog : null;
  if (!id || !cog || !fs.existsSync(cog.uri)) {
    id = await registerUploads(pool, { orthophoto: path.join(SCENE, 'after_ortho.tif'), surfaceModel: path.join(SCENE, 'after_dsm.tif') });
    await ingestFlight(testStageContext(pool, RASTER_STORE), id);
    await writeFlightCogs(testStageContext(pool, RASTER_STORE), id);
    cog = (await flightCog(pool, id, 'orthophoto')).cog!;
  }
  const box = (await pool.query<{ w: number; s: number; e: number; n: number }>(
    `SELECT ST_XMin(footprint) AS w, ST_YMin(footprint) AS s, ST_XMax(footprint) AS e, ST_YMax(footprint) AS n FROM flight WHERE id = $1`, [id])).rows[0]!;
  return { id, cog: cog.uri, bbox: [box.w, box.s, box.e, box.n] };
}

/** Every tile at zoom z over a lon/lat box, at most `count`, evenly picked. */
function tilesOver([w, s, e, n]: [number, number, number, number], z: number, count: number): Array<[number, number, number]> {
  const [x0, y0] = tileOf(w, n, z);
  const [x1, y1] = tileOf(e, s, z);
  const all: Array<[number, number, number]> = [];
  for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) all.push([z, x, y]);
  const step = Math.max(1, all.length / count);
  return Array.from({ length: Math.min(count, all.length) }, (_, i) => all[Math.floor(i * step)]!);
}

const line = (label: string, s: LatencySummary, extra = '') => console.log(`${label.padEnd(34)} ${formatLatency(s)}${extra}`);

export default async function bench(): Promise<void> {
  const url = await benchDatabase();
  const pool = createPool(url, 8);
  const config = loadConfig();
  const redis = createRedisConnection(config.redisUrl);
  const cachePrefix = `lingwei-apibench-${process.pid}`;
  const app = await buildApi({ pool, redis, cachePrefix, pipeline: { ...config, rasterStore: RASTER_STORE } });
  try {
    const userId = await upsertUser(pool, { username: 'bench-reviewer', role: 'reviewer', passwordHash: await hashPassword('bench-password') });
    const token = await openSession(pool, userId, 'bearer', 1, 'bench');
    const headers = { authorization: `Bearer ${token}` };
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const get = async (pathname: string): Promise<Buffer> => {
      const response = await fetch(base + pathname, { headers });
      if (!response.ok) throw new Error(`${pathname}: HTTP ${response.status} ${await response.text()}`);
      return Buffer.from(await response.arrayBuffer());
    };

    const next = sequence(42);
    const windows = Array.from({ length: BBOX_QUERIES }, () => {
      const w = BENCH_AREA.west + next() * (BENCH_AREA.widthDeg - 0.0105);
      const s = BENCH_AREA.south + next() * (BENCH_AREA.heightDeg - 0.009);
      return `${w.toFixed(6)},${s.toFixed(6)},${(w + 0.0105).toFixed(6)},${(s + 0.009).toFixed(6)}`;
    });
    let features = 0;
    const bboxTimes = await timeEach(windows, async (bbox) => {
      features += (JSON.parse((await get(`/api/candidates?bbox=${bbox}&limit=100`)).toString()) as { features: unknown[] }).features.length;
    });
    line('candidates bbox query (1 km², 100)', summariseLatency(bboxTimes), `, ${(features / windows.length).toFixed(0)} features each on average`);

    const mapserver = fs.existsSync(MAPSERV) ? writeMapServerFiles(path.join(ROOT, '.lingwei', 'bench', 'mapserver'), url) : null;
    if (!mapserver) console.log(`MapServer: ${MAPSERV} is missing (Debian package cgi-mapserver; scripts/setup.sh installs it): no reference`);
    // CGI starts a process per tile: its cost on an empty tile (off the coast, no rows) is MapServer's
    // floor, printed so the data-dependent part can be read off.
    const floor = mapserver ? summariseLatency(await timeEach(tilesAt(16, 20).map(([z, x]) => [z, x, 30000] as const), ([z, x, y]) => mapServerTile(mapserver, 'candidates', z, x, y))) : null;
    if (floor) line('MapServer 8 CGI empty tile (floor)', floor);
    for (const layer of ['candidates', 'baseline'] as const) {
      for (const z of [12, 14, 16]) {
        const tiles = tilesAt(z, TILES_PER_ZOOM);
        let bytes = 0;
        const cold = await timeEach(tiles, async ([tz, x, y]) => (bytes += (await get(`/api/tiles/${layer}/${tz}/${x}/${y}.mvt`)).length));
        const warm = await timeEach(tiles, ([tz, x, y]) => get(`/api/tiles/${layer}/${tz}/${x}/${y}.mvt`));
        const coldSummary = summariseLatency(cold);
        const drawn = layer === 'candidates' && z < CANDIDATE_CLUSTER_BELOW_ZOOM ? ' (clusters)' : '';
        line(`MVT ${layer} z${z} cold${drawn}`, coldSummary, `, ${(bytes / tiles.length / 1024).toFixed(0)} KiB per tile`);
        line(`MVT ${layer} z${z} warm (Redis)`, summariseLatency(warm));
        if (mapserver) {
          let msBytes = 0;
          const reference = summariseLatency(await timeEach(tiles, async ([tz, x, y]) => (msBytes += (await mapServerTile(mapserver, layer, tz, x, y)).length)));
          line(`  MapServer 8 CGI z${z}${drawn ? ' (outlines)' : ''}`, reference, `, ${(msBytes / tiles.length / 1024).toFixed(0)} KiB per tile`);
          const beyondFloor = Math.max(reference.p50 - floor!.p50, 0.01);
          console.log(`${''.padEnd(36)}ratio MapServer p50 / ours cold p50 = ${(reference.p50 / coldSummary.p50).toFixed(2)}; without MapServer's process floor ${(beyondFloor / coldSummary.p50).toFixed(2)}`);
        }
      }
    }

    const flight = await benchFlight(pool);
    const rasterReference: MapServerSetup | null = mapserver ? writeMapServerRasterFiles(path.join(ROOT, '.lingwei', 'bench', 'mapserver-raster'), flight.cog) : null;
    for (const z of [17, 18, 19]) {
      const tiles = tilesOver(flight.bbox, z, 20);
      for (const format of ['webp', 'png'] as const) {
        const times = await timeEach(tiles, ([tz, x, y]) => get(`/api/flights/${flight.id}/tiles/ortho/${tz}/${x}/${y}.${format}`));
        const ours = summariseLatency(times);
        line(`raster tile z${z} ${format}`, ours);
        if (rasterReference && format === 'png') {
          const reference = summariseLatency(await timeEach(tiles, ([tz, x, y]) => mapServerTile(rasterReference, 'ortho', tz, x, y)));
          line(`  MapServer 8 CGI z${z} png`, reference, `; ratio MapServer p50 / ours p50 = ${(reference.p50 / ours.p50).toFixed(2)}`);
        }
      }
    }

    const [z14] = tilesAt(14, 1);
    for (const [label, target] of [
      ['warm MVT tile z14', `/api/tiles/candidates/${z14![0]}/${z14![1]}/${z14![2]}.mvt`],
      ['candidates bbox query', `/api/candidates?bbox=${windows[0]}&limit=100`],
    ] as const) {
      const result = await autocannon({ url: base + target, headers, connections: 16, duration: 10 });
      console.log(`${`load: ${label}`.padEnd(34)} ${result.requests.average.toFixed(0)} requests/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.non2xx} errors (16 connections, 10 s)`);
    }
  } finally {
    await app.close();
    await deleteKeysUnder(redis, cachePrefix);
    redis.disconnect();
    await pool.end();
  }
}
