/**
 * The 3D baseline as rasters on a chip's grid: what is legally standing (footprint) and how tall
 * (height above ground). The pipeline fetches baseline buildings from PostGIS, transforms them to
 * the flight's CRS and calls this; training and evaluation call it on the same polygons, so the
 * model always sees baselines drawn the same way.
 */
import type { Grid } from './grid.js';
import { fillPolygon, type PolygonRings } from './polygon-fill.js';

export interface BaselineBuilding {
  /** Polygon in the raster's CRS: exterior ring first, then holes (GeoJSON Polygon coordinates). */
  rings: PolygonRings;
  /** Roof top above ground, metres (the baseline's height_m). */
  heightM: number;
}

export interface BaselineRasters {
  /** Height above ground of the tallest baseline building covering each pixel; 0 outside. */
  height: Float32Array;
  /** 1 where a baseline building covers the pixel centre. */
  footprint: Uint8Array;
  /**
   * Which building covers the pixel (its index in the list + 1, the tallest where they overlap),
   * 0 outside; the building split (building-split.ts) tells adjacent buildings apart by it.
   * Absent from hand-made rasters, which then are never split.
   */
  building?: Int32Array;
}

/**
 * Rasterises baseline buildings on `grid` (pixel-centre rule). A building without a usable height
 * (NaN, negative) still marks its footprint, with height 0.
 */
export function rasteriseBaseline(buildings: readonly BaselineBuilding[], grid: Grid): BaselineRasters {
  const height = new Float32Array(grid.width * grid.height);
  const footprint = new Uint8Array(grid.width * grid.height);
  const building = new Int32Array(grid.width * grid.height);
  buildings.forEach((b, index) => {
    const h = Number.isFinite(b.heightM) && b.heightM > 0 ? b.heightM : 0;
    fillPolygon(grid, b.rings, (row, c0, c1) => {
      const base = row * grid.width;
      for (let c = base + c0; c < base + c1; c++) {
        if (!footprint[c] || h > height[c]!) building[c] = index + 1;
        footprint[c] = 1;
        if (h > height[c]!) height[c] = h;
      }
    });
  });
  return { height, footprint, building };
}
