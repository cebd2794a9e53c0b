/**
 * What a request's Authorization header carries (pure): a bearer token, or HTTP Basic (a user name
 * and a token; at POST /api/tokens also a user name and password). Basic exists for GIS clients
 * that offer no custom header: QGIS's "Basic" authentication, GDAL_HTTP_AUTH=BASIC.
 */

/** The longest user name and password taken, as at POST /api/login: nothing longer is hashed. */
export const MAX_USERNAME_CHARS = 64;
export const MAX_PASSWORD_CHARS = 256;

export type Credential =
  | { scheme: 'bearer'; secret: string }
  | { scheme: 'basic'; username: string; password: string }
  /** An Authorization header that is not one we take, or Basic that does not decode: `why` says how. */
  | { scheme: 'malformed'; why: string };

/** Control characters, or U+FFFD where the bytes were not UTF-8: neither belongs in a name or token. */
const hasControlOrBrokenCharacter = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f' || c === '\ufffd');

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes `Basic <base64(user:password)>` (RFC 7617, UTF-8). */
function basicCredential(encoded: string): Credential {
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) return { scheme: 'malformed', why: 'The Basic credentials are not base64.' };
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { scheme: 'malformed', why: 'The Basic credentials have no colon between user name and password.' };
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (!username || !password) return { scheme: 'malformed', why: 'The Basic credentials need both a user name and a password (an API token).' };
  if (username.length > MAX_USERNAME_CHARS || password.length > MAX_PASSWORD_CHARS || hasControlOrBrokenCharacter(username + password)) {
    return { scheme: 'malformed', why: `The Basic credentials are not a user name (at most ${MAX_USERNAME_CHARS} characters) and a password or token (at most ${MAX_PASSWORD_CHARS}).` };
  }
  return { scheme: 'basic', username, password };
}

/** The credential in an Authorization header; null: there is none. */
export function credentialOf(authorization: string | undefined): Credential | null {
  if (authorization === undefined) return null;
  const [scheme = '', value = '', ...rest] = authorization.trim().split(/\s+/);
  if (rest.length === 0 && value) {
    if (scheme.toLowerCase() === 'bearer') return { scheme: 'bearer', secret: value };
    if (scheme.toLowerCase() === 'basic') return basicCredential(value);
  }
  return { scheme: 'malformed', why: 'Send "Authorization: Bearer <token>" or "Authorization: Basic <base64 of user name:token>".' };
}
