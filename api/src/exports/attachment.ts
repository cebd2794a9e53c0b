/** Download names: lingwei-<what>-<Shanghai date>.<ext>, so that saved exports sort by day. */
import { shanghaiDate } from '#domain/report-periods.js';

export function exportFilename(what: string, extension: string, at: Date): string {
  return `lingwei-${what}-${shanghaiDate(at)}.${extension}`;
}

/** The Content-Disposition header value that makes browsers save `filename`. */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/["\\\r\n]/g, '_')}"`;
}
