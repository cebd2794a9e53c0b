/**
 * The one typed client of the Lingwei API the viewer uses. Requests go to the same origin with the
 * session cookie; every failure becomes an ApiError carrying the problem+json body, so screens can
 * explain it (a 409 carries the candidate's fresh state in `problem.current`).
 */
import type {
  CandidateDetail, CandidateList, FlightCovering, FlightDetail, FlightList, LogoutReply, OverlayCollection, Problem, ReviewReply,
  ReviewRequest, ScheduleList, UserReply, ViewerConfig,
} from '#api/api-contract.js';

// The bodies are the API's contract (api/src/api-contract.ts, what the routes type their replies
// with), never copies; the screens take them from here.
export type {
  AuditRow, BasemapSettings, CandidateDetail, CandidateSummary, FlightListItem as Flight, Observation, Problem, Role, ScheduleRow, TriageNotes, User,
} from '#api/api-contract.js';
export { REJECT_REASONS, type RejectReason, type ReviewAction, type ReviewRequest } from '#api/api-contract.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  }
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const problem = (data ?? { title: response.statusText, status: response.status }) as Problem;
    throw new ApiError(response.status, problem);
  }
  return data as T;
}

export const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const api = {
  login: (username: string, password: string) => request<UserReply>('POST', '/api/login', { username, password }),
  logout: () => request<LogoutReply>('POST', '/api/logout'),
  me: () => request<UserReply>('GET', '/api/me'),
  candidates: (filter: { status?: string; type?: string; min_area?: number; bbox?: string; limit?: number; offset?: number }) =>
    request<CandidateList>('GET', `/api/candidates${query(filter)}`),
  candidate: (id: string) => request<CandidateDetail>('GET', `/api/candidates/${encodeURIComponent(id)}`),
  review: (id: string, body: ReviewRequest) => request<ReviewReply>('POST', `/api/candidates/${encodeURIComponent(id)}/review`, body),
  flights: () => request<FlightList>('GET', '/api/flights?limit=500'),
  /** The newest finished flight over a view ([w, s, e, n]), or null. */
  flightCovering: (bbox: readonly number[]) => request<FlightCovering>('GET', `/api/flights/covering${query({ bbox: bbox.map((v) => v.toFixed(6)).join(',') })}`),
  viewerConfig: () => request<ViewerConfig>('GET', '/api/viewer-config'),
  flight: (id: string) => request<FlightDetail>('GET', `/api/flights/${encodeURIComponent(id)}`),
  schedule: (filter: { from?: string; to?: string; street?: string; team?: string; status?: string; candidate?: string }) =>
    request<ScheduleList>('GET', `/api/schedule${query(filter)}`),
  overlay: (name: 'permits' | 'zones') => request<OverlayCollection>('GET', `/api/overlays/${name}`),
};

/** URL shapes of the raster routes (orthophoto / surface-model XYZ tiles, evidence chips). */
export const rasterUrls = {
  /** The surface model as a colour ramp of heights, so a structure that grew shows in a warmer colour. */
  flightTiles: (flightId: string, kind: 'ortho' | 'dsm') => `/api/flights/${flightId}/tiles/${kind}/{z}/{x}/{y}.${kind === 'ortho' ? 'webp' : 'png?style=ramp'}`,
  evidence: (candidateId: string, flightId: string, which: 'before' | 'after') => `/api/candidates/${candidateId}/evidence/${flightId}/${which}`,
  /** A flight's Cloud Optimized GeoTIFF (for GIS tools, or to download). */
  flightFile: (flightId: string, kind: 'ortho' | 'dsm') => `/api/flights/${flightId}/assets/${kind}.tif`,
  stacItem: (flightId: string) => `/api/stac/collections/flights/items/${flightId}`,
};
