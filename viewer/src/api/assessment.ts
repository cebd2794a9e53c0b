/**
 * The assessor's side of the API: villages and the zero-violation village assessment
 * (“零”违建居村) of a period, as JSON, and the addresses of its HTML and PDF exports.
 */
import type { AssessmentReply, VillageList } from '#api/api-contract.js';
import { query, request } from './client.js';

export type { AssessmentReply as Assessment, BlockingItem, Criterion, Village } from '#api/api-contract.js';

export interface Period { from: string; to: string }

const base = (villageId: string) => `/api/villages/${encodeURIComponent(villageId)}/assessment`;

export const assessmentApi = {
  villages: () => request<VillageList>('GET', '/api/villages?limit=5000'),
  assess: (villageId: string, period: Period) => request<AssessmentReply>('GET', `${base(villageId)}${query({ ...period })}`),
  /** The printable page, in English when `lang` is en (the server's default: Chinese). */
  htmlUrl: (villageId: string, period: Period, lang?: 'en') => `${base(villageId)}.html${query({ ...period, lang })}`,
  pdfUrl: (villageId: string, period: Period, lang?: 'en') => `${base(villageId)}.pdf${query({ ...period, lang })}`,
};
