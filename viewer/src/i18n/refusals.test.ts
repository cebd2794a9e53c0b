/**
 * Every refusal sentence the API's checks write has a Chinese form: the sentences come from the
 * real checks (flight-checks, work-bounds, the upload signature check), not from copies, so a new
 * or reworded sentence without a rule fails here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectUploadedRaster } from '#api/uploads/check-uploaded-rasters.js';
import { checkFlightPair, checkFlightRaster, checkSurfaceHeights, type RasterMetadata } from '#pipeline/core/flight-checks.js';
import { checkFlightWork } from '#pipeline/core/work-bounds.js';
import { refusalInChinese } from './refusals.js';

const UTM51 = 'PROJCS["WGS 84 / UTM zone 51N"]';
const good: RasterMetadata = {
  width: 2000, height: 2000, bandCount: 3, dataType: 'Byte', geoTransform: [350000, 0.1, 0, 3460000, 0, -0.1], srsWkt: UTM51,
  srsUsable: true, isGeographic: false, nodata: null, lonLatBounds: [121.4, 31.2, 121.41, 31.21],
};
const dsm: RasterMetadata = { ...good, bandCount: 1, dataType: 'Float32' };

function sentences(): string[] {
  return [
    ...checkFlightRaster('orthophoto', { ...good, geoTransform: null }),
    ...checkFlightRaster('surface_model', { ...dsm, srsUsable: false }),
    ...checkFlightRaster('orthophoto', { ...good, srsUsable: false, isGeographic: true, geoTransform: [31.2, 0.00001, 0, 121.4, 0, -0.00001] }),
    ...checkFlightRaster('orthophoto', { ...good, srsUsable: false, isGeographic: true, geoTransform: [350000, 0.1, 0, 3460000, 0, -0.1] }),
    ...checkFlightRaster('orthophoto', { ...good, width: 300_000 }),
    ...checkFlightRaster('orthophoto', { ...good, width: 10, height: 10 }),
    ...checkFlightRaster('orthophoto', { ...good, bandCount: 1, dataType: 'Float32' }),
    ...checkFlightRaster('surface_model', { ...dsm, bandCount: 3, dataType: 'CInt16' }),
    ...checkFlightRaster('surface_model', { ...dsm, dataType: 'Byte' }),
    ...checkFlightRaster('orthophoto', { ...good, geoTransform: [350000, 5, 0, 3460000, 0, -5] }),
    ...checkFlightRaster('orthophoto', { ...good, width: 100_000, height: 100_000, geoTransform: [350000, 0.9, 0, 3460000, 0, -0.9] }),
    ...checkFlightPair(good, { ...dsm, lonLatBounds: [120, 30, 120.01, 30.01] }),
    ...checkFlightPair(good, { ...dsm, lonLatBounds: [121.4, 31.2, 121.403, 31.21] }),
    ...checkSurfaceHeights({ validShare: 0, least: null, greatest: null }),
    ...checkSurfaceHeights({ validShare: 1, least: -3.4e38, greatest: Infinity }),
    ...checkFlightWork([{ role: 'orthophoto', width: 200_000, height: 200_000, blocks: { total: 1000, empty: 999 } }], 400).map((w) => w.problem),
  ];
}

describe('refusalInChinese', () => {
  it('says every sentence of the flight checks in Chinese', () => {
    const all = sentences();
    expect(all.length).toBeGreaterThanOrEqual(18);
    for (const sentence of all) {
      const chinese = refusalInChinese(sentence);
      expect(chinese, sentence).not.toBe(sentence);
      expect(chinese, sentence).toMatch(/[\u4e00-\u9fff]/);
      // No English sentence left inside (file types and setting names stay as they are written).
      expect(chinese, sentence).not.toMatch(/\b(The|the|is|are|needed|Export)\b/);
    }
  });

  it('says the upload checks of the file itself in Chinese: not a GeoTIFF, an empty file, cannot be opened', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingwei-refusals-'));
    try {
      const write = (name: string, bytes: Buffer) => (fs.writeFileSync(path.join(dir, name), bytes), path.join(dir, name));
      const results = await Promise.all([
        inspectUploadedRaster('orthophoto', write('notes.tif', Buffer.from('flight notes, not an image\n'))),
        inspectUploadedRaster('surface_model', write('empty.tif', Buffer.alloc(0))),
        inspectUploadedRaster('orthophoto', write('photo.tif', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]))),
        inspectUploadedRaster('orthophoto', write('cut.tif', Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 2]))),
      ]);
      const said = results.map((r) => ('problem' in r ? refusalInChinese(r.problem) : 'opened'));
      expect(said).toEqual([
        '正射影像不是 GeoTIFF：该文件看起来是文本文件。请将正射影像导出为 GeoTIFF（.tif）后上传。',
        '数字表面模型（DSM）不是 GeoTIFF：该文件看起来是空文件。请将数字表面模型（DSM）导出为 GeoTIFF（.tif）后上传。',
        '正射影像不是 GeoTIFF：该文件看起来是JPEG 照片。请将正射影像导出为 GeoTIFF（.tif）后上传。',
        '正射影像开头是 TIFF，但无法打开：文件不完整或已损坏。请重新上传。',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a sentence it does not know as the API wrote it', () => {
    expect(refusalInChinese('Something new went wrong.')).toBe('Something new went wrong.');
  });
});
