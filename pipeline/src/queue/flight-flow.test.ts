import { describe, expect, it } from 'vitest';
import { COG_JOB_PRIORITY, flightFlow, flightJobId, flightOfJobId } from './flight-flow.js';
import { FLIGHT_CHAIN, FLIGHT_STAGES, overallProgress, type FlightStage } from '../stages/stage.js';

const flight = { id: '42', createdAt: new Date('2026-10-15T05:44:00Z') };

describe('the flight flow', () => {
  it('chains every stage, the first as the deepest child', () => {
    const names: string[] = [];
    for (let node: ReturnType<typeof flightFlow> | undefined = flightFlow(flight, 'p'); node; node = node.children?.[0]) names.push(node.name);
    expect(names).toEqual([...FLIGHT_CHAIN].reverse());
  });

  it('puts the COG job beside the chain, behind it in priority, and ends the flight only after both', () => {
    const root = flightFlow(flight, 'p');
    const cog = root.children?.[1];
    expect([root.name, cog?.name, cog?.children, cog?.opts?.priority, cog?.opts?.jobId]).toEqual(['confirm', 'cog', undefined, COG_JOB_PRIORITY, flightJobId(flight, 'cog')]);
    // Every stage once; only the COG job has a priority (BullMQ takes jobs without one first).
    const all: Array<ReturnType<typeof flightFlow>> = [];
    const walk = (node: ReturnType<typeof flightFlow>): void => {
      all.push(node);
      node.children?.forEach(walk);
    };
    walk(root);
    expect(all.map((n) => n.name).sort()).toEqual([...FLIGHT_STAGES].sort());
    expect(all.filter((n) => n.opts?.priority !== undefined).map((n) => n.name)).toEqual(['cog']);
  });

  it('stops a reference flight after co-registration, its COGs written too', () => {
    const root = flightFlow(flight, 'p', 'coregister');
    expect([root.name, root.children?.map((c) => c.name), root.children?.[0]?.children]).toEqual(['coregister', ['ingest', 'cog'], undefined]);
    expect(root.data).toEqual({ flightId: '42', lastStage: 'coregister' });
  });

  it('names jobs after the flight and its creation, and reads them back', () => {
    const id = flightJobId(flight, 'detect');
    expect(id).toBe(`flight-42-${flight.createdAt.getTime()}-detect`);
    expect(flightOfJobId(id)).toEqual({ flightId: '42', createdAtMs: flight.createdAt.getTime(), stage: 'detect' });
    expect(flightOfJobId('weekly-report-2026-W47')).toBeNull();
  });

  it('reports overall progress that only grows from the first stage to the last', () => {
    const reported: Partial<Record<FlightStage, number>> = {};
    const points: number[] = [];
    for (const stage of FLIGHT_STAGES) {
      for (const fraction of [0, 0.5, 1]) {
        reported[stage] = fraction;
        points.push(overallProgress(reported));
      }
    }
    expect(points[0]).toBe(0);
    expect(points[points.length - 1]).toBeCloseTo(1, 12);
    points.slice(1).forEach((p, i) => expect(p).toBeGreaterThanOrEqual(points[i]!));
  });

  it("adds the COG job's share to the chain's, whichever reports, so that neither takes the other's back", () => {
    // The COG job half done beside detection half done, then detection reporting on.
    const beside = overallProgress({ ingest: 1, coregister: 1, plan: 1, detect: 0.5, cog: 0.5 });
    expect(overallProgress({ ingest: 1, coregister: 1, plan: 1, detect: 0.6, cog: 0.5 })).toBeGreaterThan(beside);
    expect(beside).toBeGreaterThan(overallProgress({ ingest: 1, coregister: 1, plan: 1, detect: 0.5 }));
    expect(overallProgress({ ingest: 1, coregister: 1, plan: 1, detect: 1, vectorise: 1, raise: 1, cog: 1, confirm: 1 })).toBeCloseTo(1, 12);
  });
});
