/**
 * North-up raster grids: the geometry every preprocessing step works on. A grid is a GDAL
 * geotransform plus a size; rotated geotransforms are refused because drone orthophotos, surface
 * models and the model's chips are all north-up, and supporting rotation everywhere would cost
 * more than asking GDAL to warp the odd rotated input first.
 */

/** GDAL order: [west, pixel width, 0, north, 0, -pixel height] (CRS units, metres here). */
export type GeoTransform = readonly [number, number, number, number, number, number];

export interface Grid {
  width: number;
  height: number;
  geoTransform: GeoTransform;
}

/** A single-band raster on a grid; `nodata` marks missing cells (NaN is always missing). */
export interface Band<T extends ArrayLike<number> = Float32Array> {
  grid: Grid;
  data: T;
  nodata?: number | null;
}

/** Extent in CRS units: [minX, minY, maxX, maxY]. */
export type Extent = readonly [number, number, number, number];

export function assertNorthUp(grid: Grid, what = 'raster'): void {
  const [, dx, rx, , ry, dy] = grid.geoTransform;
  if (rx !== 0 || ry !== 0 || !(dx > 0) || !(dy < 0)) {
    throw new Error(`${what}: only north-up rasters are supported (geotransform ${grid.geoTransform.join(', ')}); warp it first (gdalwarp)`);
  }
  if (!(grid.width > 0 && grid.height > 0) || !Number.isInteger(grid.width) || !Number.isInteger(grid.height)) {
    throw new Error(`${what}: bad size ${grid.width}x${grid.height}`);
  }
}

/** Pixel width in CRS units (metres for the projected systems used here). */
export function gsdOf(grid: Grid): number {
  return grid.geoTransform[1];
}

export function extentOf(grid: Grid): Extent {
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  return [x0, y0 + grid.height * dy, x0 + grid.width * dx, y0];
}

/**
 * The grid of square `gsd` pixels covering `extent`, anchored at its upper-left corner. The size
 * is rounded to the nearest whole pixel (a sliver under half a pixel is dropped) so that a
 * 0.1 m raster of 2000 pixels becomes exactly 400 pixels at 0.5 m.
 */
export function gridForExtent(extent: Extent, gsd: number): Grid {
  const [minX, minY, maxX, maxY] = extent;
  const width = Math.max(1, Math.round((maxX - minX) / gsd - 1e-6));
  const height = Math.max(1, Math.round((maxY - minY) / gsd - 1e-6));
  return { width, height, geoTransform: [minX, gsd, 0, maxY, 0, -gsd] };
}

/** The same area as `grid` at another ground resolution. */
export function regrid(grid: Grid, gsd: number): Grid {
  return gridForExtent(extentOf(grid), gsd);
}

/** A window of `grid`: columns col0.. and rows row0.., possibly reaching outside it. */
export function subGrid(grid: Grid, col0: number, row0: number, width: number, height: number): Grid {
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  return { width, height, geoTransform: [x0 + col0 * dx, dx, 0, y0 + row0 * dy, 0, dy] };
}

/** Fractional pixel position (0,0 = upper-left corner of pixel 0,0) of a CRS point. */
export function worldToPixel(grid: Grid, x: number, y: number): [number, number] {
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  return [(x - x0) / dx, (y - y0) / dy];
}

/** CRS coordinates of a fractional pixel position. */
export function pixelToWorld(grid: Grid, col: number, row: number): [number, number] {
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  return [x0 + col * dx, y0 + row * dy];
}

/** Two grids are the same when sizes match and corners agree within a hundredth of a pixel. */
export function sameGrid(a: Grid, b: Grid): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  const tol = Math.abs(a.geoTransform[1]) * 0.01;
  return a.geoTransform.every((v, i) => Math.abs(v - b.geoTransform[i]!) <= tol);
}

/** 1 where a value is present: not NaN and not the nodata value. */
export function validMask(band: Band<ArrayLike<number>>): Uint8Array {
  const { data } = band;
  const nodata = band.nodata ?? null;
  // Float32 heights are what GDAL reads give: a loop over that one array type alone, so that
  // its element loads stay monomorphic (the generic loop below costs several times more).
  if (data instanceof Float32Array) return validFloat32(data, nodata === null ? Number.NaN : nodata);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < out.length; i++) {
    const v = data[i]!;
    out[i] = v === v && v !== nodata ? 1 : 0;
  }
  return out;
}

/** validMask for Float32 values; a NaN `nodata` equals no value, so it marks NaN cells alone. */
function validFloat32(data: Float32Array, nodata: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    out[i] = v === v && v !== nodata ? 1 : 0;
  }
  return out;
}
