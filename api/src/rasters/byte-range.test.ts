import { describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.js';
import { etagMatches } from './conditional-request.js';

describe('byte ranges', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the file', () => {
    expect(parseByteRange('bytes=0-16383', 100_000)).toEqual({ kind: 'partial', start: 0, end: 16_383 });
    expect(parseByteRange('bytes=99990-', 100_000)).toEqual({ kind: 'partial', start: 99_990, end: 99_999 });
    expect(parseByteRange('bytes=-100', 100_000)).toEqual({ kind: 'partial', start: 99_900, end: 99_999 });
    expect(parseByteRange('bytes=-500', 300)).toEqual({ kind: 'partial', start: 0, end: 299 });
    expect(parseByteRange('bytes=200-999999', 300)).toEqual({ kind: 'partial', start: 200, end: 299 });
  });

  it('answers a range past the end as unsatisfiable', () => {
    expect(parseByteRange('bytes=300-400', 300)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=-0', 300)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('sends the whole file for no range, another unit, nonsense, a reversed or a multi-part range', () => {
    for (const header of [undefined, '', 'items=0-5', 'bytes=abc', 'bytes=-', 'bytes=9-3', 'bytes=0-1,5-9']) {
      expect(parseByteRange(header, 300)).toEqual({ kind: 'whole' });
    }
  });
});

describe('ETags', () => {
  it('match exactly, weakly, in a list, or as *', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"x", "a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });
});
