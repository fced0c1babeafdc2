// SQL for the sign_in_attempts table, which the lockout counts.
import type { Db } from '../../db/pool.ts';

export async function recordAttempt(db: Db, a: { email: string; ip: string; succeeded: boolean }): Promise<void> {
  await db.query('INSERT INTO sign_in_attempts (email, ip, succeeded) VALUES ($1, $2, $3)', [a.email, a.ip, a.succeeded]);
}

export interface RecentFailures {
  /** Failures for this account from this client since its last success from there. */
  forPair: number;
  lastPairFailure: Date | null;
  /** Failures from this client, for any account, in the client window. */
  fromClient: number;
  lastClientFailure: Date | null;
}

/** What the lockout counts: this (account, client) pair since its last success, and this client across accounts. */
export async function recentFailures(db: Db, email: string, ip: string, windowSeconds: number, clientWindowSeconds: number): Promise<RecentFailures> {
  const { rows } = await db.query<RecentFailures>(
    `WITH pair AS (
       SELECT * FROM sign_in_attempts WHERE lower(email) = lower($1) AND ip = $2 AND at > now() - make_interval(secs => $3)
     ), last_ok AS (
       SELECT max(at) AS at FROM pair WHERE succeeded
     )
     SELECT
       (SELECT count(*) FROM pair, last_ok WHERE NOT succeeded AND (last_ok.at IS NULL OR pair.at > last_ok.at))::int AS "forPair",
       (SELECT max(pair.at) FROM pair, last_ok WHERE NOT succeeded AND (last_ok.at IS NULL OR pair.at > last_ok.at)) AS "lastPairFailure",
       (SELECT count(*) FROM sign_in_attempts WHERE ip = $2 AND NOT succeeded AND at > now() - make_interval(secs => $4))::int AS "fromClient",
       (SELECT max(at) FROM sign_in_attempts WHERE ip = $2 AND NOT succeeded AND at > now() - make_interval(secs => $4)) AS "lastClientFailure"`,
    [email, ip, windowSeconds, clientWindowSeconds],
  );
  return rows[0] as RecentFailures;
}
