/**
 * Candidates as CSV for spreadsheets: UTF-8 with a byte-order mark (without it Excel reads the
 * Chinese village and street names as mojibake), CRLF lines and RFC 4180 quoting, the attribute
 * columns, then the centroid (lon, lat) and the outline as WKT, all in lon/lat (EPSG:4326).
 */
import type { CandidateExportRow } from '#db/sql/candidate-reads.js';
import { csvLines, writeCsv } from '../csv.js';
import { CANDIDATE_COLUMNS } from './candidate-columns.js';

export const CSV_HEADER = [...CANDIDATE_COLUMNS.map((c) => c.name), 'lon', 'lat', 'wkt'];

const cells = (row: CandidateExportRow) => [...CANDIDATE_COLUMNS.map((c) => c.value(row)), row.lon, row.lat, row.wkt];

export function candidatesCsv(rows: readonly CandidateExportRow[]): string {
  return writeCsv([CSV_HEADER, ...rows.map(cells)]);
}

/** The same text, a batch of rows at a time (the BOM and header first), for a streamed download. */
export async function* candidatesCsvChunks(batches: AsyncIterable<readonly CandidateExportRow[]>): AsyncGenerator<string> {
  yield writeCsv([CSV_HEADER]);
  for await (const rows of batches) yield csvLines(rows.map(cells));
}
