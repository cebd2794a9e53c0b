/** SQL of the user family: accounts with a role, and their sessions and bearer tokens. */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '#domain/vocabulary.js';
import type { Queryable } from './queryable.js';

export interface UserRow {
  id: string;
  username: string;
  role: Role;
  display_name: string | null;
  password_hash: string;
}

/**
 * Creates the user, or resets the role and password of an existing one (idempotent demo set-up).
 * Every session and token the user had is revoked: a password reset must shut out whoever held
 * the old password or a cookie or token obtained with it.
 */
export async function upsertUser(db: Queryable, user: { username: string; role: Role; passwordHash: string; displayName?: string | null }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `WITH upserted AS (
       INSERT INTO app_user (username, role, password_hash, display_name) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, disabled_at = NULL
       RETURNING id
     ), revoked AS (
       DELETE FROM api_session WHERE user_id IN (SELECT id FROM upserted)
     )
     SELECT id::text FROM upserted`,
    [user.username, user.role, user.passwordHash, user.displayName ?? null],
  );
  return rows[0]!.id;
}

export async function findActiveUser(db: Queryable, username: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    `SELECT id::text, username, role, display_name, password_hash FROM app_user WHERE username = $1 AND disabled_at IS NULL`,
    [username],
  );
  return rows[0] ?? null;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Opens a session or bearer token; returns the secret, which is shown once and stored hashed. */
export async function openSession(db: Queryable, userId: string, kind: 'cookie' | 'bearer', lifetimeHours: number, label: string | null = null): Promise<string> {
  return (await openSessionAt(db, userId, kind, lifetimeHours, label)).token;
}

/**
 * openSession, returning the secret with the session's number and expiry. `notAfter`: it expires
 * no later than this (a token minted by a session lives no longer than that session).
 */
export async function openSessionAt(
  db: Queryable, userId: string, kind: 'cookie' | 'bearer', lifetimeHours: number, label: string | null = null, notAfter: Date | null = null,
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const { rows } = await db.query<{ id: string; expires_at: Date }>(
    `INSERT INTO api_session (token_sha256, user_id, kind, label, expires_at)
     VALUES ($1, $2, $3, $4, least(now() + make_interval(hours => $5), $6::timestamptz))
     RETURNING id::text, expires_at`,
    [digest(token), userId, kind, label, lifetimeHours, notAfter],
  );
  return { token, id: rows[0]!.id, expiresAt: rows[0]!.expires_at };
}

export interface SessionUser extends Omit<UserRow, 'password_hash'> {
  /** The session or token the request came with. */
  session: { id: string; kind: 'cookie' | 'bearer'; expiresAt: Date };
}

/** The user a live session or token belongs to; null when unknown, expired or the user is disabled. */
export async function userOfSession(db: Queryable, token: string): Promise<SessionUser | null> {
  const { rows } = await db.query<Omit<UserRow, 'password_hash'> & { session_id: string; kind: 'cookie' | 'bearer'; expires_at: Date }>(
    `SELECT u.id::text, u.username, u.role, u.display_name, s.id::text AS session_id, s.kind, s.expires_at
       FROM api_session s JOIN app_user u ON u.id = s.user_id
      WHERE s.token_sha256 = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [digest(token)],
  );
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, username: row.username, role: row.role, display_name: row.display_name, session: { id: row.session_id, kind: row.kind, expiresAt: row.expires_at } };
}

export async function closeSession(db: Queryable, token: string): Promise<void> {
  await db.query(`DELETE FROM api_session WHERE token_sha256 = $1`, [digest(token)]);
}

export interface SessionListing {
  id: string;
  username: string;
  kind: 'cookie' | 'bearer';
  label: string | null;
  created_at: Date;
  expires_at: Date;
}

/** Live sessions and tokens, newest first: of one user (by id or name), or of everyone. */
export async function listSessions(db: Queryable, owner: { userId?: string; username?: string } = {}): Promise<SessionListing[]> {
  const { rows } = await db.query<SessionListing>(
    `SELECT s.id::text, u.username, s.kind, s.label, s.created_at, s.expires_at
       FROM api_session s JOIN app_user u ON u.id = s.user_id
      WHERE s.expires_at > now() AND ($1::bigint IS NULL OR u.id = $1) AND ($2::text IS NULL OR u.username = $2)
      ORDER BY s.created_at DESC, s.id DESC`,
    [owner.userId ?? null, owner.username ?? null],
  );
  return rows;
}

/** Revokes one session or token by its number; with `userId`, only if it is that user's. Returns whether one was revoked. */
export async function revokeSession(db: Queryable, id: string, userId: string | null = null): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM api_session WHERE id = $1 AND ($2::bigint IS NULL OR user_id = $2)`, [id, userId]);
  return (rowCount ?? 0) > 0;
}

/** Revokes every session and token of the user named; returns how many, or null when there is no such user. */
export async function revokeUserSessions(db: Queryable, username: string): Promise<number | null> {
  const { rows } = await db.query<{ found: boolean; revoked: number }>(
    `WITH target AS (SELECT id FROM app_user WHERE username = $1),
          revoked AS (DELETE FROM api_session WHERE user_id IN (SELECT id FROM target) RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT count(*)::int FROM revoked) AS revoked`,
    [username],
  );
  return rows[0]!.found ? rows[0]!.revoked : null;
}
