/**
 * The candidate filters of the query string, shared by every route that selects candidates
 * (GET /api/candidates, the exports, OGC API items), so that one filter means the same everywhere.
 */
import type { CandidateFilter } from '#db/sql/candidate-reads.js';

export const CANDIDATE_STATUSES = ['pending', 'permitted', 'in_register', 'previously_rejected', 'verified', 'rejected', 'scheduled', 'demolished', 'demolition_confirmed', 'still_standing', 'merged'];
export const CANDIDATE_TYPES = ['new_structure', 'extension', 'rooftop_addition', 'added_floor', 'demolished'];
const list = (pattern: string) => ({ type: 'string', pattern: `^(${pattern})(,(${pattern}))*$` });

/** JSON schema properties of the filters (without paging). */
export const CANDIDATE_FILTER_PROPERTIES = {
  bbox: { type: 'string', maxLength: 200 },
  status: list(CANDIDATE_STATUSES.join('|')),
  type: list(CANDIDATE_TYPES.join('|')),
  village: { type: 'string', maxLength: 32 },
  street: { type: 'string', maxLength: 32 },
  min_area: { type: 'number', minimum: 0 },
  min_priority: { type: 'integer', minimum: 0, maximum: 100 },
  from: { type: 'string', format: 'date' },
  to: { type: 'string', format: 'date' },
} as const;

export interface CandidateFilterQuery {
  bbox?: string;
  status?: string;
  type?: string;
  village?: string;
  street?: string;
  min_area?: number;
  min_priority?: number;
  from?: string;
  to?: string;
}

/** "w,s,e,n" in degrees, or the reason it is not one. */
export function parseBbox(text: string): [number, number, number, number] | string {
  const values = text.split(',').map(Number);
  if (values.length !== 4 || !values.every(Number.isFinite)) return 'bbox must be four numbers: west,south,east,north (degrees)';
  const [w, s, e, n] = values as [number, number, number, number];
  if (w < -180 || e > 180 || s < -90 || n > 90) return 'bbox is out of range: longitudes -180..180, latitudes -90..90';
  if (w >= e || s >= n) return 'bbox must have west < east and south < north';
  return [w, s, e, n];
}

/** The filter a validated query string asks for, or the reason it cannot be one (a bad bbox). */
export function candidateFilterOf(q: CandidateFilterQuery): CandidateFilter | string {
  const bbox = q.bbox === undefined ? undefined : parseBbox(q.bbox);
  if (typeof bbox === 'string') return bbox;
  return {
    bbox, statuses: q.status?.split(','), types: q.type?.split(','), villageCode: q.village, streetCode: q.street,
    minAreaM2: q.min_area, minPriority: q.min_priority, from: q.from, to: q.to,
  };
}
