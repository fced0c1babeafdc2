// Makes a failing mailbox sign-in loud, once: one log line per change of state (not per retry), the
// state in the database for /healthz and the dashboard of every process, and an email to the admin
// at most once an hour while it lasts.
import type { Db } from '../db/pool.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { claimAlert, recordSignIn, type SignInChannel, type SignInProblem } from './status.ts';

export interface SignInReporter {
  ok(channel: SignInChannel): void;
  failed(channel: SignInChannel, problem: SignInProblem, reason: string): void;
}

export interface ReporterOptions {
  /** null: log only (a command-line tool without a database). */
  db: Db | null;
  log: Logger;
  /** Emails the admin about a failing channel; absent when CITYLINE_ADMIN_EMAIL is unset. */
  alert?: (channel: SignInChannel, reason: string) => Promise<void>;
  /** How often an unchanged state is confirmed in the database. */
  refreshMs?: number;
}

export const ALERT_EVERY_SECONDS = 3600;
/** /healthz and the dashboard ignore a failure nobody confirmed for this long (its process is gone). */
export const STATE_MAX_AGE_SECONDS = 300;

const CHANNEL_NAMES: Record<SignInChannel, string> = { imap: 'IMAP (incoming mail)', smtp: 'SMTP (outgoing mail)', graph: 'Microsoft Graph (outgoing mail)' };

export function channelName(channel: SignInChannel): string {
  return CHANNEL_NAMES[channel];
}

interface Known {
  problem: SignInProblem | null;
  reason: string | null;
  persistedAt: number;
}

export function createSignInReporter(opts: ReporterOptions): SignInReporter {
  const refreshMs = opts.refreshMs ?? 60_000;
  const log = opts.log.child({ component: 'sign-in' });
  const known = new Map<SignInChannel, Known>();
  let alertTrouble: string | null = null;
  let recordTrouble: string | null = null;

  async function alert(channel: SignInChannel, reason: string): Promise<void> {
    if (!opts.alert || !opts.db) return;
    try {
      if (!(await claimAlert(opts.db, 'sign-in', ALERT_EVERY_SECONDS))) return;
      await opts.alert(channel, reason);
      log.info({ channel }, 'admin emailed about the failing sign-in');
      alertTrouble = null;
    } catch (err) {
      const why = describeError(err);
      if (why !== alertTrouble) log.error({ channel, err: why }, 'could not email the admin about the failing sign-in');
      alertTrouble = why;
    }
  }

  function report(channel: SignInChannel, problem: SignInProblem | null, reason: string | null): void {
    const before = known.get(channel);
    const changed = !before || before.problem !== problem || before.reason !== reason;
    if (changed) {
      if (problem !== null) {
        log.error({ channel, problem, reason }, `${channelName(channel)}: ${problem === 'sign-in' ? 'cannot sign in' : 'cannot connect'}: ${reason}`);
      } else if (before && before.problem !== null) {
        log.info({ channel }, `${channelName(channel)}: signed in again`);
      }
    }
    const state: Known = { problem, reason, persistedAt: changed ? 0 : (before?.persistedAt ?? 0) };
    known.set(channel, state);
    if (!opts.db || Date.now() - state.persistedAt < refreshMs) return;
    state.persistedAt = Date.now();
    const db = opts.db;
    void (async () => {
      try {
        await recordSignIn(db, channel, problem, reason);
        recordTrouble = null;
      } catch (err) {
        // Tried again with the next report; said once, not at every retry.
        state.persistedAt = 0;
        const why = describeError(err);
        if (why !== recordTrouble) log.warn({ err: why }, 'could not record the sign-in state for /healthz and the dashboard');
        recordTrouble = why;
        return;
      }
      if (problem === 'sign-in' && reason !== null) await alert(channel, reason);
    })();
  }

  return {
    ok: (channel) => report(channel, null, null),
    failed: (channel, problem, reason) => report(channel, problem, reason),
  };
}
