// When repeated sign-in failures lock an account or an address out, and for how long.
import type { RecentFailures } from './queries/sign-in-attempts.ts';

export const LOCKOUT_WINDOW_SECONDS = 15 * 60;
export const MAX_FAILURES_PER_EMAIL = 5;
// Higher than per email so one office behind one address is not locked out by a colleague's typos.
export const MAX_FAILURES_PER_IP = 20;

/** The time until which sign-in is refused, or null when it is allowed now. */
export function lockedUntil(f: RecentFailures, now: Date): Date | null {
  if (f.lastFailure === null) return null;
  if (f.forEmail < MAX_FAILURES_PER_EMAIL && f.fromIp < MAX_FAILURES_PER_IP) return null;
  const until = new Date(f.lastFailure.getTime() + LOCKOUT_WINDOW_SECONDS * 1000);
  return until > now ? until : null;
}
