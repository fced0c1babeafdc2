// SQL for the sign_in_attempts table, which the lockout counts.
import type { Db } from '../../db/pool.ts';

export async function recordAttempt(db: Db, a: { email: string; ip: string; succeeded: boolean }): Promise<void> {
  await db.query('INSERT INTO sign_in_attempts (email, ip, succeeded) VALUES ($1, $2, $3)', [a.email, a.ip, a.succeeded]);
}

export interface RecentFailures {
  forEmail: number;
  fromIp: number;
  /** When the newest failure counted happened; the lockout runs from there. */
  lastFailure: Date | null;
}

/** Failures in the window since the last success for this email (a success clears the count). */
export async function recentFailures(db: Db, email: string, ip: string, windowSeconds: number): Promise<RecentFailures> {
  const { rows } = await db.query<RecentFailures>(
    `WITH recent AS (
       SELECT * FROM sign_in_attempts WHERE at > now() - make_interval(secs => $3)
     ), last_ok AS (
       SELECT max(at) AS at FROM recent WHERE lower(email) = lower($1) AND succeeded
     )
     SELECT
       (SELECT count(*) FROM recent, last_ok WHERE lower(email) = lower($1) AND NOT succeeded
          AND (last_ok.at IS NULL OR recent.at > last_ok.at))::int AS "forEmail",
       (SELECT count(*) FROM recent WHERE ip = $2 AND NOT succeeded)::int AS "fromIp",
       (SELECT max(at) FROM recent WHERE (lower(email) = lower($1) OR ip = $2) AND NOT succeeded) AS "lastFailure"`,
    [email, ip, windowSeconds],
  );
  return rows[0] as RecentFailures;
}
