import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { getFlight } from '#db/sql/flights.js';
import { createTestPool, emptyTables } from '#db/testing/test-database.js';
import gdal from '../gdal.js';
import { writeGeoTiff } from '../raster/index.js';
import { writeFlightCogs } from './cog.js';
import { ingestFlight } from './ingest.js';
import { REDUCED_GSD_M } from './reduced-raster.js';
import { FlightRejectedError } from './stage.js';
import { ORIGIN, registerUploads, tempDir, testStageContext, withCorruptTile, writeOrthophoto, writeSurfaceModel } from './testing/flight-files.js';

const pool = createTestPool();
const dir = tempDir('ingest');
const ctx = testStageContext(pool, path.join(dir, 'store'));
afterAll(async () => {
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => emptyTables(pool));

const file = (name: string) => path.join(dir, name);

/** A copy of `whole` cut after `share` of its bytes, as an upload that stopped early leaves it. */
function truncatedCopy(whole: string, name: string, share: number): string {
  const target = file(name);
  fs.writeFileSync(target, fs.readFileSync(whole).subarray(0, Math.floor(fs.statSync(whole).size * share)));
  return target;
}

/** `source` rewritten by GDAL's COG driver (overviews included) with extra creation options. */
async function asCog(source: string, target: string, options: string[]): Promise<string> {
  const input = gdal.open(source);
  try {
    (await gdal.translateAsync(target, input, ['-of', 'COG', '-co', 'BLOCKSIZE=256', ...options])).close();
  } finally {
    input.close();
  }
  return target;
}

/** Ingest and then the COG job, as a flight's flow runs them when nothing else is queued. */
async function ingestWithCogs(context: typeof ctx, flightId: string): Promise<void> {
  await ingestFlight(context, flightId);
  await writeFlightCogs(context, flightId);
}

async function rejection(files: { orthophoto?: string; surfaceModel?: string }): Promise<string> {
  const flightId = await registerUploads(pool, files);
  const error = await ingestWithCogs(ctx, flightId).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FlightRejectedError);
  const flight = await getFlight(pool, flightId);
  expect(flight!.assets.filter((a) => a.role === 'cog')).toEqual([]);
  expect(flight!.footprint).toBeNull();
  return (error as Error).message;
}

