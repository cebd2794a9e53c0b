/**
 * Candidate details fetched ahead of the reviewer (the next ones in the queue), with their evidence
 * images warmed in the browser cache, so moving on after a decision needs no round trip.
 */
import { api, rasterUrls, type CandidateDetail } from '../api/client.js';
import { evidenceObservation } from './evidence-choice.js';

export class DetailCache {
  private readonly entries = new Map<string, Promise<CandidateDetail>>();

  get(id: string): Promise<CandidateDetail> {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = api.candidate(id);
      entry.catch(() => this.entries.delete(id));
      this.entries.set(id, entry);
    }
    return entry;
  }

  prefetch(id: string | undefined): void {
    if (!id || this.entries.has(id)) return;
    this.get(id).then((detail) => {
      const last = evidenceObservation(detail.observations);
      if (!last) return;
      for (const which of ['before', 'after'] as const) new Image().src = rasterUrls.evidence(id, String(last.flight_id), which);
    }).catch(() => undefined);
  }

  /** After a decision: the candidate's audit and version changed. */
  forget(id: string): void {
    this.entries.delete(id);
  }
}
