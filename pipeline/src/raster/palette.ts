/** A raster's colour table read as grey levels (a palette PNG whose indices are a mask). */
import gdal from '../gdal.js';

/**
 * The grey level of each palette index when band 1 has a colour table (a palette PNG), so that a
 * mask stored as indices reads as the colours it shows; null otherwise.
 */
export function paletteGreys(file: string): Uint8Array | null {
  const dataset = gdal.open(file);
  try {
    const table = dataset.bands.get(1).colorTable;
    if (!table) return null;
    return Uint8Array.from({ length: table.count() }, (_, i) => {
      const { c1, c2, c3 } = table.get(i);
      return Math.round((c1 + c2 + c3) / 3);
    });
  } finally {
    dataset.close();
  }
}
