/**
 * Golden tests of ingest's decisions: test/ingest-decisions/in/*.json are uploads as
 * stages/inspect-raster.ts describes them (a drone flight, 16-bit colour, degrees, Web Mercator,
 * south up, rotated, and the ways a flight is refused); out/*.json what ingest decides for each:
 * the problems that reject it, and for each file whether and how it is warped and translated
 * (REGEN=1 to rewrite, then review the diff).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AssetRole, RasterMetadata } from './flight-checks.js';
import {
  footprintOrRejection, isStoreWriteFailure, METRIC_CRS, needsWarp, pixelTranslateOptions, reducedSize, REJECTIONS, uploadProblems, warpOptions, type PlacedRaster,
} from './ingest-decisions.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test', 'ingest-decisions');

type Upload = RasterMetadata & PlacedRaster;
interface Case { why: string; ortho: Upload; dsm: Upload | null; stretchMaximum?: number }

/** The reduced raster's pixel, metres (stages/reduced-raster.ts REDUCED_GSD_M). */
const REDUCED_GSD_M = 0.25;

/** What ingest does with one file that passed the checks (the reduced grid of one already north up and metric). */
function handling(role: AssetRole, meta: Upload, stretchMaximum: number | null) {
  const warp = needsWarp(meta);
  return {
    needsWarp: warp, warpOptions: warp ? warpOptions(role, meta) : null, pixelOptions: pixelTranslateOptions(role, meta, stretchMaximum),
    reducedSize: warp ? null : reducedSize(meta, REDUCED_GSD_M),
  };
}

describe('ingest decisions (golden)', () => {
  for (const file of fs.readdirSync(path.join(DIR, 'in')).sort()) {
    it(file.replace(/\.json$/, ''), () => {
      const c = JSON.parse(fs.readFileSync(path.join(DIR, 'in', file), 'utf8')) as Case;
      const problems = uploadProblems(c.ortho, c.dsm);
      const actual = {
        problems,
        // A rejected flight is never written, so nothing else is decided for it.
        ...(problems.length ? {} : {
          orthophoto: handling('orthophoto', c.ortho, c.stretchMaximum ?? null),
          ...(c.dsm ? { surface_model: handling('surface_model', c.dsm, null) } : {}),
        }),
      };
      const expectedFile = path.join(DIR, 'out', file);
      if (process.env.REGEN) fs.writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(JSON.parse(fs.readFileSync(expectedFile, 'utf8')));
    });
  }
});

describe('ingest decisions', () => {
  it('warps what is not in metres or not north up, and into the metric CRS only what is not in metres', () => {
    const utm = { isGeographic: false, epsg: 32651, geoTransform: [350000, 0.05, 0, 3445000, 0, -0.05] as RasterMetadata['geoTransform'] };
    expect(needsWarp(utm)).toBe(false);
    expect(needsWarp({ ...utm, epsg: 3857 })).toBe(true);
    expect(needsWarp({ ...utm, isGeographic: true, epsg: 4490 })).toBe(true);
    expect(warpOptions('surface_model', { ...utm, geoTransform: [350000, 0.1, 0, 3444000, 0, 0.1] })).toEqual(['-r', 'bilinear', '-dstnodata', '-9999']);
    expect(warpOptions('orthophoto', { ...utm, epsg: 3857 })).toEqual(['-t_srs', METRIC_CRS, '-r', 'bilinear', '-dstnodata', '0']);
  });

  it('reduces to the reduced pixel, never finer than the upload, keeping at least one pixel a side', () => {
    const at = (size: number, width = 20000, height = 10000) => reducedSize({ width, height, geoTransform: [350000, size, 0, 3445000, 0, -size] }, 0.25);
    expect(at(0.05)).toEqual({ width: 4000, height: 2000 });
    expect(at(0.5)).toEqual({ width: 20000, height: 10000 });
    expect(at(0.03, 101, 3)).toEqual({ width: 12, height: 1 });
  });

  it('needs the stretch maximum for 16-bit colour, and never for heights', () => {
    expect(() => pixelTranslateOptions('orthophoto', { dataType: 'UInt16', bandCount: 3 }, null)).toThrow(/stretch maximum/);
    expect(pixelTranslateOptions('surface_model', { dataType: 'Int16', bandCount: 1 }, null)).toEqual(['-ot', 'Float32', '-unscale']);
  });

  it('tells a write the store refused (retried) from a read of the upload that broke off (rejected)', () => {
    // GDAL's own messages, as the GDAL child reports them.
    for (const ours of ['Free disk space available is 0 bytes, whereas 1 MB are at least necessary: No space left on device',
      'Failed to write 8192 bytes', 'Permission denied', 'Read-only file system']) expect(isStoreWriteFailure(ours)).toBe(true);
    for (const upload of ['TIFFReadEncodedTile:Read error at row 4294967295, col 4294967295, tile 12; got 0 bytes, expected 65536',
      'JPEGLib:Premature end of JPEG file', 'ZIPDecode:Decoding error at scanline 0']) expect(isStoreWriteFailure(upload)).toBe(false);
  });

  it('rejects an orthophoto without valid pixels, and gives the footprint of one with them', () => {
    expect(footprintOrRejection([])).toEqual({ rejection: REJECTIONS.noValidPixels });
    const square = [[[[121.4, 31.12], [121.41, 31.12], [121.41, 31.13], [121.4, 31.12]]]];
    expect(JSON.parse((footprintOrRejection(square) as { footprint: string }).footprint)).toEqual({ type: 'MultiPolygon', coordinates: square });
  });

  it('names the file in the reasons for an unreadable or truncated upload', () => {
    expect(REJECTIONS.unreadable('surface_model', 'not a TIFF')).toBe('The surface model is not a readable GeoTIFF: it may be truncated or corrupt, or not a raster at all. Upload it again. (not a TIFF)');
    expect(REJECTIONS.truncated('orthophoto', 'short read')).toBe('The orthophoto could not be read to the end: the file is truncated or corrupt. Upload it again. (short read)');
  });
});
