import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import gdal from '../gdal.js';
import { readOnGrid, readOnGridAsync } from './read-on-grid.js';
import { writeGeoTiff } from './write-geotiff.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-grid-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// 100 x 100 pixels at 0.1 m: value = column index, so averages are easy to predict.
const file = path.join(dir, 'columns.tif');
const values = new Float32Array(100 * 100).map((_, i) => i % 100);
writeGeoTiff(file, { width: 100, height: 100, bands: [values], geoTransform: [1000, 0.1, 0, 2000, 0, -0.1], srs: 4549, nodata: -9999 });

describe('readOnGrid', () => {
  it('averages 0.1 m pixels onto a 0.5 m grid', () => {
    const { bands, valid } = readOnGrid(file, { width: 20, height: 20, geoTransform: [1000, 0.5, 0, 2000, 0, -0.5] });
    expect(valid.every((v) => v === 1)).toBe(true);
    expect(bands[0]![0]).toBeCloseTo(2, 5); // mean of columns 0..4
    expect(bands[0]![19]).toBeCloseTo(97, 5); // mean of columns 95..99
  });

  it('marks grid pixels outside the raster invalid', () => {
    const { bands, valid } = readOnGrid(file, { width: 30, height: 10, geoTransform: [995, 0.5, 0, 2000, 0, -0.5] });
    expect(valid[0]).toBe(0); // 995..995.5 is west of the raster
    expect(valid[9]).toBe(0);
    expect(valid[10]).toBe(1);
    expect(bands[0]![10]).toBeCloseTo(2, 5);
    expect(valid[29]).toBe(1);
  });

  it('reads the same values off the main thread (async), also partly outside and fully outside', async () => {
    const grids = [
      { width: 20, height: 20, geoTransform: [1000, 0.5, 0, 2000, 0, -0.5] as const },
      { width: 30, height: 10, geoTransform: [995, 0.5, 0, 2000, 0, -0.5] as const },
      { width: 4, height: 4, geoTransform: [900, 0.5, 0, 2000, 0, -0.5] as const },
    ];
    for (const grid of grids) {
      const options = { shift: { dx: 0.3, dy: -0.2 } };
      const [sync, async] = [readOnGrid(file, grid, options), await readOnGridAsync(file, grid, options)];
      expect(async.bands).toEqual(sync.bands);
      expect(async.valid).toEqual(sync.valid);
    }
    const outside = await readOnGridAsync(file, grids[2]!);
    expect(outside.valid.every((v) => v === 0)).toBe(true);
    expect(outside.bands).toHaveLength(1);
  });

  it('reads the content back where it belongs when a drift is given', () => {
    // Content drifted 1 m east: the grid pixel at 1000..1000.5 holds what the raster shows at 1001..1001.5.
    const { bands } = readOnGrid(file, { width: 4, height: 4, geoTransform: [1000, 0.5, 0, 2000, 0, -0.5] }, { shift: { dx: 1, dy: 0 } });
    expect(bands[0]![0]).toBeCloseTo(12, 5);
  });

  it('warps a raster in another CRS to the grid\'s as it reads (a UTM patrol against a Gauss-Krüger reference)', async () => {
    // 200 x 200 pixels at 0.1 m in Shanghai, CGCS2000 / 3-degree GK CM 120E; value = column index.
    const gk = path.join(dir, 'gk.tif');
    const columns = new Float32Array(200 * 200).map((_, i) => i % 200);
    writeGeoTiff(gk, { width: 200, height: 200, bands: [columns], geoTransform: [640000, 0.1, 0, 3457000, 0, -0.1], srs: 4549, nodata: -9999 });
    const utm = path.join(dir, 'utm.tif');
    const source = gdal.open(gk);
    gdal.warp(utm, null, [source], ['-t_srs', 'EPSG:32651', '-r', 'bilinear', '-tr', '0.1', '0.1']).close();
    const crs = source.srs!.toWKT();
    source.close();
    // The inner 10 m x 10 m, 0.5 m pixels, on the Gauss-Krüger grid.
    const grid = { width: 20, height: 20, geoTransform: [640005, 0.5, 0, 3456995, 0, -0.5] as const };
    const reference = readOnGrid(gk, grid);
    for (const read of [readOnGrid(utm, grid, { crs }), await readOnGridAsync(utm, grid, { crs })]) {
      expect(read.valid.every((v) => v === 1)).toBe(true);
      let worst = 0;
      read.bands[0]!.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference.bands[0]![i]!))));
      expect(worst).toBeLessThan(1); // columns: 0.1 m, so within 10 cm
    }
    // Read as if it were in the grid's CRS, it lies hundreds of kilometres away: nothing valid.
    expect(readOnGrid(utm, grid).valid.some((v) => v === 1)).toBe(false);
    // The same CRS: read directly, exactly as without the option.
    expect(readOnGrid(gk, grid, { crs }).bands).toEqual(reference.bands);
  });
});
