/**
 * Polygonising a classified raster: the pieces of a flight's probability map (stages/vectorise.ts)
 * as polygons in the map's CRS.
 */
import gdal from '../gdal.js';

/** One polygon of pixels of one class: `rings` outer first, in the raster's CRS. */
export interface ClassPolygon {
  value: number;
  rings: number[][][];
}

/**
 * Classes of a two-band probability map (band 1 at or over `threshold`: class 1, else band 2: class
 * 2) in a GDAL in-memory raster, read `stripRows` rows at a time and polygonised in one pass.
 */
export async function polygoniseClasses(probabilityPath: string, threshold: number, stripRows: number): Promise<ClassPolygon[]> {
  const probability = gdal.open(probabilityPath);
  const { x: width, y: height } = probability.rasterSize;
  const classes = gdal.open('classes', 'w', 'MEM', width, height, 1, gdal.GDT_Byte);
  const vectors = gdal.open('pieces', 'w', 'Memory');
  try {
    classes.geoTransform = probability.geoTransform;
    const cut = Math.round(threshold * 255);
    for (let row = 0; row < height; row += stripRows) {
      const rows = Math.min(stripRows, height - row);
      const built = probability.bands.get(1).pixels.read(0, row, width, rows) as Uint8Array;
      const gone = probability.bands.get(2).pixels.read(0, row, width, rows) as Uint8Array;
      const strip = new Uint8Array(width * rows);
      for (let i = 0; i < strip.length; i += 1) strip[i] = built[i]! >= cut ? 1 : gone[i]! >= cut ? 2 : 0;
      classes.bands.get(1).pixels.write(0, row, width, rows, strip);
    }
    const layer = vectors.layers.create('pieces', null, gdal.wkbPolygon);
    layer.fields.add(new gdal.FieldDefn('class', gdal.OFTInteger));
    // Off the event loop: a large flight's polygonisation must not starve the job's lock renewal.
    await gdal.polygonizeAsync({ src: classes.bands.get(1), mask: classes.bands.get(1), dst: layer, pixValField: 0, connectedness: 8 });
    const pieces: ClassPolygon[] = [];
    for (const feature of layer.features) {
      const { coordinates } = JSON.parse((feature.getGeometry() as unknown as { toJSON(): string }).toJSON()) as { coordinates: number[][][] };
      pieces.push({ value: feature.fields.get('class') as number, rings: coordinates });
    }
    return pieces;
  } finally {
    vectors.close();
    classes.close();
    probability.close();
  }
}
