/**
 * The OGC API `datetime` parameter: an instant, or an interval "start/end" where either end may be
 * open (".." or empty). RFC 3339 date-times must carry their offset; a bare date is a whole day in
 * Shanghai time (UTC+8, no daylight saving), the offices' calendar. Bounds come out inclusive, as
 * RFC 3339 strings PostgreSQL reads as timestamptz (microseconds, its own resolution).
 */

export interface DatetimeRange {
  /** Inclusive lower bound; null: open. */
  start: string | null;
  /** Inclusive upper bound; null: open. */
  end: string | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const SHANGHAI = '+08:00';

function isRealDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

interface Instant { first: string; last: string; ms: number; lastMs: number }

/** One instant as the first and last moment it covers (a day covers 24 hours), or null. */
function parseInstant(text: string): Instant | null {
  const date = DATE.exec(text);
  if (date) {
    const [, y, m, d] = date.map(Number) as [number, number, number, number];
    if (!isRealDay(y, m, d)) return null;
    const ms = Date.parse(`${text}T00:00:00${SHANGHAI}`);
    return { first: `${text}T00:00:00${SHANGHAI}`, last: `${text}T23:59:59.999999${SHANGHAI}`, ms, lastMs: ms + 86_400_000 - 1 };
  }
  const dateTime = DATE_TIME.exec(text);
  if (!dateTime) return null;
  const [y, m, d, hh, mm, ss] = dateTime.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isRealDay(y, m, d) || hh > 23 || mm > 59 || ss > 60) return null;
  const normalised = text.toUpperCase();
  const ms = Date.parse(normalised.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? { first: normalised, last: normalised, ms, lastMs: ms } : null;
}

const FORMS = 'an instant (2026-10-15 or 2026-10-15T13:44:00+08:00) or an interval (2026-10-01/2026-10-31, ../2026-10-01, 2026-10-01/..)';

/** The range `text` asks for, or the reason it is not one. */
export function parseDatetime(text: string): DatetimeRange | string {
  const parts = text.split('/');
  if (parts.length === 1) {
    const instant = parseInstant(text);
    return instant ? { start: instant.first, end: instant.last } : `datetime "${text}" is not ${FORMS}`;
  }
  if (parts.length !== 2) return `datetime "${text}" is not ${FORMS}`;
  const [startText, endText] = parts as [string, string];
  const open = (part: string) => part === '..' || part === '';
  if (open(startText) && open(endText)) return 'datetime must bound at least one end of the interval';
  const start = open(startText) ? null : parseInstant(startText);
  const end = open(endText) ? null : parseInstant(endText);
  if ((!open(startText) && !start) || (!open(endText) && !end)) return `datetime "${text}" is not ${FORMS}`;
  if (start && end && start.ms > end.lastMs) return 'datetime interval must start before it ends';
  return { start: start?.first ?? null, end: end?.last ?? null };
}
