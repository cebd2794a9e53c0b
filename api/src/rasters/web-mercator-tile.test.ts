import { describe, expect, it } from 'vitest';
import { extentOf, extentsIntersect, groundPixelSize, latitudeOf, readGeoTransform, tileAddressProblem, tileBounds, tileGeoTransform, WORLD_HALF } from './web-mercator-tile.js';

// A zoom-18 tile over Qingpu, Shanghai (121.11°E, 31.07°N).
const QINGPU = { z: 18, x: 219_859, y: 107_251 };

describe('the Web Mercator XYZ grid', () => {
  it('places tiles: the world at zoom 0, its north-west quarter at zoom 1, a street block at zoom 18', () => {
    expect(tileBounds({ z: 0, x: 0, y: 0 })).toEqual([-WORLD_HALF, -WORLD_HALF, WORLD_HALF, WORLD_HALF]);
    expect(tileBounds({ z: 1, x: 0, y: 0 })).toEqual([-WORLD_HALF, 0, 0, WORLD_HALF]);
    const [minX, minY, maxX, maxY] = tileBounds(QINGPU);
    expect(minX).toBeCloseTo(13_573_228.8607, 3);
    expect(minY).toBeCloseTo(3_641_460.0275, 3);
    expect(maxX - minX).toBeCloseTo(152.8741, 4);
    expect(maxY - minY).toBeCloseTo(152.8741, 4);
  });

  it('refuses addresses outside the grid with the reason', () => {
    expect(tileAddressProblem(QINGPU)).toBeNull();
    expect(tileAddressProblem({ z: 2, x: 4, y: 0 })).toBe('tile 2/4/0 is outside the 4 x 4 grid of zoom 2');
    expect(tileAddressProblem({ z: 2, x: 0, y: -1 })).toMatch(/outside the 4 x 4 grid/);
    expect(tileAddressProblem({ z: 25, x: 0, y: 0 })).toBe('zoom must be an integer 0..24, got 25');
    expect(tileAddressProblem({ z: 3, x: 1.5, y: 0 })).toMatch(/outside/);
  });

  it('gives the pixel grid, grown by a margin for the hillshade', () => {
    expect(tileGeoTransform(QINGPU, 1)).toEqual([
      expect.closeTo(13_573_228.2635, 3), expect.closeTo(0.597_164, 6), 0, expect.closeTo(3_641_613.4987, 3), 0, expect.closeTo(-0.597_164, 6),
    ]);
    expect(extentOf(tileGeoTransform(QINGPU), 256)).toEqual(tileBounds(QINGPU).map((v) => expect.closeTo(v, 6)));
  });

  it('knows the true ground size of a pixel at the tile\'s latitude', () => {
    expect(latitudeOf(0)).toBe(0);
    expect(latitudeOf(WORLD_HALF)).toBeCloseTo(85.0511, 4);
    expect(latitudeOf((tileBounds(QINGPU)[1] + tileBounds(QINGPU)[3]) / 2)).toBeCloseTo(31.0676, 4);
    expect(groundPixelSize(QINGPU)).toBeCloseTo(0.511_506, 6);
  });

  it('reads a drifted raster where its content truly lies: the drift in ground metres, stretched by 1/cos(lat)', () => {
    const gt = readGeoTransform(QINGPU, 1, { dx: 2, dy: -1 });
    const plain = tileGeoTransform(QINGPU, 1);
    expect(gt[0] - plain[0]).toBeCloseTo(2 / Math.cos((31.0676 * Math.PI) / 180), 3);
    expect(gt[3] - plain[3]).toBeCloseTo(-1 / Math.cos((31.0676 * Math.PI) / 180), 3);
  });

  it('tells overlapping extents from touching and separate ones', () => {
    expect(extentsIntersect([0, 0, 10, 10], [5, 5, 20, 20])).toBe(true);
    expect(extentsIntersect([0, 0, 10, 10], [10, 0, 20, 10])).toBe(false);
    expect(extentsIntersect([0, 0, 10, 10], [0, 11, 10, 20])).toBe(false);
  });
});
