// SQL for the staff_users table.
import type { Db } from '../../db/pool.ts';
import type { Role } from './sessions.ts';

export interface StaffUser {
  id: number;
  email: string;
  passwordHash: string;
  isAdmin: boolean;
  disabled: boolean;
  mustChangePassword: boolean;
}

const COLUMNS = `id, email, password_hash AS "passwordHash", is_admin AS "isAdmin", disabled, must_change_password AS "mustChangePassword"`;

export async function findUserByEmail(db: Db, email: string): Promise<StaffUser | null> {
  const { rows } = await db.query<StaffUser>(`SELECT ${COLUMNS} FROM staff_users WHERE lower(email) = lower($1)`, [email]);
  return rows[0] ?? null;
}

export interface UpsertedUser {
  id: number;
  created: boolean;
  role: Role;
  /** The existing account's role and state before; null for a new account. */
  before: { role: Role; disabled: boolean } | null;
}

/**
 * Creates the account (an agent unless a role is given), or replaces the password of an existing one and
 * enables it. An existing account keeps its role unless one is given: a password reset never demotes.
 */
export async function upsertUser(
  db: Db,
  u: { email: string; passwordHash: string; role?: Role; mustChangePassword: boolean },
): Promise<UpsertedUser> {
  const { rows } = await db.query<{ id: number; created: boolean; role: Role; beforeRole: Role | null; beforeDisabled: boolean | null }>(
    `WITH before AS (SELECT CASE WHEN is_admin THEN 'admin' ELSE role END AS role, disabled FROM staff_users WHERE lower(email) = lower($1))
     INSERT INTO staff_users (email, password_hash, is_admin, role, must_change_password)
     VALUES ($1, $2, coalesce($3, 'agent') = 'admin', CASE WHEN coalesce($3, 'agent') = 'admin' THEN 'agent' ELSE coalesce($3, 'agent') END, $4)
     ON CONFLICT (lower(email)) DO UPDATE SET password_hash = EXCLUDED.password_hash,
        is_admin = CASE WHEN $3::text IS NULL THEN staff_users.is_admin ELSE EXCLUDED.is_admin END,
        role = CASE WHEN $3::text IS NULL OR $3 = 'admin' THEN staff_users.role ELSE EXCLUDED.role END,
        must_change_password = EXCLUDED.must_change_password, disabled = false
     RETURNING id, (xmax = 0) AS created, CASE WHEN is_admin THEN 'admin' ELSE role END AS role,
        (SELECT role FROM before) AS "beforeRole", (SELECT disabled FROM before) AS "beforeDisabled"`,
    [u.email, u.passwordHash, u.role ?? null, u.mustChangePassword],
  );
  const r = rows[0] as (typeof rows)[number];
  return { id: r.id, created: r.created, role: r.role, before: r.beforeRole === null ? null : { role: r.beforeRole, disabled: r.beforeDisabled === true } };
}

export async function getUser(db: Db, id: number): Promise<StaffUser | null> {
  const { rows } = await db.query<StaffUser>(`SELECT ${COLUMNS} FROM staff_users WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function setPassword(db: Db, id: number, passwordHash: string): Promise<void> {
  await db.query('UPDATE staff_users SET password_hash = $2, must_change_password = false WHERE id = $1', [id, passwordHash]);
}

export async function noteSignIn(db: Db, userId: number): Promise<void> {
  await db.query('UPDATE staff_users SET last_sign_in = now() WHERE id = $1', [userId]);
}

/** Accounts that can be given a request: not disabled and not read-only. */
export async function assignableStaff(db: Db): Promise<{ id: number; email: string }[]> {
  const { rows } = await db.query<{ id: number; email: string }>(
    `SELECT id, email FROM staff_users WHERE NOT disabled AND (is_admin OR role = 'agent') ORDER BY lower(email)`,
  );
  return rows;
}

export interface StaffListEntry {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: Date;
  lastSignIn: Date | null;
}

export async function listStaff(db: Db): Promise<StaffListEntry[]> {
  const { rows } = await db.query<StaffListEntry>(
    `SELECT id, email, CASE WHEN is_admin THEN 'admin' ELSE role END AS role, disabled, must_change_password AS "mustChangePassword",
            created_at AS "createdAt", last_sign_in AS "lastSignIn"
       FROM staff_users ORDER BY disabled, lower(email)`,
  );
  return rows;
}

/** An admin is is_admin; agent and read-only are the role of a non-admin account. */
export async function setRole(db: Db, id: number, role: Role): Promise<void> {
  await db.query(`UPDATE staff_users SET is_admin = ($2 = 'admin'), role = CASE WHEN $2 = 'admin' THEN role ELSE $2 END WHERE id = $1`, [id, role]);
}

/** Disabling also ends the account's sessions: it is signed out everywhere at once. */
export async function setDisabled(db: Db, id: number, disabled: boolean): Promise<void> {
  await db.query('UPDATE staff_users SET disabled = $2 WHERE id = $1', [id, disabled]);
  if (disabled) await db.query('DELETE FROM staff_sessions WHERE user_id = $1', [id]);
}

/** A reset: a one-time password that must be changed at the next sign-in, and every session ended. */
export async function resetPassword(db: Db, id: number, passwordHash: string): Promise<void> {
  await db.query('UPDATE staff_users SET password_hash = $2, must_change_password = true WHERE id = $1', [id, passwordHash]);
  await db.query('DELETE FROM staff_sessions WHERE user_id = $1', [id]);
}

/** Creates an account; null when the address already has one (an admin page never overwrites one silently). */
export async function insertUser(db: Db, u: { email: string; passwordHash: string; role: Role }): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO staff_users (email, password_hash, is_admin, role, must_change_password) VALUES ($1, $2, $3 = 'admin', CASE WHEN $3 = 'admin' THEN 'agent' ELSE $3 END, true)
     ON CONFLICT (lower(email)) DO NOTHING RETURNING id`,
    [u.email, u.passwordHash, u.role],
  );
  return rows[0]?.id ?? null;
}

/** The account can no longer sign in (its sessions are ended by the caller); null when there is none. */
export async function disableUser(db: Db, email: string): Promise<{ id: number } | null> {
  const { rows } = await db.query<{ id: number }>('UPDATE staff_users SET disabled = true WHERE lower(email) = lower($1) RETURNING id', [email]);
  return rows[0] ?? null;
}
