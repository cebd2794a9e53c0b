/**
 * The village assessment's adapter: gathers the facts of one village and period from PostGIS in
 * one read-only snapshot (so the register, the candidates and the flights agree with each other),
 * judges them with the pure core, and keeps the geometries the report's map draws and the blocking
 * candidates' newest evidence chips its page shows.
 */
import type { Geometry } from 'geojson';
import type pg from 'pg';
import { inReadOnlySnapshot } from '#db/connection.js';
import { villageById } from '#db/sql/admin-areas.js';
import { latestCaseEvidence, type CaseEvidence } from '#db/sql/evidence-chips.js';
import { candidatesInVillage, registerEntriesInVillage, villageCoverage } from '#db/sql/village-assessments.js';
import { assessVillage, BLOCKING_CANDIDATE_STATUSES, UNRESOLVED_REGISTER_STATUSES, type AssessmentPeriod, type VillageAssessment } from '#domain/village-assessment.js';
import type { CandidateStatus } from '#domain/vocabulary.js';
import { evidenceChipUrl } from '../routes/evidence-routes.js';

export interface AssessmentMap {
  village: Geometry;
  /** The part of the village the period's done flights covered; null: none. */
  covered: Geometry | null;
  /** Every blocking register entry and candidate, keyed like the blocking items. */
  items: Array<{ kind: 'register_entry' | 'candidate'; id: string; geometry: Geometry }>;
}

export interface VillageAssessmentReport {
  assessment: VillageAssessment;
  map: AssessmentMap;
  /** The newest evidence chips of each blocking candidate, by candidate id, for the printed page. */
  thumbnails: Map<string, CaseEvidence>;
}

/** The assessment of a village for [from, to), or null when there is no such village. */
export async function assessVillageInDatabase(pool: pg.Pool, villageId: string, period: AssessmentPeriod): Promise<VillageAssessmentReport | null> {
  return inReadOnlySnapshot(pool, async (client) => {
    const village = await villageById(client, villageId);
    if (!village) return null;
    const register = await registerEntriesInVillage(client, villageId, UNRESOLVED_REGISTER_STATUSES);
    const candidates = await candidatesInVillage(client, villageId, BLOCKING_CANDIDATE_STATUSES);
    const coverage = await villageCoverage(client, villageId, period.from, period.to);
    if (!coverage) return null;
    const assessment = assessVillage({
      village: { id: village.id, code: village.code, name: village.name, nameEn: village.name_en, street: village.street?.name ?? null },
      period,
      register: register.map(({ geometry: _, ...entry }) => entry),
      candidates: candidates.map(({ geometry: _, ...candidate }) => ({
        ...candidate,
        status: candidate.status as CandidateStatus,
        evidence: candidate.evidence.map((seen) => ({
          ...seen,
          before: seen.before ? evidenceChipUrl(candidate.id, seen.flightId, 'before') : null,
          after: seen.after ? evidenceChipUrl(candidate.id, seen.flightId, 'after') : null,
        })),
      })),
      coverage: { villageAreaM2: coverage.villageAreaM2, coveredAreaM2: coverage.coveredAreaM2, flights: coverage.flights },
    });
    // The map shows what blocks: the core decides which of the fetched rows those are.
    const blockingIds = new Set(assessment.blocking.map((item) =>
      item.kind === 'candidate' ? `candidate:${item.candidateId}` : item.kind === 'register_entry' ? `register_entry:${item.registerEntryId}` : ''));
    const items: AssessmentMap['items'] = [
      ...register.map((r) => ({ kind: 'register_entry' as const, id: r.id, geometry: JSON.parse(r.geometry) as Geometry })),
      ...candidates.map((c) => ({ kind: 'candidate' as const, id: c.id, geometry: JSON.parse(c.geometry) as Geometry })),
    ].filter((item) => blockingIds.has(`${item.kind}:${item.id}`));
    const blockingCandidates = assessment.blocking.flatMap((item) => (item.kind === 'candidate' ? [item.candidateId] : []));
    const thumbnails = await latestCaseEvidence(client, blockingCandidates);
    return {
      assessment,
      thumbnails,
      map: {
        village: JSON.parse(coverage.villageGeometry) as Geometry,
        covered: coverage.coveredGeometry ? JSON.parse(coverage.coveredGeometry) as Geometry : null,
        items,
      },
    };
  });
}
