// The sign_in_status and admin_alerts tables.
import type { Db } from '../db/pool.ts';

export type SignInChannel = 'imap' | 'smtp' | 'graph';
export type SignInProblem = 'sign-in' | 'connection';

export interface SignInState {
  channel: SignInChannel;
  ok: boolean;
  problem: SignInProblem | null;
  reason: string | null;
  since: Date;
  checkedAt: Date;
}

/** Records the current state; `since` moves only when the state itself changed. */
export async function recordSignIn(db: Db, channel: SignInChannel, problem: SignInProblem | null, reason: string | null): Promise<void> {
  await db.query(
    `INSERT INTO sign_in_status (channel, ok, problem, reason) VALUES ($1, $2::text IS NULL, $2::text, $3::text)
     ON CONFLICT (channel) DO UPDATE SET
       since = CASE WHEN sign_in_status.problem IS NOT DISTINCT FROM EXCLUDED.problem
                     AND sign_in_status.reason IS NOT DISTINCT FROM EXCLUDED.reason
                    THEN sign_in_status.since ELSE now() END,
       ok = EXCLUDED.ok, problem = EXCLUDED.problem, reason = EXCLUDED.reason, checked_at = now()`,
    [channel, problem, reason],
  );
}

/**
 * Failures confirmed within maxAgeSeconds. A failure nobody has re-confirmed since (its process
 * stopped, or was reconfigured) is not reported.
 */
export async function currentFailures(db: Db, maxAgeSeconds: number): Promise<SignInState[]> {
  const r = await db.query<{ channel: SignInChannel; problem: SignInProblem; reason: string; since: Date; checked_at: Date }>(
    `SELECT channel, problem, reason, since, checked_at FROM sign_in_status
      WHERE NOT ok AND checked_at > now() - make_interval(secs => $1) ORDER BY channel`,
    [maxAgeSeconds],
  );
  return r.rows.map((row) => ({ channel: row.channel, ok: false, problem: row.problem, reason: row.reason, since: row.since, checkedAt: row.checked_at }));
}

/** True for the one caller allowed to send this kind of alert now (none in the hour after the last). */
export async function claimAlert(db: Db, kind: string, everySeconds: number): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO admin_alerts (kind, sent_at) VALUES ($1, now())
     ON CONFLICT (kind) DO UPDATE SET sent_at = now()
      WHERE admin_alerts.sent_at <= now() - make_interval(secs => $2)
     RETURNING kind`,
    [kind, everySeconds],
  );
  return r.rows.length > 0;
}
