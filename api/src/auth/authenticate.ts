/**
 * Who is asking, on every request: the viewer's session cookie, a script's bearer token, or a GIS
 * client's HTTP Basic user name and token (QGIS "Basic" authentication, GDAL_HTTP_AUTH=BASIC).
 * Each route declares the roles that may use it in `config.roles` (admin may use everything); a
 * route without roles is public. Anonymous gets 401 with WWW-Authenticate, the wrong role 403.
 *
 * This runs when the request arrives (onRequest), before its body is read or validated: a caller
 * who is not allowed learns nothing about what a valid body looks like, and sends no body we parse.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Role } from '#domain/vocabulary.js';
import { userOfSession, type SessionUser } from '#db/sql/users.js';
import { sendProblem } from '../problem.js';
import { checkCredentials, type ThrottlePolicies } from './check-credentials.js';
import { credentialOf } from './credentials.js';

export const SESSION_COOKIE = 'lingwei_session';

export interface AuthenticatedUser {
  id: string;
  username: string;
  role: Role;
}

type Session = SessionUser['session'];

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthenticatedUser | null;
    /** The session or token the request came with (null when anonymous or a password was checked). */
    credential: Session | null;
    /** The request carried the user's password (Basic, on a route that accepts it), checked like a login. */
    passwordChecked: boolean;
  }
  interface FastifyContextConfig {
    /** Roles allowed besides admin; absent: the route is public. */
    roles?: readonly Role[];
    /**
     * Basic credentials may be the user name and password, checked and slowed down as a login
     * (POST /api/tokens only: everywhere else Basic takes a token, so no request hashes a password).
     */
    acceptsPassword?: boolean;
  }
}

/**
 * The challenges a 401 carries. Basic is left out for a page's own scripts and images (the
 * browser sends Sec-Fetch-Mode other than "navigate"): a Basic challenge there would make the
 * browser pop up its own password box over the viewer's login form.
 */
function challenges(request: FastifyRequest): string[] {
  const bearer = 'Bearer realm="Lingwei"';
  const mode = request.headers['sec-fetch-mode'];
  return mode !== undefined && mode !== 'navigate' ? [bearer] : ['Basic realm="Lingwei", charset="UTF-8"', bearer];
}

/** 401 with the challenges a client needs to answer it (RFC 9110 section 11.6.1). */
export function sendUnauthenticated(request: FastifyRequest, reply: FastifyReply, title: string, detail: string): FastifyReply {
  return sendProblem(reply.header('www-authenticate', challenges(request)), 401, title, detail);
}

/** 429 after too many failed logins for one account or from one address. */
export function sendThrottled(reply: FastifyReply, retryAfterS: number): FastifyReply {
  return sendProblem(reply.header('retry-after', String(retryAfterS)), 429, 'Too many failed logins',
    `Wait ${retryAfterS} s before trying again. Failed logins for one account or from one address are slowed down.`);
}

/**
 * A browser's request made by a page of another site (Sec-Fetch-Site), or, for a browser that
 * sends no Sec-Fetch-Site, of another origin (Origin). A browser remembers Basic credentials typed
 * into its password box and sends them with every request to this origin, even one a foreign page
 * makes (no SameSite, as the session cookie has), so such requests never count them. GIS clients
 * and scripts send neither header.
 */
function fromAnotherSite(request: FastifyRequest, publicOrigin: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = request.headers.origin;
  return origin !== undefined && !isOwnOrigin(origin, request, publicOrigin);
}

/**
 * Whether an Origin header names this server: the public base URL's origin, or the host the
 * request was sent to (the Host header, X-Forwarded-Host behind a trusted proxy). The host alone is
 * compared there, as a proxy that ends TLS leaves the request's own scheme http. "null" (a
 * sandboxed page, a file) is never this server.
 */
