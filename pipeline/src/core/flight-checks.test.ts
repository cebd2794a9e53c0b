import { describe, expect, it } from 'vitest';
import { checkFlightPair, checkFlightRaster, groundResolutionM, type RasterMetadata } from './flight-checks.js';

const ortho: RasterMetadata = {
  width: 6000,
  height: 6000,
  bandCount: 3,
  dataType: 'Byte',
  geoTransform: [604_000, 0.1, 0, 3_447_000, 0, -0.1],
  srsWkt: 'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 120E"]',
  srsUsable: true,
  isGeographic: false,
  nodata: null,
  lonLatBounds: [121.09, 31.13, 121.1, 31.14],
};
const dsm: RasterMetadata = { ...ortho, width: 3000, height: 3000, bandCount: 1, dataType: 'Float32', geoTransform: [604_000, 0.2, 0, 3_447_000, 0, -0.2], nodata: -9999 };

describe('checkFlightRaster', () => {
  it('accepts a drone orthophoto and surface model', () => {
    expect(checkFlightRaster('orthophoto', ortho)).toEqual([]);
    expect(checkFlightRaster('surface_model', dsm)).toEqual([]);
  });

  it('explains a missing georeference', () => {
    expect(checkFlightRaster('orthophoto', { ...ortho, geoTransform: [0, 1, 0, 0, 0, 1], srsWkt: null })).toEqual([
      'The orthophoto (正射影像) has no georeference (no coordinate system or no pixel-to-map transform). Export it as a georeferenced GeoTIFF from the photogrammetry software (a .tfw or .prj file beside it is not uploaded with it: the georeference must be inside the GeoTIFF).',
    ]);
  });

  it('explains an unknown coordinate system', () => {
    expect(checkFlightRaster('orthophoto', { ...ortho, srsUsable: false })[0]).toContain('cannot be interpreted');
  });

  it('explains a one-band orthophoto and an 8-bit surface model', () => {
    expect(checkFlightRaster('orthophoto', { ...ortho, bandCount: 1 })).toEqual([
      'The orthophoto has 1 band(s); a colour RGB (3 bands) or RGBA (4 bands) image is needed.',
    ]);
    expect(checkFlightRaster('surface_model', { ...dsm, dataType: 'Byte' })[0]).toContain('an 8-bit image is a rendering');
    expect(checkFlightRaster('orthophoto', { ...ortho, dataType: 'Float32' })[0]).toContain('8-bit (Byte) or 16-bit');
  });

  it('explains absurd sizes and resolutions', () => {
    expect(checkFlightRaster('orthophoto', { ...ortho, width: 500_000 })[0]).toContain('larger than the 200000 pixel limit');
    expect(checkFlightRaster('orthophoto', { ...ortho, width: 10, height: 10 })[0]).toContain('only 10 x 10 pixels');
    expect(checkFlightRaster('orthophoto', { ...ortho, geoTransform: [604_000, 30, 0, 3_447_000, 0, -30] })[0]).toContain('30.000 m per pixel');
    expect(checkFlightRaster('orthophoto', { ...ortho, width: 190_000, height: 190_000, geoTransform: [604_000, 0.2, 0, 3_447_000, 0, -0.2] })[0]).toContain('1444 km², more than');
  });

  it('converts degrees to metres for geographic rasters', () => {
    const geographic = { ...ortho, isGeographic: true, geoTransform: [121.09, 1e-6, 0, 31.14, 0, -1e-6] as RasterMetadata['geoTransform'] };
    expect(groundResolutionM(geographic)).toBeCloseTo(0.0953, 3);
  });
});

describe('checkFlightPair', () => {
  it('accepts a surface model covering the orthophoto', () => {
    expect(checkFlightPair(ortho, dsm)).toEqual([]);
  });
  it('explains a surface model elsewhere', () => {
    expect(checkFlightPair(ortho, { ...dsm, lonLatBounds: [121.5, 31.2, 121.51, 31.21] })[0]).toContain('does not overlap the orthophoto at all');
    expect(checkFlightPair(ortho, { ...dsm, lonLatBounds: [121.098, 31.13, 121.11, 31.14] })[0]).toContain('covers only 20%');
  });
});
