/**
 * The API's contract: the JSON bodies of the routes the viewer calls, as they travel. The routes
 * type their replies with these (fastify's `Reply` generic) and the viewer's client
 * (viewer/src/api/) reads them, so a route whose answer drifts from what the viewer reads fails
 * `npm run typecheck`. Types only, apart from the review request's reasons, which the viewer and
 * the route validate alike (review/transitions.ts, a pure module).
 *
 * Timestamps are ISO 8601 strings, as JSON.stringify writes a Date; ids of bigint rows are
 * strings where the SQL casts them (::text), numbers where PostgreSQL's JSON writes them.
 */
import type { Geometry, MultiPolygon, Polygon } from 'geojson';
import type { TriageNotes as RecordedTriageNotes } from '#domain/triage.js';
import type { VillageAssessment } from '#domain/village-assessment.js';
import type { CandidateStatus, FlightStatus, Role } from '#domain/vocabulary.js';
import type { PeriodReport } from '#domain/weekly-report.js';

export { REJECT_REASONS, type RejectReason, type ReviewAction, type ReviewRequest } from './review/transitions.js';
export type { PeriodReport, Role, VillageAssessment };
export type { PeriodKind as ReportKind } from '#domain/report-periods.js';
export type { BlockingItem, Criterion } from '#domain/village-assessment.js';
export type { FigureKey, Figures, QuotaProgress, ReportArea } from '#domain/weekly-report.js';

/**
 * What a route may hand fastify for a body of type T: T, with a Date wherever T has a string (the
 * one conversion the serialiser makes for us: a Date becomes its ISO string).
 */
export type Sendable<T> = T extends string ? T | Date
  : T extends readonly (infer E)[] ? readonly Sendable<E>[]
    : T extends object ? { [K in keyof T]: Sendable<T[K]> }
      : T;

/** Every failure: RFC 9457 problem details (problem.ts); a 409 on review carries the candidate's state now. */
export interface Problem {
  title: string;
  status: number;
  detail?: string;
  current?: { status: string; version: number };
}

// ── accounts ─────────────────────────────────────────────────────────────────────────────────

export interface User { id: string; username: string; role: Role }
/** POST /api/login, GET /api/me. */
export interface UserReply { user: User }
/** POST /api/logout. */
export interface LogoutReply { ok: boolean }

/** POST /api/tokens, 201: the token (shown this once), for Bearer or as HTTP Basic's password. */
export interface TokenCreated {
  token: string; id: string; expires_at: string; expires_in_days: number;
  /** Why it lasts less than asked: it may outlive no session or token that asked for it. */
  limited_by?: string;
}
/** A session or token, never its secret. */
export interface TokenListing { id: string; username: string; kind: 'cookie' | 'bearer'; label: string | null; created_at: string; expires_at: string }
/** GET /api/tokens (`current`: the one the request came with), GET /api/admin/tokens. */
export interface TokenList { tokens: Array<TokenListing & { current?: boolean }> }
/** DELETE /api/admin/users/:username/tokens: how many were revoked. */
export interface RevokedReply { revoked: number }

// ── candidates and review ────────────────────────────────────────────────────────────────────

type Outline = Polygon | MultiPolygon;

/** A candidate in GET /api/candidates. */
export interface CandidateSummary {
  type: 'Feature';
  id: number | string;
  geometry: Outline;
  properties: {
    status: CandidateStatus; change_type: string; priority: number; area_m2: number; height_gain_m: number | null; score: number | null;
    version: number; village: string | null; street: string | null; first_seen_at: string | null; last_seen_at: string | null; reasons: string[] | null;
  };
}

/** GET /api/candidates. */
export interface CandidateList {
  type: 'FeatureCollection';
  numberMatched: number;
  numberReturned: number;
  features: CandidateSummary[];
}

/** The triage a candidate carries (domain/triage.ts); rows stored before a list was added may lack it. */
export type TriageNotes = Partial<RecordedTriageNotes>;

