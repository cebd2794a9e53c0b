/**
 * The one typed client of the Lingwei API the viewer uses. Requests go to the same origin with the
 * session cookie; every failure becomes an ApiError carrying the problem+json body, so screens can
 * explain it (a 409 carries the candidate's fresh state in `problem.current`).
 */
import type { ReviewRequest } from '#api/review/transitions.js';
import type { TriageNotes as RecordedTriageNotes } from '#domain/triage.js';
import type { Role } from '#domain/vocabulary.js';

export type { Role };
export interface User { id: string; username: string; role: Role }

// The review request is the API's own contract (a pure module, bundled as is), never a copy.
export { REJECT_REASONS, type RejectReason, type ReviewAction, type ReviewRequest } from '#api/review/transitions.js';

export interface Problem {
  title: string;
  status: number;
  detail?: string;
  current?: { status: string; version: number };
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  }
}

type Geometry = { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };

export interface CandidateSummary {
  type: 'Feature';
  id: number | string;
  geometry: Geometry;
  properties: {
    status: string; change_type: string; priority: number; area_m2: number; height_gain_m: number | null; score: number | null;
    version: number; village: string | null; street: string | null; first_seen_at: string; last_seen_at: string; reasons: string[] | null;
  };
}

/** The triage a candidate carries (domain/triage.ts); rows stored before a list was added may lack it. */
export type TriageNotes = Partial<RecordedTriageNotes>;

export interface Observation {
  flight_id: number | string;
  /** When the row was written; captured_at is when the flight was flown. */
  observed_at: string;
  captured_at: string | null;
  /** The earlier flight the "before" chip was cut from, and when it was flown. */
  before_flight_id: number | string | null;
  before_captured_at: string | null;
  area_m2: number | null;
  height_gain_m: number | null;
  score: number | null;
  evidence_before: string | null;
  evidence_after: string | null;
  /** This flight saw under half the candidate's outline: kept in the history, not its picture. */
  sliver: boolean;
  /** The model-store version that detected it in this flight ("shipped": the networks in models/). */
  model_version?: string | null;
}

export interface AuditRow {
  at: string; action: string; actor: string | null; from_status: string | null; to_status: string | null;
  reason_code: string | null; reason_text: string | null; version: number;
  /** The flight that raised, re-observed or confirmed it (the pipeline's rows), and when it was flown. */
  flight_id: number | string | null; flight_captured_at: string | null;
}

export interface CandidateDetail {
  type: 'Feature';
  id: number | string;
  geometry: Geometry;
  properties: {
    id: number | string; status: string; change_type: string; priority: number; area_m2: number; height_gain_m: number | null;
    score: number | null; version: number; triage: TriageNotes | null; first_seen_at: string; last_seen_at: string;
    first_flight_id: number | string | null; last_flight_id: number | string | null;
    /** The model-store version whose detection raised it; null for candidates not raised by a detection. */
    model_version: string | null;
    village: string | null; street: string | null;
    /** A point on it, [lon, lat]. */
    centre: [number, number];
  };
  observations: Observation[];
  audit: AuditRow[];
}

export interface Flight {
  id: string; kind: string; status: string; stage: string | null; progress: number | null; captured_at: string | null; operator: string | null;
}

/** The online basemap the API is configured with (GET /api/viewer-config); null: none, offline. */
export interface BasemapSettings { imagery: string[]; labels: string[]; attribution: string | null; maxzoom: number }

export interface ScheduleRow {
  id: string; candidate_id: string; scheduled_for: string; team: string; status: 'scheduled' | 'done' | 'cancelled';
  demolished_at: string | null; confirmation: 'confirmed' | 'still_standing' | null; confirmed_by_flight_id: string | null;
  confirmed_on: string | null; candidate_status: string; candidate_version: number; change_type: string; area_m2: number;
  street: string | null; street_code: string | null; village: string | null; center: [number, number];
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
  login: (username: string, password: string) => request<{ user: User }>('POST', '/api/login', { username, password }),
  logout: () => request<{ ok: boolean }>('POST', '/api/logout'),
  me: () => request<{ user: User }>('GET', '/api/me'),
  candidates: (filter: { status?: string; type?: string; min_area?: number; bbox?: string; limit?: number; offset?: number }) =>
    request<{ features: CandidateSummary[]; numberMatched: number }>('GET', `/api/candidates${query(filter)}`),
  candidate: (id: string) => request<CandidateDetail>('GET', `/api/candidates/${encodeURIComponent(id)}`),
  review: (id: string, body: ReviewRequest) => request<{ id: string; status: string; version: number }>('POST', `/api/candidates/${encodeURIComponent(id)}/review`, body),
  flights: () => request<{ flights: Flight[] }>('GET', '/api/flights?limit=500'),
  /** The newest finished flight over a view ([w, s, e, n]), or null. */
  flightCovering: (bbox: readonly number[]) => request<{ flight: { id: string; captured_at: string | null } | null }>('GET', `/api/flights/covering${query({ bbox: bbox.map((v) => v.toFixed(6)).join(',') })}`),
  viewerConfig: () => request<{ basemap: BasemapSettings | null }>('GET', '/api/viewer-config'),
  flight: (id: string) => request<Flight & { footprint: { type: string; coordinates: unknown } | null }>('GET', `/api/flights/${encodeURIComponent(id)}`),
  schedule: (filter: { from?: string; to?: string; street?: string; team?: string; status?: string; candidate?: string }) =>
    request<{ schedules: ScheduleRow[] }>('GET', `/api/schedule${query(filter)}`),
  overlay: (name: 'permits' | 'zones') => request<{ type: 'FeatureCollection'; features: unknown[] }>('GET', `/api/overlays/${name}`),
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
