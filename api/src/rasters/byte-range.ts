/**
 * HTTP Range requests (RFC 9110 §14) for serving COGs: GDAL's /vsicurl/ and QGIS read a COG by
 * asking for the header and then only the tiles they need. Pure: header and size in, the byte
 * span to send out.
 *
 * @example
 * parseByteRange('bytes=0-16383', 1_000_000) // { kind: 'partial', start: 0, end: 16383 }
 */

export type ByteRange =
  /** Send the whole file with 200 (no Range, another unit, a malformed or a multi-part range). */
  | { kind: 'whole' }
  /** Send bytes start..end (inclusive) with 206. */
  | { kind: 'partial'; start: number; end: number }
  /** 416: the range starts at or after the end of the file. */
  | { kind: 'unsatisfiable' };

/**
 * Interprets a Range header for a file of `size` bytes. Several ranges in one request are answered
 * with the whole file, which RFC 9110 allows; GDAL asks for one range per request.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange {
  if (!header) return { kind: 'whole' };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'whole' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? Number.POSITIVE_INFINITY : Number(match[2]);
  if (last < start) return { kind: 'whole' }; // invalid syntax: ignored, as the RFC says
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(last, size - 1) };
}