describe('ingestFlight', () => {
  it('writes the reduced rasters and records the footprint, then the COG job writes COGs with overviews', async () => {
    const flightId = await registerUploads(pool, { orthophoto: writeOrthophoto(file('o.tif'), 2000, 1500), surfaceModel: writeSurfaceModel(file('d.tif'), 1000, 750) });
    await ingestFlight(ctx, flightId);
    // Ingest alone: the reduced rasters on the uploads' exact extent, no COG yet.
    expect((await getFlight(pool, flightId))!.assets.filter((a) => a.role === 'cog')).toEqual([]);
    for (const [name, upload] of [['orthophoto.reduced.tif', 'o.tif'], ['surface-model.reduced.tif', 'd.tif']] as const) {
      const reduced = gdal.open(path.join(dir, 'store', 'flights', flightId, name));
      const source = gdal.open(file(upload));
      const extent = (d: typeof reduced) => { const gt = d.geoTransform!; return [gt[0]!, gt[3]!, gt[0]! + d.rasterSize.x * gt[1]!, gt[3]! + d.rasterSize.y * gt[5]!]; };
      expect(extent(reduced).map((v) => +v.toFixed(6))).toEqual(extent(source).map((v) => +v.toFixed(6)));
      expect(reduced.geoTransform![1]).toBeCloseTo(REDUCED_GSD_M, 6);
      expect(reduced.bands.get(1).dataType).toBe(name.startsWith('surface') ? 'Float32' : 'Byte');
      reduced.close();
      source.close();
    }
    // The orthophoto's pass also made the COG's overviews (0.1 m: its 0.2 m level serves the
    // reduced raster); the surface model's 0.4 m level would not, so it has none.
    const flightDir = path.join(dir, 'store', 'flights', flightId);
    const overviewFiles = () => fs.readdirSync(flightDir).filter((name) => name.includes('.overviews.')).sort();
    expect(overviewFiles()).toEqual(['orthophoto.overviews.tif', 'orthophoto.overviews.tif.ovr']);
    await writeFlightCogs(ctx, flightId);
    expect(overviewFiles()).toEqual([]);
    const flight = (await getFlight(pool, flightId))!;
    const cogs = flight.assets.filter((a) => a.role === 'cog');
    expect(cogs.map((a) => [a.kind, a.width, a.height, a.crs])).toEqual([
      ['orthophoto', 2000, 1500, 'EPSG:4549'],
      ['surface_model', 1000, 750, 'EPSG:4549'],
    ]);
    for (const cog of cogs) {
      const info = JSON.parse(execFileSync('gdalinfo', ['-json', cog.uri], { encoding: 'utf8' }));
      expect(info.metadata.IMAGE_STRUCTURE.LAYOUT).toBe('COG');
      expect(info.bands[0].overviews.length).toBeGreaterThan(0);
    }
    // Ingest's overviews are the levels GDAL's COG driver makes itself, as they were before.
    const orthoCog = JSON.parse(execFileSync('gdalinfo', ['-json', cogs[0]!.uri], { encoding: 'utf8' }));
    expect(orthoCog.bands[0].overviews.map((o: { size: number[] }) => o.size)).toEqual([[1000, 750], [500, 375]]);
    expect(flight.gsd_m).toBeCloseTo(0.1, 6);
    // The black collar (20 px = 2 m) is outside the footprint: 196 m x 146 m inside.
    const { rows } = await pool.query(`SELECT lw_area_m2(footprint) AS area FROM flight WHERE id = $1`, [flightId]);
    expect(rows[0].area).toBeGreaterThan(196 * 146 * 0.97);
    expect(rows[0].area).toBeLessThan(196 * 146 * 1.03);
  });

  it('leaves the overviews of a drone-resolution orthophoto (5 cm) to the COG job, which still writes them', async () => {
    const flightId = await registerUploads(pool, { orthophoto: writeOrthophoto(file('o-5cm.tif'), 1600, 1200, 0.05) });
    await ingestFlight(ctx, flightId);
    expect(fs.readdirSync(path.join(dir, 'store', 'flights', flightId)).filter((name) => name.includes('.overviews.'))).toEqual([]);
    await writeFlightCogs(ctx, flightId);
    const cog = (await getFlight(pool, flightId))!.assets.find((a) => a.role === 'cog')!;
    const info = JSON.parse(execFileSync('gdalinfo', ['-json', cog.uri], { encoding: 'utf8' }));
    expect(info.bands[0].overviews.map((o: { size: number[] }) => o.size)).toEqual([[800, 600], [400, 300]]);
  });

  it('takes a 10 cm orthophoto and surface model that carry overviews of their own (rejected as "truncated or corrupt": GDAL adds no external overviews to a TIFF with internal ones)', async () => {
    const orthophoto = writeOrthophoto(file('o-own-overviews.tif'), 2000, 1500);
    const surfaceModel = writeSurfaceModel(file('d-own-overviews.tif'), 2000, 1500, 0.1);
    for (const upload of [orthophoto, surfaceModel]) execFileSync('gdaladdo', ['-q', '-r', 'average', upload, '2', '4']);
    const flightId = await registerUploads(pool, { orthophoto, surfaceModel });
    await ingestWithCogs(ctx, flightId);
    const cogs = (await getFlight(pool, flightId))!.assets.filter((a) => a.role === 'cog');
    expect(cogs.map((a) => [a.kind, a.width, a.height])).toEqual([['orthophoto', 2000, 1500], ['surface_model', 2000, 1500]]);
    for (const cog of cogs) {
      const info = JSON.parse(execFileSync('gdalinfo', ['-json', cog.uri], { encoding: 'utf8' }));
      expect(info.metadata.IMAGE_STRUCTURE.LAYOUT).toBe('COG');
      expect(info.bands[0].overviews.length).toBeGreaterThan(0);
    }
    expect(fs.readdirSync(path.join(dir, 'store', 'flights', flightId)).filter((name) => name.includes('.overviews.'))).toEqual([]);
  });

  it("makes a surface model's overviews over its undeclared fill declared, so no overview averages -9999 into a height", async () => {
    // 10 cm heights (a level of the overviews serves the reduced raster): 4 m ground, a 10 m roof,
    // and a block of -9999 the file does not declare, whose edge is not on the levels' pixel grid.
    const [w, h] = [1001, 751];
    const heights = new Float32Array(w * h).map((_, i) => {
      const [x, y] = [i % w, Math.floor(i / w)];
      if (x > 301 && x < 500 && y > 201 && y < 400) return -9999;
      return x > 600 && x < 800 ? 10 : 4;
    });
    const dsm = file('fill-10cm.tif');
    writeGeoTiff(dsm, { width: w, height: h, bands: [heights], geoTransform: [ORIGIN.x, 0.1, 0, ORIGIN.y, 0, -0.1], srs: 4549 });
    const flightId = await registerUploads(pool, { orthophoto: writeOrthophoto(file('o-fill.tif'), 1001, 751), surfaceModel: dsm });
    await ingestFlight(ctx, flightId);
    expect(fs.readdirSync(path.join(dir, 'store', 'flights', flightId)).filter((n) => n.startsWith('surface-model.overviews.'))).toEqual(['surface-model.overviews.vrt', 'surface-model.overviews.vrt.ovr']);
    await writeFlightCogs(ctx, flightId);
    const cog = (await getFlight(pool, flightId))!.assets.find((a) => a.kind === 'surface_model' && a.role === 'cog')!;
    const dataset = gdal.open(cog.uri);
    try {
      const band = dataset.bands.get(1);
      expect(band.noDataValue).toBe(-9999);
      for (const level of [band, ...Array.from({ length: band.overviews.count() }, (_, k) => band.overviews.get(k))]) {
        const values = level.pixels.read(0, 0, level.size.x, level.size.y) as Float32Array;
        expect(values.filter((v) => v !== -9999 && (v < 4 || v > 10))).toHaveLength(0);
        expect(values.includes(-9999)).toBe(true);
      }
      expect(band.overviews.count()).toBe(1);
    } finally {
      dataset.close();
    }
  });

  it('stores uploads that are already COGs as uploaded, and still traces the footprint', async () => {
    const ortho = await asCog(writeOrthophoto(file('plain-o.tif'), 1200, 900), file('cog-o.tif'), ['-co', 'COMPRESS=DEFLATE']);
    const dsm = await asCog(writeSurfaceModel(file('plain-d.tif'), 600, 450), file('cog-d.tif'), ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=YES']);
    const flightId = await registerUploads(pool, { orthophoto: ortho, surfaceModel: dsm });
    await ingestWithCogs(ctx, flightId);
    const flight = (await getFlight(pool, flightId))!;
    for (const kind of ['orthophoto', 'surface_model'] as const) {
      const upload = flight.assets.find((a) => a.kind === kind && a.role === 'upload')!;
      const cog = flight.assets.find((a) => a.kind === kind && a.role === 'cog')!;
      expect(cog.uri).not.toBe(upload.uri);
      expect(fs.readFileSync(cog.uri).equals(fs.readFileSync(upload.uri)), kind).toBe(true);
    }
    const { rows } = await pool.query(`SELECT lw_area_m2(footprint) AS area FROM flight WHERE id = $1`, [flightId]);
    expect(rows[0].area).toBeGreaterThan(116 * 86 * 0.97); // 1200 x 900 at 0.1 m less the 2 m collar
    expect(rows[0].area).toBeLessThan(116 * 86 * 1.03);
  });

  it('keeps an alpha band as the mask inside the reduced raster (a .msk beside it failed the rename)', async () => {
    const rgba = file('rgba.tif');
    execFileSync('gdalwarp', ['-q', '-t_srs', 'EPSG:32651', '-dstalpha', '-co', 'TILED=YES', writeOrthophoto(file('rgb.tif'), 800, 600), rgba]);
    const flightId = await registerUploads(pool, { orthophoto: rgba });
    await ingestFlight(ctx, flightId);
    const reduced = (await getFlight(pool, flightId))!.assets.find((a) => a.kind === 'orthophoto' && a.role === 'reduced')!;
    expect(fs.readdirSync(path.dirname(reduced.uri)).filter((name) => name.endsWith('.msk'))).toEqual([]);
    const read = gdal.open(reduced.uri);
    const PER_DATASET = 0x02; // GDAL's GMF_PER_DATASET: a mask band of its own, not "all valid"
    expect([read.bands.count(), read.bands.get(1).getMaskFlags() & PER_DATASET]).toEqual([3, PER_DATASET]);
    read.close();
  });

  it('takes 16-bit colour, a COG or not, to the 8-bit JPEG COG the later stages read (it failed renaming a stray .aux.xml)', async () => {
    const wide = file('wide-o.tif');
    const bands = [0, 1, 2].map((b) => new Uint16Array(800 * 600).map((_, i) => 2000 + ((i + b * 99) % 3000)));
    writeGeoTiff(wide, { width: 800, height: 600, bands, geoTransform: [ORIGIN.x, 0.1, 0, ORIGIN.y, 0, -0.1], srs: 4549 });
    const flightId = await registerUploads(pool, { orthophoto: await asCog(wide, file('wide-cog.tif'), []) });
    await ingestWithCogs(ctx, flightId);
    const cog = (await getFlight(pool, flightId))!.assets.find((a) => a.role === 'cog')!;
    expect(cog.data_type).toBe('UInt16'); // the upload's type is recorded ...
    const info = JSON.parse(execFileSync('gdalinfo', ['-json', cog.uri], { encoding: 'utf8' }));
    expect(info.bands[0].type).toBe('Byte'); // ... but the COG is the 8-bit JPEG one ingest writes
  });

  it('reads heights as metres: unscales integer decimetres and declares an undeclared fill value', async () => {
    const w = 300;
    const h = 225;
    const metres = new Float32Array(w * h).map((_, i) => 4 + ((i % w) > 100 && (i % w) < 160 ? 6.3 : 0));
    // Int16 decimetres with a 0.1 scale factor, nodata -32768 in the first row
    const decimetres = Int16Array.from(metres, (v, i) => (i < w ? -32768 : Math.round(v * 10)));
    const scaled = file('dsm-decimetres.tif');
    writeGeoTiff(scaled, { width: w, height: h, bands: [decimetres], geoTransform: [ORIGIN.x, 0.2, 0, ORIGIN.y, 0, -0.2], srs: 4549, nodata: -32768 });
    const ds = gdal.open(scaled, 'r+');
    ds.bands.get(1).scale = 0.1;
    ds.close();
    // Float32 metres with -9999 holes and no nodata declared
    const holes = file('dsm-holes.tif');
    writeGeoTiff(holes, { width: w, height: h, bands: [metres.map((v, i) => (i % 97 === 0 ? -9999 : v))], geoTransform: [ORIGIN.x, 0.2, 0, ORIGIN.y, 0, -0.2], srs: 4549 });
    for (const [upload, nodata] of [[scaled, -32768], [holes, -9999]] as const) {
      const flightId = await registerUploads(pool, { orthophoto: writeOrthophoto(file(`o-${nodata}.tif`), 600, 450, 0.1), surfaceModel: upload });
      await ingestWithCogs(ctx, flightId);
      const cog = (await getFlight(pool, flightId))!.assets.find((a) => a.kind === 'surface_model' && a.role === 'cog')!;
      const read = gdal.open(cog.uri);
      const band = read.bands.get(1);
      expect([band.dataType, band.noDataValue, band.scale ?? 1]).toEqual(['Float32', nodata, 1]);
      const values = band.pixels.read(0, 0, w, h) as Float32Array;
      read.close();
      expect(values[w + 130]).toBeCloseTo(10.3, 4);
      expect(values[w + 5]).toBeCloseTo(4, 4);
    }
  });

  it('stretches 16-bit colour with one range for all bands, which one saturated pixel does not move', async () => {
    const w = 400;
    const h = 300;
    // 12-bit values in a 16-bit file (8-bit pattern x 16), one red glint at 65535
    const bands = [0, 1, 2].map((b) => new Uint16Array(w * h).map((_, i) => (60 + ((i * 7 + b * 40) % 120)) * 16));
    bands[0]![w * 150 + 200] = 65535;
    const wide = file('glint.tif');
    writeGeoTiff(wide, { width: w, height: h, bands, geoTransform: [ORIGIN.x, 0.1, 0, ORIGIN.y, 0, -0.1], srs: 4549 });
    const flightId = await registerUploads(pool, { orthophoto: wide });
    await ingestWithCogs(ctx, flightId);
    const cog = (await getFlight(pool, flightId))!.assets.find((a) => a.role === 'cog')!;
    const read = gdal.open(cog.uri);
    const mean = (b: number) => (read.bands.get(b).pixels.read(0, 0, w, h) as Uint8Array).reduce((a, v) => a + v, 0) / (w * h);
    const [red, green, blue] = [mean(1), mean(2), mean(3)];
    read.close();
    // The pattern's 8-bit means are all about 120 (of 60..179): kept up to one stretch factor;
    // a per-band min-max stretch left red at about 8.
    for (const m of [red, green, blue]) expect(m).toBeGreaterThan(140);
    expect(Math.max(red, green, blue) - Math.min(red, green, blue)).toBeLessThan(8);
  });

  it('turns a south-up export north up, on the same ground', async () => {
    const northUp = writeOrthophoto(file('north-up.tif'), 600, 450, 0.1);
    const source = gdal.open(northUp);
    const rows = [1, 2, 3].map((b) => source.bands.get(b).pixels.read(0, 0, 600, 450) as Uint8Array);
    source.close();
    // The same picture stored bottom row first, with a positive row step (origin at the south edge).
    const flipped = rows.map((band) => {
      const out = new Uint8Array(band.length);
      for (let r = 0; r < 450; r++) out.set(band.subarray((449 - r) * 600, (450 - r) * 600), r * 600);
      return out;
    });
    const southUp = file('south-up.tif');
    writeGeoTiff(southUp, { width: 600, height: 450, bands: flipped, geoTransform: [ORIGIN.x, 0.1, 0, ORIGIN.y - 45, 0, 0.1], srs: 4549 });
    const flightId = await registerUploads(pool, { orthophoto: southUp });
    await ingestWithCogs(ctx, flightId);
    const cog = (await getFlight(pool, flightId))!.assets.find((a) => a.role === 'cog')!;
    const read = gdal.open(cog.uri);
    const gt = read.geoTransform!;
    expect([gt[0]!, gt[3]!, gt[5]!].map((v) => +v.toFixed(3))).toEqual([ORIGIN.x, ORIGIN.y, -0.1]);
    // The north-west interior pixel is the original's (JPEG: within a few levels).
    expect(Math.abs((read.bands.get(1).pixels.read(30, 30, 1, 1) as Uint8Array)[0]! - rows[0]![30 * 600 + 30]!)).toBeLessThan(12);
    read.close();
    const { rows: area } = await pool.query(`SELECT lw_area_m2(footprint) AS area FROM flight WHERE id = $1`, [flightId]);
    expect(area[0].area).toBeGreaterThan(56 * 41 * 0.97); // 60 m x 45 m less the 2 m collar
  });

  it('rejects a truncated upload that is a COG, as it would a plain one', async () => {
    const cog = await asCog(writeOrthophoto(file('plain-o2.tif'), 1200, 900), file('cog-o2.tif'), ['-co', 'COMPRESS=DEFLATE']);
    expect(await rejection({ orthophoto: truncatedCopy(cog, 'truncated-cog.tif', 0.6) })).toMatch(/orthophoto could not be read to the end/);
  });

  it('rejects a truncated orthophoto', async () => {
    const truncated = truncatedCopy(writeOrthophoto(file('whole.tif'), 1200, 900), 'truncated.tif', 1 / 2);
    expect(await rejection({ orthophoto: truncated })).toMatch(/truncated or corrupt/);
  });

  it('rejects a truncated orthophoto written beside a whole surface model and leaves no half-written file', async () => {
    // The two COGs are written at once: the rejection must wait for the surface model's write,
    // so nothing of either is left half-written in the flight's folder (the surface model is large
    // enough that its write is still running when the orthophoto fails).
    const truncated = truncatedCopy(writeOrthophoto(file('whole-2.tif'), 1200, 900), 'truncated-2.tif', 1 / 20);
    const flightId = await registerUploads(pool, { orthophoto: truncated, surfaceModel: writeSurfaceModel(file('d-2.tif'), 3000, 2250, 0.04) });
    const error = await ingestWithCogs(ctx, flightId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlightRejectedError);
    expect((error as Error).message).toMatch(/orthophoto could not be read to the end/);
    const flightDir = path.join(dir, 'store', 'flights', flightId);
    const left = fs.existsSync(flightDir) ? fs.readdirSync(flightDir).filter((name) => name.includes('.partial')) : [];
    expect(left).toEqual([]);
    expect((await getFlight(pool, flightId))!.assets.filter((a) => a.role === 'cog')).toEqual([]);
  });

  it('rejects an orthophoto with a corrupt JPEG tile in the middle, re-encoded or stored as uploaded (it ended "done")', async () => {
    const plain = writeOrthophoto(file('jpeg-source.tif'), 2048, 1536);
    const tiled = file('jpeg-tiled.tif');
    execFileSync('gdal_translate', ['-q', '-co', 'TILED=YES', '-co', 'COMPRESS=JPEG', plain, tiled]);
    expect(await rejection({ orthophoto: withCorruptTile(tiled, file('jpeg-corrupt.tif'), 27) })).toMatch(/orthophoto could not be read to the end: the file is truncated or corrupt.*JPEGLib/);
    const cog = await asCog(plain, file('jpeg-cog.tif'), ['-co', 'COMPRESS=JPEG']);
    expect(await rejection({ orthophoto: withCorruptTile(cog, file('jpeg-cog-corrupt.tif'), 27) })).toMatch(/orthophoto could not be read to the end.*JPEGLib/);
    // The same files whole still go through.
    for (const whole of [tiled, cog]) await ingestWithCogs(ctx, await registerUploads(pool, { orthophoto: whole }));
  });

  it('rejects a file that is not a raster', async () => {
    fs.writeFileSync(file('notes.tif'), 'these are my flight notes, not an image');
    expect(await rejection({ orthophoto: file('notes.tif') })).toMatch(/^The orthophoto is not a readable GeoTIFF/);
  });

  it('rejects a raster without georeference', async () => {
    const plain = file('plain.tif');
    const ds = gdal.open(plain, 'w', 'GTiff', 100, 100, 3, gdal.GDT_Byte);
    ds.close();
    expect(await rejection({ orthophoto: plain })).toMatch(/has no georeference/);
  });

  it('rejects a coordinate system that cannot be interpreted', async () => {
    const local = file('local.tif');
    const bands = [0, 1, 2].map(() => new Uint8Array(100 * 100).fill(90));
    writeGeoTiff(local, { width: 100, height: 100, bands, geoTransform: [1000, 0.1, 0, 2000, 0, -0.1], srs: 'LOCAL_CS["site grid",UNIT["metre",1]]' });
    expect(await rejection({ orthophoto: local })).toMatch(/cannot be interpreted/);
  });

  it('rejects a one-band orthophoto and an 8-bit surface model', async () => {
    const gray = file('gray.tif');
    writeGeoTiff(gray, { width: 100, height: 100, bands: [new Uint8Array(100 * 100).fill(80)], geoTransform: [ORIGIN.x, 0.1, 0, ORIGIN.y, 0, -0.1], srs: 4549 });
    expect(await rejection({ orthophoto: gray })).toMatch(/has 1 band\(s\)/);
    const byteDsm = file('byte-dsm.tif');
    writeGeoTiff(byteDsm, { width: 100, height: 100, bands: [new Uint8Array(100 * 100).fill(80)], geoTransform: [ORIGIN.x, 0.2, 0, ORIGIN.y, 0, -0.2], srs: 4549 });
    expect(await rejection({ orthophoto: writeOrthophoto(file('ok.tif')), surfaceModel: byteDsm })).toMatch(/an 8-bit image is a rendering/);
  });

  it('rejects an absurdly large raster without reading it', async () => {
    const huge = file('huge.tif');
    const ds = gdal.open(huge, 'w', 'GTiff', 250_000, 250_000, 3, gdal.GDT_Byte, ['SPARSE_OK=TRUE', 'TILED=YES', 'BIGTIFF=YES']);
    ds.geoTransform = [ORIGIN.x, 0.1, 0, ORIGIN.y, 0, -0.1];
    ds.srs = gdal.SpatialReference.fromEPSG(4549);
    ds.close();
    expect(await rejection({ orthophoto: huge })).toMatch(/larger than the 200000 pixel limit/);
  });

  it('rejects a 7 MB sparse BigTIFF declaring 200,000 x 200,000 pixels at 1 cm before writing anything (it ran for hours)', async () => {
    const sparse = file('sparse.tif');
    const ds = gdal.open(sparse, 'w', 'GTiff', 200_000, 200_000, 3, gdal.GDT_Byte, ['SPARSE_OK=TRUE', 'TILED=YES', 'BIGTIFF=YES', 'COMPRESS=JPEG']);
    ds.geoTransform = [ORIGIN.x, 0.01, 0, ORIGIN.y, 0, -0.01];
    ds.srs = gdal.SpatialReference.fromEPSG(4549);
    for (const b of [1, 2, 3]) ds.bands.get(b).pixels.write(0, 0, 256, 256, new Uint8Array(256 * 256).fill(90));
    ds.close();
    expect(fs.statSync(sparse).size).toBeLessThan(10e6);
    const message = await rejection({ orthophoto: sparse });
    expect(message).toMatch(/declares 200000 x 200000 pixels \(40\.0 billion\).*FLIGHT_MAX_PIXELS/);
    expect(message).toMatch(/holds data in only 1 of its 611524 blocks/);
  });

  it('rejects a flight over the configured per-flight work limit, saying which setting it is', async () => {
    const tight = { ...ctx, config: { ...ctx.config, workLimits: { ...ctx.config.workLimits, maxWorkHours: 1e-6 } } };
    const flightId = await registerUploads(pool, { orthophoto: writeOrthophoto(file('o-work.tif')) });
    const error = await ingestFlight(tight, flightId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlightRejectedError);
    expect((error as Error).message).toMatch(/would take a worker about 0\.0 hours, more than the 0\.000001-hour limit per flight \(FLIGHT_MAX_WORK_HOURS\)/);
  });

  it('rejects a surface model that does not overlap the orthophoto', async () => {
    const elsewhere = writeSurfaceModel(file('elsewhere.tif'), 200, 150, 0.2, { x: ORIGIN.x + 5_000, y: ORIGIN.y });
    expect(await rejection({ orthophoto: writeOrthophoto(file('o2.tif')), surfaceModel: elsewhere })).toMatch(/does not overlap the orthophoto/);
  });

  /** A surface model over the test orthophoto whose heights are `height(i)` (4 m ground, else). */
  function surfaceModelOf(name: string, height: (i: number) => number, nodata: number | null = -9999): string {
    const [w, h] = [200, 150];
    writeGeoTiff(file(name), { width: w, height: h, bands: [new Float32Array(w * h).map((_, i) => height(i))], geoTransform: [ORIGIN.x, 0.2, 0, ORIGIN.y, 0, -0.2], srs: 4549, ...(nodata === null ? {} : { nodata }) });
    return file(name);
  }

  it('rejects a surface model without a single height, all NaN or all nodata, instead of ending "done" having seen nothing', async () => {
    const ortho = writeOrthophoto(file('o-heights.tif'));
    for (const [name, value] of [['all-nan.tif', Number.NaN], ['all-nodata.tif', -9999]] as const) {
      expect(await rejection({ orthophoto: ortho, surfaceModel: surfaceModelOf(name, () => value) })).toMatch(/^The surface model \(DSM\) holds no heights: every pixel is nodata or NaN/);
    }
  });

  it('rejects impossible heights (infinity, minus infinity, 1e30) and names them', async () => {
    const ortho = writeOrthophoto(file('o-impossible.tif'));
    const cases: Array<[string, number, RegExp]> = [
      ['plus-inf.tif', Number.POSITIVE_INFINITY, /from 4 m to infinity/],
      ['minus-inf.tif', Number.NEGATIVE_INFINITY, /from minus infinity to 10 m/],
      ['huge-heights.tif', 1e30, /from 4 m to 1e\+30 m/],
    ];
    for (const [name, value, range] of cases) {
      // A few pixels are enough: every one would be read as a roof.
      const message = await rejection({ orthophoto: ortho, surfaceModel: surfaceModelOf(name, (i) => (i % 997 === 0 ? value : i % 200 > 80 && i % 200 < 120 ? 10 : 4), null) });
      expect(message).toMatch(/holds impossible heights/);
      expect(message).toMatch(range);
    }
  });

  it('still takes an undeclared fill value and NaN holes declared as nodata as missing heights, not as impossible ones', async () => {
    const ortho = writeOrthophoto(file('o-fill.tif'));
    const fill = surfaceModelOf('undeclared-fill.tif', (i) => (i % 200 < 10 ? -9999 : 4), null);
    const holes = surfaceModelOf('nan-holes.tif', (i) => (i % 7 === 0 ? Number.NaN : 4), Number.NaN);
    for (const surfaceModel of [fill, holes]) await ingestWithCogs(ctx, await registerUploads(pool, { orthophoto: ortho, surfaceModel }));
    // Holes declared as NaN while the export's -9999 collar stays as values: those are not ground.
    const collar = surfaceModelOf('nan-declared-collar-left.tif', (i) => (i % 7 === 0 ? Number.NaN : i % 200 < 10 ? -9999 : 4), Number.NaN);
    expect(await rejection({ orthophoto: ortho, surfaceModel: collar })).toMatch(/impossible heights, from -9999 m to 4 m/);
  });
});
