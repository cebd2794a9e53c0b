/**
 * Logging in and out, bearer tokens for scripts and GIS clients, and revoking them.
 *
 * Logins (and tokens minted with the password) back off per account name and per address. A
 * token minted with only a session lives no longer than that session, so a stolen 12-hour cookie
 * cannot be turned into a 90-day token; a longer one needs the password again.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { closeSession, listSessions, openSessionAt, revokeSession, revokeUserSessions, type SessionListing } from '#db/sql/users.js';
import { ROLES } from '#domain/vocabulary.js';
import type { ApiConfig } from '../api-config.js';
import type { LogoutReply, RevokedReply, Sendable, TokenCreated, TokenList, TokenListing, UserReply } from '../api-contract.js';
import { SESSION_COOKIE, sendThrottled } from '../auth/authenticate.js';
import { checkCredentials, forgetOldFailures, type CredentialCheck } from '../auth/check-credentials.js';
import { sendProblem } from '../problem.js';
import { idParams } from './id-schema.js';

/** How often counts of failed logins that are no longer remembered are removed, ms. */
const THROTTLE_SWEEP_EVERY_MS = 3600_000;

const USERNAME = { type: 'string', minLength: 1, maxLength: 64 } as const;
const PASSWORD = { type: 'string', minLength: 1, maxLength: 256 } as const;

/** Answers a refused credential check (wrong or throttled). */
function refusal(reply: FastifyReply, check: Exclude<CredentialCheck, { outcome: 'ok' }>): FastifyReply {
  if (check.outcome === 'throttled') return sendThrottled(reply, check.retryAfterS);
  return sendProblem(reply, 401, 'Wrong user name or password');
}

const listing = (s: SessionListing): Sendable<TokenListing> => ({ id: s.id, username: s.username, kind: s.kind, label: s.label, created_at: s.created_at, expires_at: s.expires_at });

export function authRoutes(app: FastifyInstance, pool: pg.Pool, config: ApiConfig): void {
  const timer = setInterval(() => void forgetOldFailures(pool, config.loginThrottle).catch((error: unknown) => app.log.error(error)), THROTTLE_SWEEP_EVERY_MS).unref();
  app.addHook('onClose', async () => clearInterval(timer));

  const secureCookie = (request: FastifyRequest) => (config.cookieSecure === 'auto' ? request.protocol === 'https' : config.cookieSecure);

  app.post<{ Body: { username: string; password: string }; Reply: Sendable<UserReply> }>('/api/login', {
    schema: {
      tags: ['accounts'], summary: 'Logs in: a session cookie for the viewer',
      body: { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username: USERNAME, password: PASSWORD } },
    },
  }, async (request, reply) => {
    const check = await checkCredentials(pool, request.body.username, request.body.password, request.ip, config.loginThrottle);
    if (check.outcome !== 'ok') return refusal(reply, check);
    const { user } = check;
    const { token } = await openSessionAt(pool, user.id, 'cookie', config.sessionHours);
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: config.sessionHours * 3600, secure: secureCookie(request) });
    return { user: { id: user.id, username: user.username, role: user.role } };
  });

  app.post<{ Reply: Sendable<LogoutReply> }>('/api/logout', { config: { roles: ROLES }, schema: { tags: ['accounts'], summary: 'Logs out: ends the session of the cookie' } }, async (request, reply) => {
    const secret = request.cookies[SESSION_COOKIE];
    if (secret) await closeSession(pool, secret);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get<{ Reply: Sendable<UserReply> }>('/api/me', { config: { roles: ROLES }, schema: { tags: ['accounts'], summary: 'Who the credentials belong to' } }, async (request) => ({ user: request.user! }));

  const defaultDays = Math.min(90, config.tokenMaxDays);
  app.post<{ Body: { label?: string; days?: number; password?: string }; Reply: Sendable<TokenCreated> }>('/api/tokens', {
    config: { roles: ROLES, acceptsPassword: true },
    schema: {
      tags: ['accounts'], summary: 'A new API token (Bearer, or Basic password) for `days`',
      description: `A token for \`days\` (at most ${config.tokenMaxDays}, TOKEN_MAX_DAYS), to send as Bearer or as the password of HTTP Basic. Asked with HTTP Basic user name and password (no login needed) or with \`password\` in the body, it lasts the days asked; else it expires no later than the session or token that asks for it.`,
      body: { type: 'object', additionalProperties: false,
        properties: { label: { type: 'string', maxLength: 100 }, days: { type: 'integer', minimum: 1, maximum: config.tokenMaxDays, default: defaultDays }, password: PASSWORD } },
    },
  }, async (request, reply) => {
    const user = request.user!;
    const days = request.body?.days ?? defaultDays;
    // Basic with the password (curl -u NAME) asked with no session at all: as long as asked.
    let notAfter: Date | null = request.passwordChecked ? null : request.credential!.expiresAt;
    if (request.body?.password !== undefined) {
      const check = await checkCredentials(pool, user.username, request.body.password, request.ip, config.loginThrottle);
      if (check.outcome !== 'ok') return refusal(reply, check);
      notAfter = null;
    }
    const opened = await openSessionAt(pool, user.id, 'bearer', days * 24, request.body?.label ?? null, notAfter);
    const expiresInDays = Math.round(((opened.expiresAt.getTime() - Date.now()) / 86_400_000) * 100) / 100;
    return reply.code(201).send({
      token: opened.token, id: opened.id, expires_at: opened.expiresAt, expires_in_days: expiresInDays,
      ...(notAfter && notAfter.getTime() < Date.now() + days * 86_400_000 ? { limited_by: 'the session that asked for it: send the password for a longer token' } : {}),
    });
  });

  app.get<{ Reply: Sendable<TokenList> }>('/api/tokens', {
    config: { roles: ROLES },
    schema: { tags: ['accounts'], summary: 'Your live sessions and tokens (never their secrets); `current`: the one this request came with' },
  }, async (request) => ({
    tokens: (await listSessions(pool, { userId: request.user!.id })).map((s) => ({ ...listing(s), current: s.id === request.credential!.id })),
  }));

  app.delete<{ Params: { id: string } }>('/api/tokens/:id', {
    config: { roles: ROLES },
    schema: { tags: ['accounts'], summary: 'Revokes one of your sessions or tokens (an admin: anyone\'s)', params: idParams('id') },
  }, async (request, reply) => {
    const user = request.user!;
    const revoked = await revokeSession(pool, request.params.id, user.role === 'admin' ? null : user.id);
    return revoked ? reply.code(204).send() : sendProblem(reply, 404, 'No such token', `You have no session or token number ${request.params.id}.`);
  });

  // Admin: everyone's tokens, and shutting one account out at once.
  app.get<{ Querystring: { user?: string }; Reply: Sendable<TokenList> }>('/api/admin/tokens', {
    config: { roles: [] },
    schema: { tags: ['accounts'], summary: 'Live sessions and tokens of every user, or of one', querystring: { type: 'object', additionalProperties: false, properties: { user: USERNAME } } },
  }, async (request) => ({ tokens: (await listSessions(pool, { username: request.query.user })).map(listing) }));

  app.delete<{ Params: { username: string }; Reply: RevokedReply }>('/api/admin/users/:username/tokens', {
    config: { roles: [] },
    schema: { tags: ['accounts'], summary: 'Revokes every session and token of a user', params: { type: 'object', required: ['username'], properties: { username: USERNAME } } },
  }, async (request, reply) => {
    const revoked = await revokeUserSessions(pool, request.params.username);
    return revoked === null ? sendProblem(reply, 404, 'No such user', `There is no user ${request.params.username}.`) : { revoked };
  });
}
