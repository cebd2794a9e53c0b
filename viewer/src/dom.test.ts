import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, normaliseDate, normaliseDateTime, shanghaiToday } from './dom.js';

describe('dates shown in Shanghai time', () => {
  it('shows an instant between 00:00 and 08:00 Shanghai time on its Shanghai day, not the UTC day before', () => {
    expect(formatDate('2026-03-09T16:30:00.000Z')).toBe('2026-03-10'); // 00:30 in Shanghai
    expect(formatDate('2026-03-09T15:59:59Z')).toBe('2026-03-09'); // 23:59 in Shanghai
    expect(formatDate('2026-12-31T16:00:00Z')).toBe('2027-01-01'); // across a year
    expect(formatDate('2026-03-10T07:30:00+08:00')).toBe('2026-03-10');
  });

  it('keeps a plain date as it is, and says when there is none', () => {
    expect(formatDate('2026-03-10')).toBe('2026-03-10');
    expect(formatDate(null)).toBe('–');
    expect(formatDate(undefined)).toBe('–');
    expect(formatDate('')).toBe('–');
    expect(formatDate('not a date')).toBe('not a date');
  });

  it('shows an audit time as Shanghai wall-clock time to the minute', () => {
    expect(formatDateTime('2026-03-09T16:30:45.123Z')).toBe('2026-03-10 00:30');
    expect(formatDateTime('2026-03-10T09:05:00+08:00')).toBe('2026-03-10 09:05');
    expect(formatDateTime(null)).toBe('–');
  });

  it('defaults a date field to the Shanghai day, which starts 8 hours before the UTC one', () => {
    expect(shanghaiToday(new Date('2026-05-31T23:00:00Z'))).toBe('2026-06-01');
    expect(shanghaiToday(new Date('2026-05-31T15:00:00Z'))).toBe('2026-05-31');
    expect(shanghaiToday(new Date('2026-05-31T16:00:00Z')).slice(0, 7)).toBe('2026-06');
  });
});

describe('typed dates', () => {
  it('reads the ways a date is typed as YYYY-MM-DD, and refuses what is no day', () => {
    for (const typed of ['2026-12-01', '2026-12-1', '2026/12/01', '2026.12.1', '20261201', '2026年12月1日', ' 2026-12-01 ']) expect(normaliseDate(typed)).toBe('2026-12-01');
    expect(normaliseDate('')).toBe('');
    for (const typed of ['12/01/2026', '2026-02-30', '2026-13-01', 'tomorrow', '2026-12']) expect(normaliseDate(typed)).toBeNull();
  });
});

describe('typed dates and times', () => {
  it('reads the ways a flight time is typed as a datetime-local value, and refuses what is no time', () => {
    for (const typed of ['2026-10-15 13:44', '2026-10-15T13:44', '2026/10/15 13:44', '2026年10月15日 13:44', ' 2026-10-15  13:44 ']) expect(normaliseDateTime(typed)).toBe('2026-10-15T13:44');
    expect(normaliseDateTime('2026-10-15 9:05')).toBe('2026-10-15T09:05');
    expect(normaliseDateTime('2026-10-15 13:44:05')).toBe('2026-10-15T13:44:05');
    expect(normaliseDateTime('')).toBe('');
    for (const typed of ['10/15/2026 1:44 PM', '2026-10-15', '2026-10-15 24:00', '2026-10-15 13:60', '2026-02-30 10:00']) expect(normaliseDateTime(typed)).toBeNull();
  });
});
