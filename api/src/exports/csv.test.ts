import { describe, expect, it } from 'vitest';
import type { CandidateExportRow } from '#db/sql/candidate-reads.js';
import { exportFilename, attachment } from './attachment.js';
import { BOM, csvCell } from '../csv.js';
import { candidatesCsv, CSV_HEADER } from './csv.js';

const row: CandidateExportRow = {
  id: '7', status: 'pending', change_type: 'rooftop_addition', priority: 80, area_m2: 42.5, height_gain_m: 3.2, score: 0.9, version: 1,
  village_code: 'V1', village: '新泾村, "东"', street_code: 'S1', street: '=HYPERLINK("x")', first_seen_at: '2026-10-15T13:44:00+08:00',
  last_seen_at: '2026-10-15T13:44:00+08:00', reasons: ['sensitive_zone', 'large'], lon: 121.1, lat: 31.2,
  wkt: 'MULTIPOLYGON(((121 31,121.1 31,121.1 31.1,121 31)))', geometry: { type: 'MultiPolygon', coordinates: [] },
};

describe('candidatesCsv', () => {
  it('starts with a BOM, quotes what needs quoting, ends lines with CRLF', () => {
    const csv = candidatesCsv([row]);
    expect(csv.startsWith(BOM)).toBe(true);
    const [header, line, end] = csv.slice(1).split('\r\n');
    expect(header).toBe(CSV_HEADER.join(','));
    expect(end).toBe('');
    expect(line).toContain('"新泾村, ""东"""');
    expect(line).toContain(`sensitive_zone; large,121.1,31.2,"MULTIPOLYGON(((121 31,121.1 31,121.1 31.1,121 31)))"`);
  });

  it('defuses text a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(null)).toBe('');
  });
});

describe('attachment names', () => {
  it('uses the Shanghai date', () => {
    expect(exportFilename('candidates', 'csv', new Date('2026-10-15T17:00:00Z'))).toBe('lingwei-candidates-2026-10-16.csv');
    expect(attachment('a"b.csv')).toBe('attachment; filename="a_b.csv"');
  });
});
