/**
 * The attribute columns of every candidate export (GeoPackage fields, CSV columns, GeoJSON
 * properties), in one list so that the three formats agree on names, order and types.
 */
import type { CandidateExportRow } from '#db/sql/candidate-reads.js';

export type ColumnType = 'integer' | 'integer64' | 'real' | 'string' | 'datetime';

export interface ExportColumn {
  name: string;
  type: ColumnType;
  value(row: CandidateExportRow): string | number | null;
}

const column = (name: keyof CandidateExportRow & string, type: ColumnType): ExportColumn => ({
  name, type, value: (row) => row[name] as string | number | null,
});

export const CANDIDATE_COLUMNS: readonly ExportColumn[] = [
  column('id', 'integer64'),
  column('status', 'string'),
  column('change_type', 'string'),
  column('priority', 'integer'),
  column('area_m2', 'real'),
  column('height_gain_m', 'real'),
  column('score', 'real'),
  column('version', 'integer'),
  column('village_code', 'string'),
  column('village', 'string'),
  column('street_code', 'string'),
  column('street', 'string'),
  column('first_seen_at', 'datetime'),
  column('last_seen_at', 'datetime'),
  // Triage reasons, joined: neither GeoPackage nor CSV has a list type every reader understands.
  { name: 'reasons', type: 'string', value: (row) => row.reasons?.join('; ') ?? null },
];

/** The row's attributes as a plain object, for GeoJSON properties. */
export function candidateProperties(row: CandidateExportRow): Record<string, string | number | null> {
  return Object.fromEntries(CANDIDATE_COLUMNS.map((c) => [c.name, c.value(row)]));
}
