/** Logging in and out, and bearer tokens for scripts and GIS clients. */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { closeSession, findActiveUser, openSession, ROLES } from '../../../db/sql/users.js';
import { SESSION_COOKIE } from '../auth/authenticate.js';
import { verifyPassword } from '../auth/passwords.js';
import { sendProblem } from '../problem.js';

const SESSION_HOURS = 12;

export function authRoutes(app: FastifyInstance, pool: pg.Pool): void {
  app.post<{ Body: { username: string; password: string } }>('/api/login', {
    schema: {
      tags: ['accounts'],
      body: { type: 'object', required: ['username', 'password'], additionalProperties: false,
        properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } } },
    },
  }, async (request, reply) => {
    const user = await findActiveUser(pool, request.body.username);
    if (!user || !(await verifyPassword(request.body.password, user.password_hash))) {
      return sendProblem(reply, 401, 'Wrong user name or password');
    }
    const token = await openSession(pool, user.id, 'cookie', SESSION_HOURS);
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: SESSION_HOURS * 3600 });
    return { user: { id: user.id, username: user.username, role: user.role } };
  });

  app.post('/api/logout', { config: { roles: ROLES }, schema: { tags: ['accounts'] } }, async (request, reply) => {
    const secret = request.cookies[SESSION_COOKIE];
    if (secret) await closeSession(pool, secret);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/api/me', { config: { roles: ROLES }, schema: { tags: ['accounts'] } }, async (request) => ({ user: request.user }));

  app.post<{ Body: { label?: string; days?: number } }>('/api/tokens', {
    config: { roles: ROLES },
    schema: {
      tags: ['accounts'],
      body: { type: 'object', additionalProperties: false,
        properties: { label: { type: 'string', maxLength: 100 }, days: { type: 'integer', minimum: 1, maximum: 365, default: 90 } } },
    },
  }, async (request, reply) => {
    const days = request.body?.days ?? 90;
    const token = await openSession(pool, request.user!.id, 'bearer', days * 24, request.body?.label ?? null);
    return reply.code(201).send({ token, expires_in_days: days });
  });
}
