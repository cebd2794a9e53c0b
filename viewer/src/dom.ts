/** A tiny element builder: the viewer has no framework, so screens build DOM with h(). */
import { shanghaiDate } from '#domain/report-periods.js';

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(element: Element): void {
  element.replaceChildren();
}

/** A short-lived message at the bottom of the page (decisions, errors). */
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  const box = h('div', { class: `toast toast-${kind}`, role: 'status' }, message);
  document.body.appendChild(box);
  setTimeout(() => box.remove(), kind === 'error' ? 8000 : 2500);
}

export const formatNumber = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? '–' : Number(value).toFixed(digits);

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CST = 8 * 3_600_000;

/**
 * A date for display, as the calendar day in Shanghai: the API sends instants in UTC, and cutting
 * those at the 'T' would show anything between 00:00 and 08:00 Shanghai time a day early. A plain
 * date (YYYY-MM-DD, e.g. a scheduled day) already is a Shanghai day and stays as it is.
 */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '–';
  if (PLAIN_DATE.test(value)) return value;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? value : shanghaiDate(instant);
}

/** An instant as Shanghai wall-clock time to the minute, YYYY-MM-DD HH:MM (audit rows). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '–';
  const ms = Date.parse(value);
  // Shanghai has no daylight saving: its wall clock is UTC shifted by 8 hours.
  return Number.isNaN(ms) ? value : new Date(ms + CST).toISOString().slice(0, 16).replace('T', ' ');
}

/** Today's date in Shanghai, YYYY-MM-DD: the default of every date field. */
export const shanghaiToday = (now: Date = new Date()): string => shanghaiDate(now);

/**
 * A typed date as YYYY-MM-DD: 2026-12-1, 2026/12/01, 2026.12.1, 20261201 and 2026年12月1日 all
 * give 2026-12-01; '' stays ''; null when it is no calendar day.
 */
export function normaliseDate(text: string): string | null {
  const s = text.trim();
  if (!s) return '';
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * A typed date and time as YYYY-MM-DDTHH:MM (a datetime-local value, seconds kept when given):
 * 2026-10-15 13:44, 2026/10/15 13:44, 2026-10-15T13:44:05 and 2026年10月15日 13:44 all read; ''
 * stays ''; null when it is no real day or time.
 */
export function normaliseDateTime(text: string): string | null {
  const s = text.trim();
  if (!s) return '';
  const m = /^(.+?)(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) return null;
  const day = normaliseDate(m[1]!);
  const [hours, minutes, seconds] = [Number(m[2]), Number(m[3]), m[4] === undefined ? null : Number(m[4])];
  if (!day || hours > 23 || minutes > 59 || (seconds !== null && seconds > 59)) return null;
  const time = `${String(hours).padStart(2, '0')}:${m[3]}${seconds === null ? '' : `:${m[4]}`}`;
  return `${day}T${time}`;
}
