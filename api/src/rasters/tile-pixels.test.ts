import { describe, expect, it } from 'vitest';
import { colourRamp, heightRange, hillshade, orthophotoRgba, rampColour } from './tile-pixels.js';

/** A 7 x 7 height grid (0.5 m pixels): a slope rising east and south with a 3 m block in the middle. */
const HEIGHTS = Array.from({ length: 49 }, (_, i) => {
  const [r, c] = [Math.floor(i / 7), i % 7];
  return Number((c * 0.9 + r * 0.4 + (r >= 2 && r <= 4 && c >= 2 && c <= 4 ? 3 : 0) + ((c * r) % 3) * 0.2).toFixed(2));
});
const ALL_VALID = new Array<number>(49).fill(1);
const grey = (rgba: Uint8Array) => Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4]!);
const alpha = (rgba: Uint8Array) => Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4 + 3]!);

describe('hillshade', () => {
  it('matches `gdaldem hillshade` (GDAL 3.6, azimuth 315, altitude 45) on the same grid', () => {
    // Golden values: gdaldem hillshade of HEIGHTS written as an ASCII grid with cellsize 0.5, interior 5 x 5.
    const golden = [
      221, 217, 205, 208, 234,
      196, 212, 209, 169, 144,
      178, 183, 232, 88, 63,
      174, 123, 50, 2, 107,
      175, 85, 38, 57, 198,
    ];
    const rgba = hillshade({ heights: HEIGHTS, valid: ALL_VALID, width: 5, height: 5, cellSize: 0.5 });
    expect(grey(rgba)).toEqual(golden);
    expect(alpha(rgba)).toEqual(new Array(25).fill(255));
  });

  it('shades flat ground at cos(45°) and leaves no-data transparent, drawing the edge flat', () => {
    const valid = [...ALL_VALID];
    valid[8] = 0; // the north-west interior pixel
    const flat = hillshade({ heights: new Array(49).fill(12), valid, width: 5, height: 5, cellSize: 0.5 });
    expect(grey(flat)[0]).toBe(0);
    expect(alpha(flat)[0]).toBe(0);
    expect(grey(flat).slice(1)).toEqual(new Array(24).fill(181)); // 1 + 254 * cos(45°)
  });
});

describe('the height colour ramp', () => {
  it('runs from blue through pale yellow to red, clamped beyond its ends', () => {
    expect(rampColour(0)).toEqual([43, 131, 186]);
    expect(rampColour(0.1)).toEqual([94, 167, 177]);
    expect(rampColour(0.5)).toEqual([255, 255, 191]);
    expect(rampColour(0.9)).toEqual([230, 85, 56]);
    expect(rampColour(1)).toEqual([215, 25, 28]);
    expect(rampColour(7)).toEqual([215, 25, 28]);
    expect(rampColour(-1)).toEqual([43, 131, 186]);
    expect(rampColour(Number.NaN)).toEqual([43, 131, 186]);
  });

  it('colours heights over the flight\'s range and leaves no-data transparent', () => {
    const heights = new Array<number>(9).fill(0);
    heights[4] = 15; // the one interior pixel of a 1 x 1 output with its margin
    const rgba = colourRamp({ heights, valid: new Array(9).fill(1), width: 1, height: 1, cellSize: 1 }, { low: 10, high: 20 });
    expect(Array.from(rgba)).toEqual([255, 255, 191, 255]);
    const none = colourRamp({ heights, valid: new Array(9).fill(0), width: 1, height: 1, cellSize: 1 }, { low: 10, high: 20 });
    expect(Array.from(none)).toEqual([0, 0, 0, 0]);
  });

  it('spans the 2nd to 98th percentile of the valid heights, at least 1 m', () => {
    const heights = Array.from({ length: 101 }, (_, i) => i); // 0..100 m
    heights[100] = 5000; // a spike
    expect(heightRange(heights, new Array(101).fill(1))).toEqual({ low: 2, high: 98 });
    expect(heightRange([4, 4, 4, -9999], [1, 1, 1, 0])).toEqual({ low: 3.5, high: 4.5 });
    expect(heightRange([1, 2], [0, 0])).toBeNull();
  });
});

describe('orthophoto pixels', () => {
  it('keep their colour where the warp had data, and are transparent outside and on the black collar', () => {
    const rgba = orthophotoRgba([200, 1, 90], [100, 1, 90], [50, 1, 90], [255, 255, 0]);
    expect(Array.from(rgba)).toEqual([200, 100, 50, 255, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
