import { describe, expect, it } from 'vitest';
import { parseDatetime } from './datetime.js';

describe('parseDatetime', () => {
  it('reads an instant with its offset as a closed range of one moment', () => {
    expect(parseDatetime('2026-10-15T13:44:00+08:00')).toEqual({ start: '2026-10-15T13:44:00+08:00', end: '2026-10-15T13:44:00+08:00' });
    expect(parseDatetime('2026-10-15t05:44:00.25z')).toEqual({ start: '2026-10-15T05:44:00.25Z', end: '2026-10-15T05:44:00.25Z' });
  });

  it('reads a bare date as the whole Shanghai day', () => {
    expect(parseDatetime('2026-10-15')).toEqual({ start: '2026-10-15T00:00:00+08:00', end: '2026-10-15T23:59:59.999999+08:00' });
  });

  it('reads closed and open intervals', () => {
    expect(parseDatetime('2026-10-01/2026-10-31')).toEqual({ start: '2026-10-01T00:00:00+08:00', end: '2026-10-31T23:59:59.999999+08:00' });
    expect(parseDatetime('../2026-10-01')).toEqual({ start: null, end: '2026-10-01T23:59:59.999999+08:00' });
    expect(parseDatetime('2026-10-01T00:00:00Z/..')).toEqual({ start: '2026-10-01T00:00:00Z', end: null });
    expect(parseDatetime('/2026-10-01')).toEqual({ start: null, end: '2026-10-01T23:59:59.999999+08:00' });
    expect(parseDatetime('2026-10-15/2026-10-15')).toEqual({ start: '2026-10-15T00:00:00+08:00', end: '2026-10-15T23:59:59.999999+08:00' });
  });

  it('explains what is not a datetime', () => {
    for (const bad of ['yesterday', '2026-02-30', '2026-10-15T13:44:00', '2026-10-15T25:00:00Z', '2026-10-01/2026-10-02/2026-10-03', "2026-10-01'; DROP TABLE candidate; --"]) {
      expect(parseDatetime(bad)).toMatch(/is not an instant/);
    }
    expect(parseDatetime('../..')).toBe('datetime must bound at least one end of the interval');
    expect(parseDatetime('2026-10-31/2026-10-01')).toBe('datetime interval must start before it ends');
  });
});
