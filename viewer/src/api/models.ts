/**
 * The model store's API for admins (issue 19): versions with their held-back scores, which one
 * serves, adaptation jobs, promotion and rollback (api/src/routes/model-routes.ts).
 */
import type { AdaptQueued, AdaptRequest, ModelStoreReply, PromoteReply, RollbackReply } from '#api/api-contract.js';
import { request } from './client.js';

export type { AdaptJob, AdaptRequest, ModelStoreReply as ModelStore, ModelVersion } from '#api/api-contract.js';

export const modelsApi = {
  store: () => request<ModelStoreReply>('GET', '/api/models'),
  adapt: (body: AdaptRequest) => request<AdaptQueued>('POST', '/api/models/adapt', body),
  promote: (version: string, force = false) => request<PromoteReply>('POST', `/api/models/versions/${encodeURIComponent(version)}/promote`, { force }),
  rollback: () => request<RollbackReply>('POST', '/api/models/rollback'),
};
