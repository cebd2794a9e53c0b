/**
 * Input that JSON schemas let through but PostgreSQL or the code after it cannot take, refused with
 * 400 for every route at once rather than route by route:
 *
 * - a NUL character in any text (PostgreSQL text cannot hold one: the query failed with 500);
 * - a number that is not finite or an integer past 2^53 (`1e309` and `Infinity` pass a
 *   `type: number` once coerced, and 2^63 arrived as a rounded float that bigint refused);
 * - a date or date-time in the year 0000 (valid to the `date` format, out of PostgreSQL's range);
 * - a one-element array where one value is asked for (fastify's default coerces ["x"] to "x").
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { sendProblem } from './problem.js';

/** Where in `value` (a parsed query, body or path) something unsafe sits and what it is; null: nothing. */
export function unsafeInputProblem(value: unknown, where: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? `${where} contains a NUL character (\\u0000), which no text may hold` : null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${where} must be a finite number`;
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return `${where} is too large (at most ${Number.MAX_SAFE_INTEGER})`;
    return null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const problem = unsafeInputProblem(item, `${where}/${i}`);
      if (problem) return problem;
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) !== Buffer.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const problem = unsafeInputProblem(key, `${where} key`) ?? unsafeInputProblem(item, `${where}/${key}`);
      if (problem) return problem;
    }
  }
  return null;
}

/** Refuses unsafe input (see unsafeInputProblem) after schema validation, so it sees the coerced values. */
export function refuseUnsafeInput(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    const problem = unsafeInputProblem(request.params, 'params') ?? unsafeInputProblem(request.query, 'querystring') ?? unsafeInputProblem(request.body, 'body');
    if (problem) return sendProblem(reply, 400, 'The request is not valid', problem);
  });
}

/** Whether a `date`/`date-time` string names a year PostgreSQL accepts (0000 does not exist: 1 BC precedes AD 1). */
const hasRealYear = (text: string) => !text.startsWith('0000');

interface FormatValidator { validate: (text: string) => boolean; compare?: (a: string, b: string) => number | undefined }
interface AjvLike { formats: Record<string, unknown>; addFormat(name: string, format: FormatValidator): unknown }

/** Wraps a format that ajv-formats defined (a function, regexp or {validate, compare}) with a year check. */
function withRealYear(ajv: AjvLike, name: string): void {
  const original = ajv.formats[name] as ((text: string) => boolean) | RegExp | FormatValidator | undefined;
  if (!original) return;
  const check = typeof original === 'function' ? original : original instanceof RegExp ? (t: string) => original.test(t) : original.validate;
  const compare = typeof original === 'object' && !(original instanceof RegExp) ? original.compare : undefined;
  ajv.addFormat(name, { validate: (text: string) => hasRealYear(text) && check(text), ...(compare ? { compare } : {}) });
}

/** Fastify's Ajv settings: no array coercion, and the year 0000 refused by the date formats. */
export const STRICT_AJV: NonNullable<FastifyServerOptions['ajv']> = {
  // true, not fastify's 'array': a one-element array is not a string (query strings still give
  // numbers and booleans from text).
  customOptions: { coerceTypes: true },
  onCreate: (ajv) => {
    withRealYear(ajv as unknown as AjvLike, 'date');
    withRealYear(ajv as unknown as AjvLike, 'date-time');
  },
};
