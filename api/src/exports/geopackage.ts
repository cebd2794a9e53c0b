/**
 * Candidates as a GeoPackage, through GDAL: one layer "candidates", MultiPolygons in EPSG:4326
 * (x = lon, which gdal.ts makes GDAL's axis order), the attribute columns as typed fields. Written
 * to a file, since SQLite needs one; the caller streams and removes it.
 */
import type { CandidateExportRow } from '#db/sql/candidate-reads.js';
import gdal from '#pipeline/gdal.js';
import { CANDIDATE_COLUMNS, type ColumnType } from './candidate-columns.js';

const FIELD_TYPES: Record<ColumnType, string> = {
  integer: gdal.OFTInteger, integer64: gdal.OFTInteger64, real: gdal.OFTReal, string: gdal.OFTString, datetime: gdal.OFTDateTime,
};

/**
 * Builds the layer in memory, then lets ogr2ogr's own writer (gdal.vectorTranslateAsync) copy it
 * into the GeoPackage in large transactions: row-by-row inserts would each be a SQLite commit.
 * Every dataset and layer call is an *Async one, run on libuv's thread pool, so an export of up to
 * EXPORT_MAX_ROWS candidates never holds the event loop (tiles, uploads and SSE go on meanwhile);
 * only each feature's construction (a few microseconds) runs on it.
 */
export async function writeCandidatesGeoPackage(file: string, batches: AsyncIterable<readonly CandidateExportRow[]>): Promise<void> {
  // openAsync in 'w' mode creates through Driver.createAsync, which wants explicit (unused) raster sizes.
  const memory = await gdal.openAsync('candidates', 'w', 'Memory', 0, 0, 0);
  try {
    const layer = await memory.layers.createAsync('candidates', gdal.SpatialReference.fromEPSG(4326), gdal.wkbMultiPolygon);
    for (const c of CANDIDATE_COLUMNS) layer.fields.add(new gdal.FieldDefn(c.name, FIELD_TYPES[c.type]));
    for await (const rows of batches) {
      for (const row of rows) {
        const feature = new gdal.Feature(layer);
        CANDIDATE_COLUMNS.forEach((c, index) => {
          const value = c.value(row);
          // GeoPackage date-times are UTC ("Z"); other offsets read back with a warning.
          if (value !== null) feature.fields.set(index, c.type === 'datetime' ? new Date(value).toISOString() : value);
        });
        feature.setGeometry(gdal.Geometry.fromGeoJson(row.geometry));
        await layer.features.addAsync(feature);
      }
    }
    const written = await gdal.vectorTranslateAsync(file, memory, ['-f', 'GPKG', '-nln', 'candidates']);
    await written.flushAsync();
    written.close();
  } finally {
    memory.close();
  }
}