/** One flight's sighting of a candidate. */
export interface Observation {
  flight_id: number | string;
  /** When the row was written; captured_at is when the flight was flown. */
  observed_at: string;
  captured_at: string | null;
  /** The earlier flight the "before" chip was cut from (the one the detector compared with), and when it was flown. */
  before_flight_id: number | string | null;
  before_captured_at: string | null;
  area_m2: number | null;
  height_gain_m: number | null;
  score: number | null;
  /** The chips' addresses (GET /api/candidates/:id/evidence/:flight/before|after); null: none stored. */
  evidence_before: string | null;
  evidence_after: string | null;
  /** This flight saw under half the candidate's outline: kept in the history, not its picture. */
  sliver: boolean;
  /** The model-store version that detected it in this flight ("shipped": the networks in models/). */
  model_version: string | null;
}

/** One step of a candidate's audit trail. */
export interface AuditRow {
  at: string; action: string; actor: string | null; from_status: string | null; to_status: string | null;
  reason_code: string | null; reason_text: string | null; version: number;
  /** The flight that raised, re-observed or confirmed it (the pipeline's rows), and when it was flown. */
  flight_id: number | string | null; flight_captured_at: string | null;
}

/** GET /api/candidates/:id: the dossier. */
export interface CandidateDetail {
  type: 'Feature';
  id: number | string;
  geometry: Outline;
  properties: {
    id: number | string; status: CandidateStatus; change_type: string; priority: number; area_m2: number; height_gain_m: number | null;
    score: number | null; version: number; triage: TriageNotes | null; first_seen_at: string | null; last_seen_at: string | null;
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

/** POST /api/candidates/:id/review: the candidate's status and version after the decision. */
export interface ReviewReply { id: string; status: string; version: number }

/** GET /api/schedule: one field check. */
export interface ScheduleRow {
  id: string; candidate_id: string; scheduled_for: string; team: string; status: 'scheduled' | 'done' | 'cancelled';
  demolished_at: string | null; confirmation: 'confirmed' | 'still_standing' | null; confirmed_by_flight_id: string | null;
  confirmed_on: string | null; candidate_status: string; candidate_version: number; change_type: string; area_m2: number;
  street: string | null; street_code: string | null; village: string | null;
  /** [lon, lat] of a point on the candidate, to fly the map there. */
  center: [number, number];
}
export interface ScheduleList { schedules: ScheduleRow[] }

/** GET /api/overlays/:overlay (permits, zones): GeoJSON features as the SQL builds them. */
export interface OverlayCollection { type: 'FeatureCollection'; features: object[] }

// ── flights ──────────────────────────────────────────────────────────────────────────────────

/** A flight in GET /api/flights. */
export interface FlightListItem {
  id: string; kind: 'drone' | 'aerial_tiles'; status: FlightStatus; stage: string | null; progress: number;
  captured_at: string | null; operator: string | null; failure_reason: string | null; created_at: string;
  /** What the operator must know about a flight that ended done (no match with its reference, outside every area). */
  notices: string[];
  /** 1 for the queued flight a worker takes next, 2 for the one after, …; null unless queued. */
  queue_position: number | null;
  /** Which of its files (Cloud Optimized GeoTIFFs) can be opened. */
  has_orthophoto: boolean;
  has_surface_model: boolean;
}
export interface FlightList { flights: FlightListItem[] }

/** GET /api/flights/covering: the newest finished flight over a view, or null. */
export interface FlightCovering { flight: { id: string; captured_at: string | null } | null }

/** One of a flight's files. */
export interface FlightAsset {
  kind: 'orthophoto' | 'surface_model' | 'tile_set'; role: 'upload' | 'cog' | 'reduced'; uri: string; sha256: string | null; bytes: number | null;
  width: number | null; height: number | null; band_count: number | null; data_type: string | null; gsd_m: number | null; crs: string | null;
}

/** GET /api/flights/:id. */
export interface FlightDetail {
  id: string; kind: 'drone' | 'aerial_tiles'; status: FlightStatus; stage: string | null; progress: number; captured_at: string | null;
  operator: string | null; gsd_m: number | null; source_crs: string | null; shift_dx_m: number | null; shift_dy_m: number | null;
  failure_reason: string | null; notices: string[]; created_at: string;
  /** The footprint of valid pixels, lon/lat; null until ingest has traced it. */
  footprint: MultiPolygon | null;
  assets: FlightAsset[];
}

/** Each `progress` event of GET /api/flights/:id/events. */
export interface FlightProgress { status: FlightStatus; stage: string | null; progress: number; failure_reason: string | null }

/** POST /api/flights: uploads (tus ids) made into a flight. */
export interface NewFlight {
  orthophoto: string;
  surface_model?: string;
  captured_at: string;
  operator?: string;
  purpose?: 'patrol' | 'reference';
}
/** POST /api/flights: 201 for a new flight, 200 for the same uploads again (duplicate). */
export interface FlightCreated { id: string; url: string; events: string; duplicate: boolean }

// ── the viewer's settings ────────────────────────────────────────────────────────────────────

/** The online basemap the API is configured with; null: none, offline. */
export interface BasemapSettings { imagery: string[]; labels: string[]; attribution: string | null; maxzoom: number }
/** GET /api/viewer-config. */
export interface ViewerConfig { basemap: BasemapSettings | null }

// ── villages and reports ─────────────────────────────────────────────────────────────────────

export interface Village {
  id: string; code: string; name: string; name_en: string | null;
  street: { id: string; code: string; name: string } | null;
}
/** GET /api/villages. */
export interface VillageList { numberMatched: number; numberReturned: number; villages: Village[] }

/** GET /api/villages/:id/assessment: the assessment (domain/village-assessment.ts) and its map. */
export interface AssessmentReply extends VillageAssessment {
  map: {
    village: Geometry;
    /** The part of the village the period's done flights covered; null: none. */
    covered: Geometry | null;
    /** Every blocking register entry and candidate, keyed like the blocking items. */
    items: Array<{ kind: 'register_entry' | 'candidate'; id: string; geometry: Geometry }>;
  };
}

/** A report the weekly job stored. */
export interface StoredReport {
  id: string; kind: 'weekly' | 'monthly' | 'quarterly' | 'village_assessment'; periodStart: string; periodEnd: string;
  /** The period's label (2026-W47) when the content has one. */
  label: string | null;
  area: { id: string; code: string; name: string } | null;
  createdAt: string;
}
/** GET /api/reports/stored. */
export interface StoredReportList { reports: StoredReport[]; matched: number }

/** GET /api/reports/:kind/:period (format=json). */
export type PeriodReportReply = PeriodReport;

// ── the model store (admins) ─────────────────────────────────────────────────────────────────

export interface ModelVersion {
  version: string; promoted: boolean; created_at: string; network: string; base: string;
  metric: 'pixel_f1' | 'object_f1'; held_back: number; before: number; after: number; gain: number;
  /** Object F1 of the base and of the version on its patrol check (generated validation scenes); null for versions made before it. */
  patrol: { before: number; after: number } | null;
}

export interface Promotion { version: string; at: string; forced: boolean; margin: number | null; replaced: string }

/** What an adaptation job was asked (the request, and who asked). */
export interface AdaptJobData {
  folders?: string[]; fromDb?: { area: string; since: string }; steps?: number; seed?: number; name?: string;
  trainer?: { batch?: number; crop?: number; cache?: number; lr?: number; threads?: number };
  requestedBy?: string;
}

export interface AdaptJob {
  id: string; state: string; data: AdaptJobData;
  progress: { phase: string; fraction: number; line: string } | null;
  /** The adaptation's answer when done: the version it stored (and its held-back scores). */
  result: { version: string } | null;
  failure: string | null; queued_at: string; finished_at: string | null;
}

/** GET /api/models. */
export interface ModelStoreReply {
  store: string;
  /** The promoted version ("shipped": the networks in models/). */
  served: string;
  versions: ModelVersion[];
  promotions: Promotion[];
  jobs: AdaptJob[];
}

/** POST /api/models/adapt: folders in an evaluation layout, or an area and a first day of the office's database. */
export interface AdaptRequest { folders?: string[]; area?: string; since?: string; steps?: number; seed?: number; name?: string }
/** POST /api/models/adapt, 202. */
export interface AdaptQueued { job: string; data: AdaptJobData }

/** POST /api/models/versions/:version/promote. */
export interface PromoteReply {
  promoted: boolean; version: string; replaced: string; metric: 'pixel_f1' | 'object_f1';
  /** The version's figure and the served one's, on the version's held-back share. */
  candidate: number; current: number | null; margin: number | null; forced: boolean; message: string;
}

/** POST /api/models/rollback. */
export interface RollbackReply { from: string; to: string; message: string }
