import { describe, expect, it } from 'vitest';
import { mosaicVrt, parseTilePaths, tileResolution, tmsToXyzRow } from './tile-mosaic.js';

describe('tile mosaics', () => {
  it('knows the Web Mercator resolution of a zoom level', () => {
    expect(tileResolution(0)).toBeCloseTo(156_543.034, 2);
    expect(tileResolution(19)).toBeCloseTo(0.298_582, 5);
  });

  it('parses XYZ and TMS tile paths, converting TMS rows', () => {
    const paths = ['19/109623/53643.png', '19/109624/53643.jpg', 'readme.txt', '19/109623/notes.png'];
    expect(parseTilePaths(paths, 'xyz', 19).map(({ x, y }) => [x, y])).toEqual([[109_623, 53_643], [109_624, 53_643]]);
    expect(parseTilePaths(['3/1/0.png'], 'tms', 3)[0]).toMatchObject({ x: 1, y: tmsToXyzRow(0, 3) });
    expect(tmsToXyzRow(0, 3)).toBe(7);
  });

  it('places each tile in the mosaic and georeferences its corner', () => {
    const vrt = mosaicVrt([{ x: 10, y: 20, file: 'a.png' }, { x: 11, y: 21, file: 'b&c.png' }], { zoom: 5 });
    expect(vrt).toContain('rasterXSize="512" rasterYSize="512"');
    expect(vrt).toContain('<DstRect xOff="256" yOff="256" xSize="256" ySize="256"/>');
    expect(vrt).toContain('b&amp;c.png');
    const resolution = tileResolution(5);
    expect(vrt).toContain(`${(-20_037_508.342789244 + 10 * 256 * resolution).toFixed(6)}, ${resolution.toFixed(10)}`);
    expect(() => mosaicVrt([], { zoom: 5 })).toThrow('no tiles');
  });
});
