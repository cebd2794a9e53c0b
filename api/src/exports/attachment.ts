/** Download names: lingwei-<what>-<Shanghai date>.<ext>, so that saved exports sort by day. */

const SHANGHAI_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

export function exportFilename(what: string, extension: string, at: Date): string {
  return `lingwei-${what}-${SHANGHAI_DATE.format(at)}.${extension}`;
}

/** The Content-Disposition header value that makes browsers save `filename`. */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/["\\\r\n]/g, '_')}"`;
}
