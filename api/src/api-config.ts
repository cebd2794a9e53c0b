/**
 * The API's settings for sessions, login throttling, links and cookies, read once from the
 * environment (pure: the environment is passed in). Every setting has a default that works on a
 * development machine; the README's "Configuration" table lists them.
 */
import type { LoginThrottlePolicy } from './auth/login-throttle.js';
import { loadBasemapConfig, type BasemapConfig } from './basemap-config.js';

export interface ApiConfig {
  /**
   * PUBLIC_BASE_URL: the scheme, host and port (and path prefix, if any) clients reach the API at,
   * e.g. https://lingwei.example.gov.cn. OGC API and STAC links are built from it, never from the
   * request's Host header (which a client chooses). Default http://HOST:PORT of `npm run api`.
   */
  publicBaseUrl: string;
  /** SESSION_HOURS: how long the viewer's login cookie lasts. Default 12. */
  sessionHours: number;
  /** TOKEN_MAX_DAYS: the longest a bearer token may last. Default 90. */
  tokenMaxDays: number;
  /**
   * COOKIE_SECURE: `true` marks the session cookie Secure (sent over HTTPS only), `false` never,
   * `auto` (default) when the request came over TLS (with TRUST_PROXY, as the proxy says).
   */
  cookieSecure: boolean | 'auto';
  /**
   * TRUST_PROXY: `true`, or a comma list of proxy addresses/CIDRs, to take the client's address and
   * scheme from X-Forwarded-For/-Proto (behind a reverse proxy every request would otherwise come
   * from the proxy, and share one login budget). Default: no proxy is trusted.
   */
  trustProxy: boolean | string;
  /**
   * The viewer's optional online basemap (LINGWEI_BASEMAP_URL and its companions, basemap-config.ts),
   * served to it by GET /api/viewer-config; its origins are what the viewer's Content-Security-Policy
   * lets it load. null: none, the viewer requests nothing outside the API.
   */
  basemap: BasemapConfig | null;
  /**
   * BULLETIN_OFFICE and BULLETIN_OFFICE_EN: the issuing office printed in the masthead of the
   * bulletin form of reports (Chinese and English pages); a request's `office` overrides it.
   * Default 违法建筑治理工作办公室 / Office for the Control of Illegal Construction.
   */
  bulletinOffice: { zh: string; en: string };
  /** Login back-off per account name (LOGIN_FREE_FAILURES_PER_ACCOUNT) and per client address (LOGIN_FREE_FAILURES_PER_ADDRESS). */
  loginThrottle: { account: LoginThrottlePolicy; address: LoginThrottlePolicy };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, integer = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'whole number' : 'number'}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function publicBaseUrlOf(env: NodeJS.ProcessEnv): string {
  // Listening on every interface (0.0.0.0, ::) says nothing of a name clients reach: localhost then.
  const host = !env.HOST ? '127.0.0.1' : env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
  const raw = env.PUBLIC_BASE_URL || `http://${host}:${env.PORT || '8080'}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_BASE_URL must be an absolute http(s) URL such as https://lingwei.example.org, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`PUBLIC_BASE_URL must be http or https, got ${JSON.stringify(raw)}`);
  if (url.search || url.hash) throw new Error(`PUBLIC_BASE_URL must not have a query or fragment, got ${JSON.stringify(raw)}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function cookieSecureOf(raw: string | undefined): boolean | 'auto' {
  if (raw === undefined || raw === '' || raw === 'auto') return 'auto';
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`COOKIE_SECURE must be true, false or auto, got ${JSON.stringify(raw)}`);
}

function trustProxyOf(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  return raw === 'true' ? true : raw;
}

/** How long a throttled name or address is remembered after its last failure: longer than the longest wait. */
const FORGET_AFTER_S = 3600;
const BASE_DELAY_S = 1;
const MAX_DELAY_S = 900;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const throttle = (freeFailures: number): LoginThrottlePolicy => ({ freeFailures, baseDelayS: BASE_DELAY_S, maxDelayS: MAX_DELAY_S, forgetAfterS: FORGET_AFTER_S });
  return {
    publicBaseUrl: publicBaseUrlOf(env),
    sessionHours: positiveNumber(env, 'SESSION_HOURS', 12, true),
    tokenMaxDays: positiveNumber(env, 'TOKEN_MAX_DAYS', 90, true),
    cookieSecure: cookieSecureOf(env.COOKIE_SECURE),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    basemap: loadBasemapConfig(env),
    bulletinOffice: {
      zh: env.BULLETIN_OFFICE || '违法建筑治理工作办公室',
      en: env.BULLETIN_OFFICE_EN || 'Office for the Control of Illegal Construction',
    },
    loginThrottle: {
      account: throttle(positiveNumber(env, 'LOGIN_FREE_FAILURES_PER_ACCOUNT', 5, true)),
      // An office behind one NAT address shares this budget, so it is wider than an account's.
      address: throttle(positiveNumber(env, 'LOGIN_FREE_FAILURES_PER_ADDRESS', 30, true)),
    },
  };
}
