/**
 * Candidates as a GeoPackage, through GDAL: one layer "candidates", MultiPolygons in EPSG:4326
 * (x = lon, which gdal.ts makes GDAL's axis order), the attribute columns as typed fields. Written
 * to a file, since SQLite needs one; the caller streams and removes it.
 */
import type { CandidateExportRow } from '../../../db/sql/candidates.js';
import gdal from '../../../pipeline/src/gdal.js';
import { CANDIDATE_COLUMNS, type ColumnType } from './candidate-columns.js';

const FIELD_TYPES: Record<ColumnType, string> = {
  integer: gdal.OFTInteger, integer64: gdal.OFTInteger64, real: gdal.OFTReal, string: gdal.OFTString, datetime: gdal.OFTDateTime,
};

/**
 * Builds the layer in memory, then lets ogr2ogr's own writer (gdal.vectorTranslate) copy it into
 * the GeoPackage in large transactions: row-by-row inserts would each be a SQLite commit.
 * Synchronous: a few thousand candidates take milliseconds.
 */
export function writeCandidatesGeoPackage(file: string, rows: readonly CandidateExportRow[]): void {
  const memory = gdal.open('candidates', 'w', 'Memory');
  try {
    const layer = memory.layers.create('candidates', gdal.SpatialReference.fromEPSG(4326), gdal.wkbMultiPolygon);
    for (const c of CANDIDATE_COLUMNS) layer.fields.add(new gdal.FieldDefn(c.name, FIELD_TYPES[c.type]));
    for (const row of rows) {
      const feature = new gdal.Feature(layer);
      CANDIDATE_COLUMNS.forEach((c, index) => {
        const value = c.value(row);
        // GeoPackage date-times are UTC ("Z"); other offsets read back with a warning.
        if (value !== null) feature.fields.set(index, c.type === 'datetime' ? new Date(value).toISOString() : value);
      });
      feature.setGeometry(gdal.Geometry.fromGeoJson(row.geometry));
      layer.features.add(feature);
    }
    gdal.vectorTranslate(file, memory, ['-f', 'GPKG', '-nln', 'candidates']).close();
  } finally {
    memory.close();
  }
}