function isOwnOrigin(origin: string, request: FastifyRequest, publicOrigin: string): boolean {
  if (origin === publicOrigin) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/** Methods that change nothing (RFC 9110 section 9.2.1). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Identified =
  | { user: Omit<SessionUser, 'session'>; session: Session | null }
  /** `why`: what was wrong with a credential that was sent; `retryAfterS`: a password check was refused for now. */
  | { user: null; why: string | null; retryAfterS?: number };

async function identify(pool: pg.Pool, request: FastifyRequest, throttle: ThrottlePolicies, publicOrigin: string): Promise<Identified> {
  const presented = credentialOf(request.headers.authorization);
  const bySecret = async (secret: string | undefined): Promise<Identified | null> => {
    const found = secret ? await userOfSession(pool, secret) : null;
    if (!found) return null;
    const { session, ...user } = found;
    return { user, session };
  };
  if (presented?.scheme === 'bearer') {
    return (await bySecret(presented.secret)) ?? { user: null, why: 'The token is unknown or has expired: ask for a new one (POST /api/tokens).' };
  }
  let why = presented?.scheme === 'malformed' ? presented.why : null;
  if (presented?.scheme === 'basic' && fromAnotherSite(request, publicOrigin)) {
    why = 'Basic credentials are not taken from another site\'s page: a browser sends the ones it remembers with any request, so they could be used by a page you did not mean to act.';
  } else if (presented?.scheme === 'basic') {
    const byToken = await bySecret(presented.password);
    if (byToken?.user && byToken.user.username === presented.username) return byToken;
    why = byToken
      ? `The token belongs to another user than ${presented.username}: send its own user's name with it.`
      : 'Basic authentication takes your user name and an API token (POST /api/tokens) as the password; this token is unknown or has expired.';
  }
  // A proxy's own Basic login in front of the viewer must not shut out the viewer's cookie.
  const cookie = request.cookies[SESSION_COOKIE];
  const byCookie = await bySecret(cookie);
  if (byCookie) return byCookie;
  if (cookie && !why) why = 'The session has expired: log in again.';
  // Nor a password from another site's page: the same remembered credentials would mint a token.
  if (presented?.scheme === 'basic' && request.routeOptions.config.acceptsPassword && !fromAnotherSite(request, publicOrigin)) {
    const check = await checkCredentials(pool, presented.username, presented.password, request.ip, throttle);
    if (check.outcome === 'throttled') return { user: null, why: null, retryAfterS: check.retryAfterS };
    if (check.outcome === 'wrong') return { user: null, why: 'Wrong user name, or a password or token that is not theirs.' };
    return { user: check.user, session: null };
  }
  return { user: null, why };
}

/** `publicBaseUrl`: the URL the viewer is served at (ApiConfig), whose origin is this server's own. */
export function useAuthentication(app: FastifyInstance, pool: pg.Pool, throttle: ThrottlePolicies, publicBaseUrl: string): void {
  const publicOrigin = new URL(publicBaseUrl).origin;
  app.decorateRequest('user', null);
  app.decorateRequest('credential', null);
  app.decorateRequest('passwordChecked', false);
  app.addHook('onRequest', async (request, reply) => {
    const identified = await identify(pool, request, throttle, publicOrigin);
    if (identified.user) {
      request.user = identified.user;
      request.credential = identified.session;
      request.passwordChecked = identified.session === null;
    }
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    if (!identified.user) {
      if (identified.retryAfterS) return sendThrottled(reply, identified.retryAfterS);
      return sendUnauthenticated(request, reply, 'Not logged in', identified.why ?? 'Log in, or send a bearer token, or Basic with your user name and a token.');
    }
    // The session cookie is SameSite=Lax, and a page on a sibling host is the same site: its form
    // (text/plain passes the body parser; a route without a body takes it) would act as the user.
    // The viewer's own requests are same-origin; GIS clients and scripts send no Sec-Fetch-Site or Origin.
    if (!SAFE_METHODS.has(request.method) && fromAnotherSite(request, publicOrigin)) {
      return sendProblem(reply, 403, 'Not allowed from another site', 'A change asked for by a page of another site is refused: use the viewer, or a script or GIS client.');
    }
    if (identified.user.role !== 'admin' && !roles.includes(identified.user.role)) {
      return sendProblem(reply, 403, 'Not allowed', `The ${identified.user.role} role cannot do this; it needs ${roles.join(' or ')}.`);
    }
  });
}
