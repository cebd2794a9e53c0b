import { describe, expect, it } from 'vitest';
import { mapFeature, normaliseDate } from './import-kinds.js';

const context = { geometryHash: 'abc123' };

describe('mapFeature', () => {
  it('maps a baseline building and keys it by building_id', () => {
    const outcome = mapFeature('baseline', { building_id: 'B-1', height_m: 9.5, ground_elev_m: 4, survey_date: '2026-04-10' }, context);
    expect(outcome).toEqual({
      ok: true,
      feature: { key: 'B-1', attrs: { height_m: 9.5, ground_elev_m: 4, roof_type: null, survey_date: '2026-04-10' } },
    });
  });

  it('derives height from roof and ground elevation, and keys by geometry when there is no id', () => {
    const outcome = mapFeature('baseline', { roof_elev_m: '13.5', ground_elev_m: 4 }, { ...context, surveyDate: '2026-01-02' });
    expect(outcome.ok && outcome.feature).toMatchObject({ key: 'geom:abc123', attrs: { height_m: 9.5, survey_date: '2026-01-02' } });
  });

  it('rejects a baseline building without height or survey date, saying which property', () => {
    expect(mapFeature('baseline', { survey_date: '2026-01-01' }, context)).toEqual({
      ok: false,
      reason: 'missing property "height_m" (or both "roof_elev_m" and "ground_elev_m")',
    });
    expect(mapFeature('baseline', { height_m: 3 }, context)).toEqual({ ok: false, reason: 'missing property "survey_date"' });
    expect(mapFeature('baseline', { height_m: 'tall', survey_date: '2026-01-01' }, context)).toMatchObject({ ok: false });
    expect(mapFeature('baseline', { height_m: -2, survey_date: '2026-01-01' }, context)).toMatchObject({ ok: false });
  });

  it('accepts the Chinese register terms users write', () => {
    const outcome = mapFeature('register', { register_id: 'R1', category: '生产加工经营仓储', measure: '承诺', status: '暂缓保留' }, context);
    expect(outcome.ok && outcome.feature.attrs).toMatchObject({
      category: 'production_business_storage',
      measure: 'commitment',
      status: 'deferred',
    });
  });

  it('rejects unknown enumerated values and lists the allowed ones', () => {
    const outcome = mapFeature('register', { register_id: 'R1', category: 'castle' }, context);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toContain('allowed: public_service, production_business_storage');
  });

  it('rejects a permit whose validity ends before it starts', () => {
    const outcome = mapFeature('permits', { permit_no: 'P1', valid_from: '2026-05-01', valid_to: '2026-04-01' }, context);
    expect(outcome).toEqual({ ok: false, reason: 'valid_to 2026-04-01 is before valid_from 2026-05-01' });
  });

  it('requires code, level and name for administrative areas', () => {
    expect(mapFeature('admin-areas', { code: 'V1', level: '居村', name: '新桥村', parent_code: 'S1' }, context)).toMatchObject({
      ok: true,
      feature: { key: 'V1', attrs: { level: 'village', parent_code: 'S1' } },
    });
    expect(mapFeature('admin-areas', { code: 'V1', name: 'x' }, context)).toEqual({ ok: false, reason: 'missing property "level"' });
  });
});

describe('normaliseDate', () => {
  it('accepts dashes, slashes and timestamps', () => {
    expect(normaliseDate('2026/04/10', 'd')).toBe('2026-04-10');
    expect(normaliseDate('2026-04-10T08:00:00+08:00', 'd')).toBe('2026-04-10');
  });
  it('accepts the date objects GDAL returns for date fields', () => {
    expect(normaliseDate({ year: 2026, month: 4, day: 9 }, 'd')).toBe('2026-04-09');
  });
  it('rejects impossible dates', () => {
    expect(() => normaliseDate('2026-02-30', 'd')).toThrow('not a calendar date');
    expect(() => normaliseDate('soon', 'd')).toThrow('not a date');
  });
});
