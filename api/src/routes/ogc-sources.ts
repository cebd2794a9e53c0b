/**
 * Where each OGC API collection's features come from: the SQL of its table family, asked for one
 * page (or one id) and for its extent. The candidates reuse the filters of GET /api/candidates.
 */
import type pg from 'pg';
import { adminAreaExtent, listAdminAreas } from '#db/sql/admin-areas.js';
import { candidateExtent, listCandidates, type CandidateFilter } from '#db/sql/candidate-reads.js';
import { listRegisterEntries, registerExtent } from '#db/sql/register.js';
import type { CollectionId, Extent } from '../ogc/collections.js';
import type { DatetimeRange } from '../ogc/datetime.js';

export interface ItemsRequest {
  id?: string;
  bbox?: [number, number, number, number];
  datetime?: DatetimeRange;
  limit: number;
  offset: number;
  /** Candidates only: the filters of GET /api/candidates besides bbox. */
  candidateFilter?: CandidateFilter;
}

export interface CollectionSource {
  items(pool: pg.Pool, request: ItemsRequest): Promise<{ features: object[]; matched: number }>;
  extent(pool: pg.Pool): Promise<Extent>;
}

export const COLLECTION_SOURCES: Record<CollectionId, CollectionSource> = {
  candidates: {
    items: (pool, r) => listCandidates(pool, { ...r.candidateFilter, id: r.id, bbox: r.bbox, seenDuring: r.datetime, limit: r.limit, offset: r.offset }),
    extent: (pool) => candidateExtent(pool),
  },
  register: {
    items: (pool, r) => listRegisterEntries(pool, { id: r.id, bbox: r.bbox, registeredDuring: r.datetime, limit: r.limit, offset: r.offset }),
    extent: (pool) => registerExtent(pool),
  },
  villages: {
    items: (pool, r) => listAdminAreas(pool, { level: 'village', id: r.id, bbox: r.bbox, limit: r.limit, offset: r.offset }),
    extent: async (pool) => ({ bbox: await adminAreaExtent(pool, 'village') }),
  },
};
