/**
 * Scanline fill of polygons given in a grid's CRS. A pixel belongs to a polygon when its centre
 * does (even-odd rule, so holes cut out), which makes pixel count x pixel area converge on the
 * polygon's area: the baseline height raster and every truth mask in evaluation rely on that.
 */
import type { Grid } from './grid.js';

/** Polygon rings, exterior first then holes, as GeoJSON Polygon coordinates ([x, y, ...z]). */
export type PolygonRings = readonly (readonly (readonly number[])[])[];

/** Called with each run of covered pixels: row, first column, column after the last. */
export type SpanFn = (row: number, col0: number, col1: number) => void;

export function fillPolygon(grid: Grid, rings: PolygonRings, span: SpanFn): void {
  const [x0, dx, , y0, , dy] = grid.geoTransform;
  // Edges in pixel coordinates (column, row of the continuous grid).
  const edges: number[] = [];
  let minRow = Infinity;
  let maxRow = -Infinity;
  for (const ring of rings) {
    const n = ring.length;
    if (n < 3) continue;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const a = ring[j]!;
      const b = ring[i]!;
      const ar = (a[1]! - y0) / dy;
      const br = (b[1]! - y0) / dy;
      edges.push((a[0]! - x0) / dx, ar, (b[0]! - x0) / dx, br);
      minRow = Math.min(minRow, ar, br);
      maxRow = Math.max(maxRow, ar, br);
    }
  }
  if (!edges.length) return;
  const r0 = Math.max(0, Math.floor(minRow - 0.5));
  const r1 = Math.min(grid.height - 1, Math.ceil(maxRow - 0.5));
  const xs: number[] = [];
  for (let r = r0; r <= r1; r++) {
    const yc = r + 0.5;
    xs.length = 0;
    for (let e = 0; e < edges.length; e += 4) {
      const ac = edges[e]!;
      const ar = edges[e + 1]!;
      const bc = edges[e + 2]!;
      const br = edges[e + 3]!;
      if ((ar <= yc && yc < br) || (br <= yc && yc < ar)) xs.push(ac + ((yc - ar) / (br - ar)) * (bc - ac));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Columns whose centre c + 0.5 lies in [xs[k], xs[k+1]).
      const c0 = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const c1 = Math.min(grid.width, Math.ceil(xs[k + 1]! - 0.5));
      if (c1 > c0) span(r, c0, c1);
    }
  }
}

/** A 0/1 mask of the pixels covered by any of the polygons. */
export function polygonMask(grid: Grid, polygons: readonly PolygonRings[]): Uint8Array {
  const mask = new Uint8Array(grid.width * grid.height);
  for (const rings of polygons) fillPolygon(grid, rings, (row, c0, c1) => mask.fill(1, row * grid.width + c0, row * grid.width + c1));
  return mask;
}

/** Pixel labels: polygon i covers its pixels with i + 1 (later polygons win overlaps); 0 elsewhere. */
export function polygonLabels(grid: Grid, polygons: readonly PolygonRings[]): Int32Array {
  const labels = new Int32Array(grid.width * grid.height);
  polygons.forEach((rings, i) => fillPolygon(grid, rings, (row, c0, c1) => labels.fill(i + 1, row * grid.width + c0, row * grid.width + c1)));
  return labels;
}

/** Area of a polygon (exterior minus holes) in CRS units squared, by the shoelace formula. */
export function polygonArea(rings: PolygonRings): number {
  let total = 0;
  rings.forEach((ring, i) => {
    let a = 0;
    for (let k = 0, j = ring.length - 1; k < ring.length; j = k++) a += ring[j]![0]! * ring[k]![1]! - ring[k]![0]! * ring[j]![1]!;
    total += (i === 0 ? 1 : -1) * Math.abs(a / 2);
  });
  return total;
}
