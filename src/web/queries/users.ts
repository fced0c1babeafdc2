// SQL for the staff_users table.
import type { Db } from '../../db/pool.ts';

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

/** Creates the account, or replaces the password (and admin flag) of an existing one. */
export async function upsertUser(
  db: Db,
  u: { email: string; passwordHash: string; isAdmin: boolean; mustChangePassword: boolean },
): Promise<{ id: number; created: boolean }> {
  const { rows } = await db.query<{ id: number; created: boolean }>(
    `INSERT INTO staff_users (email, password_hash, is_admin, must_change_password) VALUES ($1, $2, $3, $4)
     ON CONFLICT (lower(email)) DO UPDATE SET password_hash = EXCLUDED.password_hash, is_admin = EXCLUDED.is_admin,
        must_change_password = EXCLUDED.must_change_password, disabled = false
     RETURNING id, (xmax = 0) AS created`,
    [u.email, u.passwordHash, u.isAdmin, u.mustChangePassword],
  );
  return rows[0] as { id: number; created: boolean };
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

/** The account can no longer sign in (its sessions are ended by the caller); null when there is none. */
export async function disableUser(db: Db, email: string): Promise<{ id: number } | null> {
  const { rows } = await db.query<{ id: number }>('UPDATE staff_users SET disabled = true WHERE lower(email) = lower($1) RETURNING id', [email]);
  return rows[0] ?? null;
}
