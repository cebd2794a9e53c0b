/**
 * CSV as Excel and WPS open it in China: UTF-8 with a byte-order mark (without it Excel reads
 * GBK and garbles 街镇 names), CRLF line ends, RFC 4180 quoting. Pure; the one CSV writer and
 * reader of the API (reports, quota files, candidate exports).
 *
 * @example
 * writeCsv([['街镇', 'm²'], ['华新镇', 120]]) // => '\uFEFF街镇,m²\r\n华新镇,120\r\n'
 */

export type CsvCell = string | number | null;

export const BOM = '\uFEFF';

/** One CSV cell. */
export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  // A text cell that starts like a formula would run as one in a spreadsheet: keep it text.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function writeCsv(rows: ReadonlyArray<ReadonlyArray<CsvCell>>): string {
  return BOM + csvLines(rows);
}

/** The lines of `rows`, without the BOM: what follows the first part of a CSV written in parts. */
export function csvLines(rows: ReadonlyArray<ReadonlyArray<CsvCell>>): string {
  return rows.map((row) => row.map(csvCell).join(',') + '\r\n').join('');
}

/** Rows of fields from CSV text (a BOM, CRLF or LF, quoted fields with commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const input = text.startsWith(BOM) ? text.slice(1) : text;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}
