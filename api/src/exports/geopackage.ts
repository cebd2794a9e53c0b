/**
 * Candidates as a GeoPackage, through the raster layer's GeoPackage writer: one layer
 * "candidates", MultiPolygons in EPSG:4326, the attribute columns as typed fields. Written to a
 * file, since SQLite needs one; the caller streams and removes it.
 */
import type { CandidateExportRow } from '#db/sql/candidate-reads.js';
import { writeGeoPackage, type GeoPackageFeature } from '#pipeline/raster/index.js';
import { CANDIDATE_COLUMNS } from './candidate-columns.js';

function asFeature(row: CandidateExportRow): GeoPackageFeature {
  const values = CANDIDATE_COLUMNS.map((c) => {
    const value = c.value(row);
    // GeoPackage date-times are UTC ("Z"); other offsets read back with a warning.
    return value !== null && c.type === 'datetime' ? new Date(value).toISOString() : value;
  });
  return { geometry: row.geometry, values };
}

async function* asFeatures(batches: AsyncIterable<readonly CandidateExportRow[]>): AsyncIterable<GeoPackageFeature[]> {
  for await (const rows of batches) yield rows.map(asFeature);
}

/** Up to EXPORT_MAX_ROWS candidates, without holding the event loop (see raster/write-geopackage.ts). */
export function writeCandidatesGeoPackage(file: string, batches: AsyncIterable<readonly CandidateExportRow[]>): Promise<void> {
  return writeGeoPackage(file, 'candidates', CANDIDATE_COLUMNS, asFeatures(batches));
}
