import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lonLatTransformer, openRaster, writeGeoTiff, type GeoTransform } from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-raster-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const GT: GeoTransform = [605000, 0.5, 0, 3448000, 0, -0.5];

describe('writeGeoTiff + openRaster', () => {
  it('reads back a window equal to the source (Float32, NoData, EPSG code)', () => {
    const w = 300;
    const h = 200;
    const data = new Float32Array(w * h).map((_, i) => Math.round(((i % w) * 0.37 + Math.floor(i / w) * 1.3) * 100) / 100);
    data[5] = -9999;
    const file = path.join(tmp, 'dsm.tif');
    writeGeoTiff(file, { width: w, height: h, bands: [data], geoTransform: GT, srs: 4549, nodata: -9999, creationOptions: ['COMPRESS=DEFLATE', 'PREDICTOR=3', 'TILED=YES'] });
    const r = openRaster(file);
    expect([r.width, r.height, r.bandCount, r.dataType, r.nodata, r.epsg, r.gsd]).toEqual([w, h, 1, 'Float32', -9999, 4549, 0.5]);
    expect(r.geoTransform).toEqual(GT);
    expect(r.srsWkt).toContain('CGCS2000');
    const [win] = r.readWindow(17, 23, 40, 30);
    expect(win).toBeInstanceOf(Float32Array);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) expect(win![y * 40 + x]).toBe(data[(23 + y) * w + 17 + x]);
    expect(r.readWindow(0, 0, 10, 1)[0]![5]).toBe(-9999);
    r.close();
  });

  it('gives no EPSG code to a projected grid without one, rather than its datum\'s geographic code', () => {
    // A Shanghai-style local grid: transverse Mercator on CGCS2000, with no EPSG code of its own.
    const local = 'PROJCS["Shanghai local",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,'
      + 'AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4490"]],'
      + 'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",31.234],PARAMETER["central_meridian",121.467],PARAMETER["scale_factor",1],'
      + 'PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]';
    const file = path.join(tmp, 'local-grid.tif');
    writeGeoTiff(file, { width: 4, height: 4, bands: [new Float32Array(16)], geoTransform: [1000, 0.5, 0, 2000, 0, -0.5], srs: local });
    const r = openRaster(file);
    expect(r.epsg).toBeNull();
    expect(r.srsWkt).toContain('Transverse_Mercator');
    r.close();
    const geographic = path.join(tmp, 'cgcs2000-degrees.tif');
    writeGeoTiff(geographic, { width: 4, height: 4, bands: [new Float32Array(16)], geoTransform: [121, 1e-5, 0, 31, 0, -1e-5], srs: 4490 });
    const g = openRaster(geographic);
    expect(g.epsg).toBe(4490);
    g.close();
  });

  it('writes and reads several Byte bands, any subset, asynchronously too', async () => {
    const w = 64;
    const h = 48;
    const bands = [0, 1, 2].map((k) => new Uint8Array(w * h).map((_, i) => (i * (k + 3)) % 251));
    const file = path.join(tmp, 'rgb.tif');
    writeGeoTiff(file, { width: w, height: h, bands, geoTransform: GT, srs: 'EPSG:4549' });
    const r = openRaster(file);
    expect(r.bandCount).toBe(3);
    const [b3, b1] = await r.readWindowAsync(5, 6, 7, 8, [3, 1]);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 7; x++) {
        expect(b3![y * 7 + x]).toBe(bands[2]![(6 + y) * w + 5 + x]);
        expect(b1![y * 7 + x]).toBe(bands[0]![(6 + y) * w + 5 + x]);
      }
    }
    r.close();
  });

  it('maps pixels to the world and back', () => {
    const file = path.join(tmp, 'small.tif');
    writeGeoTiff(file, { width: 10, height: 10, bands: [new Uint8Array(100)], geoTransform: GT, srs: 4549 });
    const r = openRaster(file);
    expect(r.pixelToWorld(2, 4)).toEqual([605001, 3447998]);
    expect(r.worldToPixel(605001, 3447998)).toEqual([2, 4]);
    r.close();
  });

  it('refuses windows outside the raster and bands it does not have, saying what is wrong', () => {
    const r = openRaster(path.join(tmp, 'small.tif'));
    expect(() => r.readWindow(5, 5, 10, 1)).toThrow(/outside raster/);
    expect(() => r.readWindow(0, 0, 1, 1, [2])).toThrow(/no band 2/);
    r.close();
    expect(() => openRaster(path.join(tmp, 'missing.tif'))).toThrow(/cannot open raster/);
  });

  it('refuses bands of the wrong length', () => {
    expect(() => writeGeoTiff(path.join(tmp, 'bad.tif'), { width: 10, height: 10, bands: [new Uint8Array(99)], geoTransform: GT, srs: 4549 })).toThrow(/expected 10 x 10/);
  });
});

describe('lonLatTransformer', () => {
  it('converts EPSG:4549 to longitude/latitude in that order (not GDAL 3 authority lat/lon order)', () => {
    const t = lonLatTransformer(4549);
    const [lon, lat] = t.toLonLat(604892.905, 3448125.826);
    expect(lon).toBeCloseTo(121.1, 6);
    expect(lat).toBeCloseTo(31.15, 6);
    const [e, n] = t.fromLonLat(121.1, 31.15);
    expect(e).toBeCloseTo(604892.905, 2);
    expect(n).toBeCloseTo(3448125.826, 2);
  });

  it('builds a system\'s transformer once and keeps systems apart', () => {
    expect(lonLatTransformer(4549)).toBe(lonLatTransformer(4549));
    const [lon] = lonLatTransformer(32651).toLonLat(604892.905, 3448125.826);
    expect(lon).toBeCloseTo(124.1, 1); // UTM 51N's central meridian is 123° E, CGCS2000 zone 4549's 120° E
    expect(lonLatTransformer(4549).toLonLat(604892.905, 3448125.826)[0]).toBeCloseTo(121.1, 6);
  });
});
