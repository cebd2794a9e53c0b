/**
 * The capture time of a flight as the command line takes it (pure): an ISO 8601 date-time with
 * its UTC offset, on a real calendar day. Checked before anything is queued, so a typing slip
 * (2026-11-00) gets a sentence instead of PostgreSQL's error and a stack trace.
 */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function isRealDay(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Why `text` is not a capture time; null when it is one. */
export function capturedAtProblem(text: string): string | null {
  const example = 'give it as 2026-10-15T13:44:00+08:00 (date, time and UTC offset)';
  const match = DATE_TIME.exec(text.trim());
  if (!match) return `--captured-at ${JSON.stringify(text)} is not a date and time with its offset: ${example}`;
  const [year, month, day, hour, minute, second = 0] = match.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  if (!isRealDay(year!, month!, day!)) return `--captured-at ${JSON.stringify(text)}: ${match[1]}-${match[2]}-${match[3]} is not a day of the calendar; ${example}`;
  if (hour! > 23 || minute! > 59 || second > 59) return `--captured-at ${JSON.stringify(text)}: ${match[4]}:${match[5]} is not a time of day; ${example}`;
  const offset = /^[+-](\d{2}):?(\d{2})$/.exec(match[7]!);
  // PostgreSQL takes offsets up to 15:59 (the widest in use is +14:00).
  if (offset && (Number(offset[1]) > 15 || Number(offset[2]) > 59)) return `--captured-at ${JSON.stringify(text)}: ${match[7]} is not a UTC offset; ${example}`;
  return null;
}
