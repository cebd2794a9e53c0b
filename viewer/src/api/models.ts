/**
 * The model store's API for admins (issue 19): versions with their held-back scores, which one
 * serves, adaptation jobs, promotion and rollback (api/src/routes/model-routes.ts).
 */
import { request } from './client.js';

export interface ModelVersion {
  version: string; promoted: boolean; created_at: string; network: string; base: string;
  metric: 'pixel_f1' | 'object_f1'; held_back: number; before: number; after: number; gain: number;
}

export interface AdaptJob {
  id: string; state: string;
  data: { folders?: string[]; fromDb?: { area: string; since: string }; steps?: number; requestedBy?: string };
  progress: { phase: string; fraction: number; line: string } | null;
  result: { version: string } | null; failure: string | null; queued_at: string; finished_at: string | null;
}

export interface ModelStore {
  store: string; served: string; versions: ModelVersion[];
  promotions: Array<{ version: string; at: string; forced: boolean; margin: number | null; replaced: string }>;
  jobs: AdaptJob[];
}

export interface AdaptRequest { folders?: string[]; area?: string; since?: string; steps?: number; seed?: number; name?: string }

export const modelsApi = {
  store: () => request<ModelStore>('GET', '/api/models'),
  adapt: (body: AdaptRequest) => request<{ job: string }>('POST', '/api/models/adapt', body),
  promote: (version: string, force = false) => request<{ message: string }>('POST', `/api/models/versions/${encodeURIComponent(version)}/promote`, { force }),
  rollback: () => request<{ message: string }>('POST', '/api/models/rollback'),
};
