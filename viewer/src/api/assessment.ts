/**
 * The assessor's side of the API: villages and the zero-violation village assessment
 * (“零”违建居村) of a period, as JSON, and the addresses of its HTML and PDF exports.
 */
import type { Geometry } from 'geojson';
import { query, request } from './client.js';

export interface Village {
  id: string; code: string; name: string; name_en: string | null;
  street: { id: string; code: string; name: string } | null;
}

export type Criterion = 'no_illegal_in_register' | 'no_illegal_outside_register' | 'zero_new_construction' | 'full_coverage';

export type BlockingItem =
  | { kind: 'register_entry'; criterion: Criterion; reason: string; reasonZh: string; registerEntryId: string; externalId: string; status: string; areaM2: number }
  | { kind: 'candidate'; criterion: Criterion; reason: string; reasonZh: string; candidateId: string; changeType: string; status: string; areaM2: number; firstSeenAt: string | null }
  | { kind: 'coverage'; criterion: Criterion; reason: string; reasonZh: string; coveragePercent: number; requiredPercent: number };

export interface Assessment {
  village: { id: string; code: string; name: string; nameEn: string | null; street: string | null };
  period: { from: string; to: string };
  verdict: 'pass' | 'fail';
  criteria: Record<Criterion, boolean>;
  coverage: { percent: number; requiredPercent: number; villageAreaM2: number; coveredAreaM2: number; flights: Array<{ id: string; capturedAt: string; coveredM2: number }> };
  blocking: BlockingItem[];
  map: { village: Geometry; covered: Geometry | null; items: Array<{ kind: 'register_entry' | 'candidate'; id: string; geometry: Geometry }> };
}

export interface Period { from: string; to: string }

const base = (villageId: string) => `/api/villages/${encodeURIComponent(villageId)}/assessment`;

export const assessmentApi = {
  villages: () => request<{ villages: Village[]; numberMatched: number }>('GET', '/api/villages?limit=5000'),
  assess: (villageId: string, period: Period) => request<Assessment>('GET', `${base(villageId)}${query({ ...period })}`),
  /** The printable page, in English when `lang` is en (the server's default: Chinese). */
  htmlUrl: (villageId: string, period: Period, lang?: 'en') => `${base(villageId)}.html${query({ ...period, lang })}`,
  pdfUrl: (villageId: string, period: Period, lang?: 'en') => `${base(villageId)}.pdf${query({ ...period, lang })}`,
};
