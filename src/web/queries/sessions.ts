// SQL for the staff_sessions table. Rows are keyed by the SHA-256 of the cookie's token.
import type { Db } from '../../db/pool.ts';

export interface SessionUser {
  userId: number;
  email: string;
  isAdmin: boolean;
  /** What the account may do: an admin everything, an agent work requests, read-only look. */
  role: Role;
  mustChangePassword: boolean;
}

export type Role = 'admin' | 'agent' | 'read_only';

export async function insertSession(db: Db, tokenHash: string, userId: number, ttlSeconds: number): Promise<void> {
  await db.query(
    `INSERT INTO staff_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
    [tokenHash, userId, ttlSeconds],
  );
}

/** The session's user when the session is live; slides the expiry forward (idle timeout), never past the absolute lifetime. */
export async function touchSession(db: Db, tokenHash: string, ttlSeconds: number, maxAgeSeconds: number): Promise<SessionUser | null> {
  const { rows } = await db.query<SessionUser>(
    `UPDATE staff_sessions s SET last_seen = now(),
            expires_at = least(now() + make_interval(secs => $2), s.created_at + make_interval(secs => $3))
       FROM staff_users u
      WHERE s.token_hash = $1 AND s.expires_at > now() AND s.created_at > now() - make_interval(secs => $3)
        AND u.id = s.user_id AND NOT u.disabled
      RETURNING u.id AS "userId", u.email, u.is_admin AS "isAdmin", CASE WHEN u.is_admin THEN 'admin' ELSE u.role END AS role,
                u.must_change_password AS "mustChangePassword"`,
    [tokenHash, ttlSeconds, maxAgeSeconds],
  );
  return rows[0] ?? null;
}

/** Signs the user out everywhere: their password was reset, or the account disabled. */
export async function deleteUserSessions(db: Db, userId: number): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM staff_sessions WHERE user_id = $1', [userId]);
  return rowCount ?? 0;
}

/** Signs the user out everywhere else, e.g. after a password change. */
export async function deleteOtherSessions(db: Db, userId: number, keepTokenHash: string): Promise<void> {
  await db.query('DELETE FROM staff_sessions WHERE user_id = $1 AND token_hash <> $2', [userId, keepTokenHash]);
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM staff_sessions WHERE token_hash = $1 OR expires_at < now()', [tokenHash]);
}
