/**
 * Who is asking, on every request: the viewer's session cookie or a script's bearer token. Each
 * route declares the roles that may use it in `config.roles` (admin may use everything); a route
 * without roles is public. Anonymous gets 401, the wrong role 403.
 *
 * This runs when the request arrives (onRequest), before its body is read or validated: a caller
 * who is not allowed learns nothing about what a valid body looks like, and sends no body we parse.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { userOfSession, type SessionUser } from '../../../db/sql/users.js';
import { sendProblem } from '../problem.js';
import type { Role } from '#domain/vocabulary.js';

export const SESSION_COOKIE = 'lingwei_session';

export interface AuthenticatedUser {
  id: string;
  username: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthenticatedUser | null;
    /** The session or token the request came with (null when anonymous). */
    credential: SessionUser['session'] | null;
  }
  interface FastifyContextConfig {
    /** Roles allowed besides admin; absent: the route is public. */
    roles?: readonly Role[];
  }
}

function secretOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  return request.cookies[SESSION_COOKIE] ?? null;
}

export function useAuthentication(app: FastifyInstance, pool: pg.Pool): void {
  app.decorateRequest('user', null);
  app.decorateRequest('credential', null);
  app.addHook('onRequest', async (request, reply) => {
    const secret = secretOf(request);
    const found = secret ? await userOfSession(pool, secret) : null;
    if (found) {
      const { session, ...user } = found;
      request.user = user;
      request.credential = session;
    }
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    if (!request.user) {
      return sendProblem(reply, 401, 'Not logged in', secret ? 'The session has expired or the token is unknown: log in again.' : 'Log in, or send a bearer token.');
    }
    if (request.user.role !== 'admin' && !roles.includes(request.user.role)) {
      return sendProblem(reply, 403, 'Not allowed', `The ${request.user.role} role cannot do this; it needs ${roles.join(' or ')}.`);
    }
  });
}
