/**
 * Candidates as one GeoJSON FeatureCollection (RFC 7946, lon/lat), written a batch of rows at a
 * time for a streamed download: the collection is never held whole, as text or as objects.
 */
import type { CandidateExportRow } from '#db/sql/candidate-reads.js';
import { candidateProperties } from './candidate-columns.js';

const feature = (row: CandidateExportRow) =>
  JSON.stringify({ type: 'Feature', id: Number(row.id), geometry: row.geometry, properties: candidateProperties(row) });

export async function* candidatesGeoJsonChunks(batches: AsyncIterable<readonly CandidateExportRow[]>): AsyncGenerator<string> {
  yield '{"type":"FeatureCollection","features":[';
  let first = true;
  for await (const rows of batches) {
    if (!rows.length) continue;
    yield (first ? '' : ',') + rows.map(feature).join(',');
    first = false;
  }
  yield ']}';
}
