/**
 * Which model-store version raised a candidate (issue 19), against the real database: a candidate
 * keeps the version of the run that raised it, each observation shows the version of its own run,
 * and the dossier (candidateDetail, what GET /api/candidates/:id sends) carries both.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '../connection.js';
import { createTestPool, emptyTables } from '../testing/test-database.js';
import { raiseCandidate, type ObservedChange } from './candidates.js';
import { createFlight, latestDetectionRun, startDetectionRun } from './flights.js';
import { candidateDetail } from './candidate-reads.js';

const pool = createTestPool();
afterAll(() => pool.end());
beforeEach(() => emptyTables(pool));

const square = (lon: number, lat: number, d = 0.0001) =>
  JSON.stringify({ type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] });

const change = (geometry: string): ObservedChange => ({
  geometry, changeType: 'new_structure', status: 'pending', priority: 40, triage: {}, heightGainM: 3, score: 0.9, evidenceBefore: null, evidenceAfter: null,
});

describe('the model version of a candidate', () => {
  it('is the raising run\'s; a later flight\'s observation shows its own run\'s version, and the dossier carries both', async () => {
    const first = await createFlight(pool, { capturedAt: '2026-10-15T10:00:00+08:00' });
    const run = await startDetectionRun(pool, first, 'change-detector.onnx', 'a'.repeat(64), { gsd: 0.5 }, 'office-1');
    expect(await latestDetectionRun(pool, first)).toMatchObject({ id: run, model_version: 'office-1' });
    const raised = await inTransaction(pool, (c) => raiseCandidate(c, first, run, change(square(121.1, 31.1))));

    const later = await createFlight(pool, { capturedAt: '2026-10-22T10:00:00+08:00' });
    const laterRun = await startDetectionRun(pool, later, 'change-detector.onnx', 'b'.repeat(64), { gsd: 0.5 }, 'office-2');
    expect(await inTransaction(pool, (c) => raiseCandidate(c, later, laterRun, change(square(121.10001, 31.1))))).toMatchObject({ outcome: 'observed' });

    const detail = (await candidateDetail(pool, raised.candidateId)) as { properties: { model_version: string }; observations: { flight_id: number; model_version: string }[] };
    expect(detail.properties.model_version).toBe('office-1');
    expect(detail.observations.map((o) => [String(o.flight_id), o.model_version])).toEqual([[first, 'office-1'], [later, 'office-2']]);
  });

  it('is "shipped" for a run started before versions were recorded (the column\'s default)', async () => {
    const flight = await createFlight(pool, {});
    const { rows } = await pool.query<{ id: string }>(`INSERT INTO detection_run (flight_id, model_name) VALUES ($1, 'old') RETURNING id::text`, [flight]);
    const raised = await inTransaction(pool, (c) => raiseCandidate(c, flight, rows[0]!.id, change(square(121.2, 31.2))));
    const detail = (await candidateDetail(pool, raised.candidateId)) as { properties: { model_version: string } };
    expect(detail.properties.model_version).toBe('shipped');
  });
});
