/** SQL of the user family: accounts with a role, and their sessions and bearer tokens. */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;
export type Role = 'operator' | 'reviewer' | 'assessor' | 'admin';
export const ROLES: readonly Role[] = ['operator', 'reviewer', 'assessor', 'admin'];

export interface UserRow {
  id: string;
  username: string;
  role: Role;
  display_name: string | null;
  password_hash: string;
}

/** Creates the user, or resets the role and password of an existing one (idempotent demo set-up). */
export async function upsertUser(db: Queryable, user: { username: string; role: Role; passwordHash: string; displayName?: string | null }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO app_user (username, role, password_hash, display_name) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, disabled_at = NULL
     RETURNING id::text`,
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
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO api_session (token_sha256, user_id, kind, label, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))`,
    [digest(token), userId, kind, label, lifetimeHours],
  );
  return token;
}

/** The user a live session or token belongs to; null when unknown, expired or the user is disabled. */
export async function userOfSession(db: Queryable, token: string): Promise<Omit<UserRow, 'password_hash'> | null> {
  const { rows } = await db.query<Omit<UserRow, 'password_hash'>>(
    `SELECT u.id::text, u.username, u.role, u.display_name FROM api_session s JOIN app_user u ON u.id = s.user_id
      WHERE s.token_sha256 = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [digest(token)],
  );
  return rows[0] ?? null;
}

export async function closeSession(db: Queryable, token: string): Promise<void> {
  await db.query(`DELETE FROM api_session WHERE token_sha256 = $1`, [digest(token)]);
}
