// How long repeated sign-in failures make the next attempt wait. Counted per (account, client), so an
// attacker elsewhere cannot lock a staff member out of their own desk; the wait grows with each failure
// instead of a hard lock. One client failing across many accounts (credential stuffing) waits too.
import type { RecentFailures } from './queries/sign-in-attempts.ts';

/** How far back failures count (and the per-client allowance's window). */
export const LOCKOUT_WINDOW_SECONDS = 24 * 3600;
/** Failures for one account from one client before any wait: typos are free. */
export const FREE_FAILURES = 3;
const FIRST_DELAY_SECONDS = 15;
export const MAX_DELAY_SECONDS = 15 * 60;
// Higher than per account so one office behind one address is not slowed by a colleague's typos.
export const MAX_FAILURES_PER_CLIENT = 20;
export const CLIENT_WINDOW_SECONDS = 15 * 60;

/** The wait after n failures in a row: none for the first few, then 15 s doubling to at most 15 minutes. */
export function delayAfter(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES - 1));
}

/** The time until which sign-in is refused for this account from this client, or null when it is allowed now. */
export function lockedUntil(f: RecentFailures, now: Date): Date | null {
  const waits: Date[] = [];
  if (f.lastPairFailure !== null && f.forPair > FREE_FAILURES) waits.push(new Date(f.lastPairFailure.getTime() + delayAfter(f.forPair) * 1000));
  if (f.lastClientFailure !== null && f.fromClient >= MAX_FAILURES_PER_CLIENT) waits.push(new Date(f.lastClientFailure.getTime() + CLIENT_WINDOW_SECONDS * 1000));
  const until = waits.sort((a, b) => b.getTime() - a.getTime())[0];
  return until && until > now ? until : null;
}
