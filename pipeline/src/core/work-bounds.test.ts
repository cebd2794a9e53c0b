import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { checkFlightWork, DEFAULT_WORK_LIMITS, estimatedWorkHours } from './work-bounds.js';

const ortho = (width: number, height: number, blocks: { total: number; empty: number } | null = null) => ({ role: 'orthophoto' as const, width, height, blocks });

describe('checkFlightWork', () => {
  it('lets an ordinary flight through: 1 km² at 10 cm with its surface model', () => {
    const flight = [ortho(10_000, 10_000, { total: 1600, empty: 100 }), { role: 'surface_model' as const, width: 5000, height: 5000, blocks: { total: 400, empty: 0 } }];
    expect(checkFlightWork(flight, 1)).toEqual([]);
    expect(estimatedWorkHours(flight, 1)).toBeLessThan(0.01);
  });

  it('refuses a sparse file declaring 200,000 x 200,000 pixels: too many pixels, nearly all of its blocks empty', () => {
    const problems = checkFlightWork([ortho(200_000, 200_000, { total: 611_524, empty: 611_523 })], 4);
    expect(problems.map((p) => p.about)).toEqual(['orthophoto', 'orthophoto']);
    expect(problems[0]!.problem).toMatch(/declares 200000 x 200000 pixels \(40\.0 billion\), more than the 4\.0 billion .*\(FLIGHT_MAX_PIXELS\)/);
    expect(problems[1]!.problem).toMatch(/holds data in only 1 of its 611524 blocks \(0\.0%\).*FLIGHT_MAX_EMPTY_SHARE/);
  });

  it('refuses a flight whose estimated work passes the per-flight limit, which is configurable', () => {
    const flight = [ortho(60_000, 60_000)];
    expect(checkFlightWork(flight, 9)).toEqual([]);
    const limits = { ...DEFAULT_WORK_LIMITS, maxWorkHours: 0.05 };
    expect(checkFlightWork(flight, 9, limits)).toEqual([{ about: 'flight', problem: expect.stringMatching(/would take a worker about 0\.1 hours, more than the 0\.05-hour limit per flight \(FLIGHT_MAX_WORK_HOURS\)/) }]);
    expect(loadConfig({ FLIGHT_MAX_WORK_HOURS: '0.05', FLIGHT_MAX_PIXELS: '1e9', FLIGHT_MAX_EMPTY_SHARE: '0.5' }).workLimits).toEqual({ maxWorkHours: 0.05, maxPixels: 1e9, maxEmptyBlockShare: 0.5 });
    expect(() => loadConfig({ FLIGHT_MAX_EMPTY_SHARE: '2' })).toThrow(/FLIGHT_MAX_EMPTY_SHARE must be a positive number up to 1/);
  });
});
