/**
 * Writes polygons with attributes as a GeoPackage (lon/lat, EPSG:4326; x = lon, which gdal.ts makes
 * GDAL's axis order). Builds the layer in memory, then lets ogr2ogr's own writer
 * (gdal.vectorTranslateAsync) copy it into the GeoPackage in large transactions: row-by-row
 * inserts would each be a SQLite commit. Every dataset and layer call is an *Async one, run on
 * libuv's thread pool, so a large export never holds the event loop; only each feature's
 * construction (a few microseconds) runs on it.
 */
import gdal from '../gdal.js';

export type FieldType = 'integer' | 'integer64' | 'real' | 'string' | 'datetime';

const FIELD_TYPES: Record<FieldType, string> = {
  integer: gdal.OFTInteger, integer64: gdal.OFTInteger64, real: gdal.OFTReal, string: gdal.OFTString, datetime: gdal.OFTDateTime,
};

export interface GeoPackageFeature {
  /** GeoJSON geometry object (MultiPolygon), lon/lat. */
  geometry: object;
  /** One value per field, in the fields' order; null leaves the field unset. Date-times as ISO text in UTC. */
  values: ReadonlyArray<string | number | null>;
}

export async function writeGeoPackage(
  file: string,
  layerName: string,
  fields: ReadonlyArray<{ name: string; type: FieldType }>,
  batches: AsyncIterable<readonly GeoPackageFeature[]>,
): Promise<void> {
  // openAsync in 'w' mode creates through Driver.createAsync, which wants explicit (unused) raster sizes.
  const memory = await gdal.openAsync(layerName, 'w', 'Memory', 0, 0, 0);
  try {
    const layer = await memory.layers.createAsync(layerName, gdal.SpatialReference.fromEPSG(4326), gdal.wkbMultiPolygon);
    for (const f of fields) layer.fields.add(new gdal.FieldDefn(f.name, FIELD_TYPES[f.type]));
    for await (const features of batches) {
      for (const row of features) {
        const feature = new gdal.Feature(layer);
        row.values.forEach((value, index) => {
          if (value !== null) feature.fields.set(index, value);
        });
        feature.setGeometry(gdal.Geometry.fromGeoJson(row.geometry));
        await layer.features.addAsync(feature);
      }
    }
    const written = await gdal.vectorTranslateAsync(file, memory, ['-f', 'GPKG', '-nln', layerName]);
    await written.flushAsync();
    written.close();
  } finally {
    memory.close();
  }
}
