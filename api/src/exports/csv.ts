/**
 * Candidates as CSV for spreadsheets: UTF-8 with a byte-order mark (without it Excel reads the
 * Chinese village and street names as mojibake), CRLF lines and RFC 4180 quoting, the attribute
 * columns, then the centroid (lon, lat) and the outline as WKT, all in lon/lat (EPSG:4326).
 */
import type { CandidateExportRow } from '../../../db/sql/candidates.js';
import { CANDIDATE_COLUMNS } from './candidate-columns.js';

export const BOM = '\uFEFF';

/** One CSV cell. Text that a spreadsheet would run as a formula (=, +, -, @) is defused with a quote. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_HEADER = [...CANDIDATE_COLUMNS.map((c) => c.name), 'lon', 'lat', 'wkt'];

export function candidatesCsv(rows: readonly CandidateExportRow[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const row of rows) {
    lines.push([...CANDIDATE_COLUMNS.map((c) => c.value(row)), row.lon, row.lat, row.wkt].map(csvCell).join(','));
  }
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
