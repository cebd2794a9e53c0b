/**
 * Import speed of the 3D baseline: BENCH_BUILDINGS (default 1,000,000) rectangular buildings in a
 * GeoPackage in CGCS2000 / Gauss-Kruger, imported with importLayer into a scratch database, first
 * load and re-import (the upsert path). Reference, same file, same server, same run: GDAL's own
 * ogr2ogr into PostGIS with COPY and reprojection, which does no validation and no upsert.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createPool, databaseUrl } from '#db/connection.js';
import { migrateUp } from '#db/migrate.js';
import { dropDatabase, recreateDatabase, siblingDatabaseUrl } from '#db/testing/test-database.js';
import { importLayer } from './import-layer.js';

const COUNT = Number(process.env.BENCH_BUILDINGS ?? 1_000_000);
const WORK_DIR = path.resolve('.lingwei/bench');

/** Writes the buildings as CSV with WKT, then lets ogr2ogr turn it into a GeoPackage (fast). */
function makeBaselineGeoPackage(count: number): string {
  const gpkg = path.join(WORK_DIR, `baseline-${count}.gpkg`);
  if (fs.existsSync(gpkg)) return gpkg;
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const csv = path.join(WORK_DIR, `baseline-${count}.csv`);
  const out = fs.openSync(csv, 'w');
  fs.writeSync(out, 'building_id,height_m,ground_elev_m,survey_date,wkt\n');
  const perRow = Math.ceil(Math.sqrt(count));
  let chunk = '';
  for (let i = 0; i < count; i += 1) {
    const x = 560_000 + (i % perRow) * 16;
    const y = 3_420_000 + Math.floor(i / perRow) * 18;
    const w = 8 + (i % 7);
    const h = 9 + (i % 5);
    chunk += `B${i},${3 + (i % 4) * 3},4.1,2026-04-10,"POLYGON((${x} ${y},${x + w} ${y},${x + w} ${y + h},${x} ${y + h},${x} ${y}))"\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(out, chunk);
      chunk = '';
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, csv, '-nln', 'baseline', '-a_srs', 'EPSG:4549',
    '-oo', 'GEOM_POSSIBLE_NAMES=wkt', '-oo', 'KEEP_GEOM_COLUMNS=NO', '-oo', 'AUTODETECT_TYPE=YES']);
  fs.rmSync(csv);
  return gpkg;
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

export default async function bench(): Promise<void> {
  let t = performance.now();
  const gpkg = makeBaselineGeoPackage(COUNT);
  console.log(`input: ${COUNT.toLocaleString()} buildings, ${(fs.statSync(gpkg).size / 2 ** 20).toFixed(0)} MiB GeoPackage (EPSG:4549), prepared in ${seconds(t).toFixed(1)} s`);

  const url = siblingDatabaseUrl(databaseUrl(), '_bench');
  await recreateDatabase(url);
  await migrateUp(url);
  const pool = createPool(url, 2);
  try {
    let peakRss = 0;
    const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    t = performance.now();
    const first = await importLayer(pool, { kind: 'baseline', file: gpkg });
    const firstSeconds = seconds(t);
    t = performance.now();
    const again = await importLayer(pool, { kind: 'baseline', file: gpkg });
    const againSeconds = seconds(t);
    clearInterval(sample);

    const pg = new URL(url);
    t = performance.now();
    execFileSync('ogr2ogr', ['-f', 'PostgreSQL',
      `PG:host=${pg.hostname} port=${pg.port || 5432} dbname=${pg.pathname.slice(1)} user=${decodeURIComponent(pg.username)} password=${decodeURIComponent(pg.password)}`,
      gpkg, '-nln', 'ogr_reference', '-t_srs', 'EPSG:4326', '-lco', 'GEOMETRY_NAME=footprint', '-lco', 'SPATIAL_INDEX=GIST',
      '--config', 'PG_USE_COPY', 'YES', '-gt', '65536']);
    const ogrSeconds = seconds(t);

    const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString()} buildings/s`;
    console.table([
      { step: 'importLayer, first load', seconds: +firstSeconds.toFixed(1), rate: rate(first.imported, firstSeconds) },
      { step: 'importLayer, re-import (upsert)', seconds: +againSeconds.toFixed(1), rate: rate(again.imported, againSeconds) },
      { step: 'reference: ogr2ogr -f PostgreSQL', seconds: +ogrSeconds.toFixed(1), rate: rate(COUNT, ogrSeconds) },
    ]);
    console.log(`ratio importLayer / ogr2ogr throughput: ${(ogrSeconds / firstSeconds).toFixed(2)} (first load), ` +
      `${(ogrSeconds / againSeconds).toFixed(2)} (re-import); peak RSS of the importing process ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
    if (first.imported !== COUNT || again.imported !== COUNT) throw new Error(`expected ${COUNT} buildings, got ${first.imported}/${again.imported}`);
  } finally {
    await pool.end();
    await dropDatabase(url);
  }
}
