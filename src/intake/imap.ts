// The mailbox watcher: stores each new message raw, then flags it and moves it to the Processed
// folder. Nothing is moved before it is committed, and nothing is ever deleted.
import { ImapFlow } from 'imapflow';
import type { ImapConfig } from '../config/index.ts';
import type { Db } from '../db/pool.ts';
import { describeError, PermanentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TokenSource } from '../oauth/index.ts';
import { createSignInReporter, type SignInReporter } from '../signin/reporter.ts';
import { advanceCheckpoint, readCheckpoint, resetCheckpoint } from './checkpoint.ts';
import { byeMeansNewToken, imapSignInProblem } from './imap-errors.ts';
import { notifyStored } from './notify-stored.ts';
import { storeRawMessage } from './store.ts';
import { backoffMs, createWaker, withTimeout } from './waits.ts';

export interface ImapIntakeOptions {
  imap: ImapConfig;
  db: Db;
  maxRawBytes: number;
  onStored: (inboundMessageId: number) => Promise<void>;
  log: Logger;
  /** Where access tokens come from when the IMAP user has no password (OAuth2). */
  tokens?: TokenSource;
  /** Told whether sign-in works, for /healthz, the dashboard and the admin alert. */
  signIn?: SignInReporter;
}

export interface ImapIntake {
  /**
   * Resolves once connected and the first backlog pass is done (or cut short by an unreachable
   * database), or once the first attempt failed: intake goes on retrying, and the failure is on
   * /healthz, so the rest of the system can start meanwhile.
   */
  ready: Promise<void>;
  /** Idempotent. */
  stop(): Promise<void>;
}

const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
const STOP_DEADLINE_MS = 10_000;
const RECONNECT_BASE_MS = 1_000;
const RECONNECT_CAP_MS = 60_000;
// A session that lasted this long was healthy: the backoff starts over after it. One that ended
// sooner (a server that lets us in and drops us) keeps the backoff growing.
const STABLE_SESSION_MS = 60_000;
// A server unreachable this many times in a row is reported (one restart is not news).
const REPORT_CONNECTION_AFTER = 3;

interface Folders {
  processed: string;
  rejected: string;
}

type Outcome = 'done' | 'retry';

export function startImapIntake(opts: ImapIntakeOptions): ImapIntake {
  const { imap, db } = opts;
  const log = opts.log.child({ component: 'imap', mailbox: imap.mailbox });
  if (imap.password === null && !opts.tokens) throw new Error(`IMAP user ${imap.user} has no password and no OAuth2 token source`);
  const waker = createWaker();
  // Only stop() wakes this one. The retry backoff waits on it, so a wake left pending by the dead
  // connection's 'close' event (or a late EXISTS) cannot cut the wait short: that is what made intake
  // reconnect in a tight loop when the server refused connections.
  const stopWaker = createWaker();
  const signIn = opts.signIn ?? createSignInReporter({ db: null, log });
  const watchdogMs = imap.idleWatchdogSeconds * 1000;
  const pollMs = imap.pollSeconds * 1000;
  // A command on a live connection answers in milliseconds; one that hangs means a dead connection.
  const commandTimeoutMs = Math.min(30_000, Math.max(5_000, watchdogMs / 2));
  let stopping = false;
  let client: ImapFlow | null = null;
  let lastHeard = Date.now();
  let readyDone = false;
  let resolveReady!: () => void;
  const ready = new Promise<void>((res) => {
    resolveReady = res;
  });
  const markReady = (): void => {
    if (!readyDone) {
      readyDone = true;
      resolveReady();
    }
  };

  const cmd = <T>(p: Promise<T>, what: string, ms = commandTimeoutMs): Promise<T> => withTimeout(p, ms, `IMAP ${what}`);

  async function signInWith(renewToken: boolean): Promise<{ user: string; pass: string } | { user: string; accessToken: string }> {
    if (imap.password !== null) return { user: imap.user, pass: imap.password };
    const t = await (opts.tokens as TokenSource).get({ renew: renewToken });
    return { user: imap.user, accessToken: t.token };
  }

  async function session(renewToken: boolean, onConnected: () => void, onClient: (c: ImapFlow) => void): Promise<void> {
    const auth = await signInWith(renewToken);
    const c = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth,
      logger: false,
      autoIdleDelay: imap.idleDelayMs,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
    });
    client = c;
    onClient(c);
    // Without an 'error' listener a socket error would crash the process.
    c.on('error', (err: unknown) => log.warn({ err: describeError(err) }, 'IMAP connection error'));
    // Only the selected mailbox (ours) reports EXISTS.
    c.on('exists', () => {
      lastHeard = Date.now();
      waker.wake();
    });
    c.on('close', () => waker.wake());
    try {
      await cmd(c.connect(), 'connect', 60_000);
      await cmd(c.mailboxOpen(imap.mailbox), `SELECT ${imap.mailbox}`);
      const folders = await ensureFolders(c);
      onConnected();
      signIn.ok('imap');
      log.info({ processed: folders.processed, rejected: folders.rejected }, 'watching the mailbox');
      let dbAttempts = 0;
      while (!stopping) {
        const outcome = await drain(c, folders);
        lastHeard = Date.now();
        markReady();
        dbAttempts = outcome === 'retry' ? dbAttempts + 1 : 0;
        const nextDrainAt = Date.now() + (outcome === 'retry' ? backoffMs(dbAttempts, 500, 30_000) : pollMs);
        await waitForNews(c, nextDrainAt);
      }
    } finally {
      client = null;
      if (c.usable) await withTimeout(c.logout(), 2_000, 'IMAP LOGOUT').catch(() => c.close());
      else c.close();
    }
  }

  /** Waits until mail arrives or the next drain is due; checks a quiet connection with NOOP meanwhile. */
  async function waitForNews(c: ImapFlow, nextDrainAt: number): Promise<void> {
    for (;;) {
      if (stopping) return;
      if (!c.usable) throw new Error('the IMAP connection closed');
      const watchdogAt = lastHeard + watchdogMs;
      const woken = await waker.wait(Math.min(nextDrainAt, watchdogAt) - Date.now());
      if (stopping) return;
      if (!c.usable) throw new Error('the IMAP connection closed');
      if (woken || Date.now() >= nextDrainAt) return;
      if (Date.now() >= lastHeard + watchdogMs) {
        // IDLE can die silently (server or middlebox): a NOOP that gets no answer proves it.
        log.debug({ quietSeconds: Math.round((Date.now() - lastHeard) / 1000) }, 'nothing heard for a while; checking the connection');
        await cmd(c.noop(), 'NOOP (watchdog)');
        lastHeard = Date.now();
      }
    }
  }

  async function ensureFolders(c: ImapFlow): Promise<Folders> {
    const processed = await cmd(c.mailboxCreate(imap.processedFolder), `CREATE ${imap.processedFolder}`);
    const rejected = await cmd(c.mailboxCreate([imap.processedFolder, 'Rejected']), `CREATE ${imap.processedFolder}/Rejected`);
    return { processed: processed.path, rejected: rejected.path };
  }

  /** Works through every message above the checkpoint, batch by batch. */
  async function drain(c: ImapFlow, folders: Folders): Promise<Outcome> {
    if (c.mailbox === false) throw new Error(`mailbox ${imap.mailbox} is not selected`);
    const uidValidity = Number(c.mailbox.uidValidity);
    let lastUid: number;
    try {
      const cp = await readCheckpoint(db, imap.mailbox);
      if (!cp || cp.uidValidity !== uidValidity) {
        if (cp) log.warn({ was: cp.uidValidity, now: uidValidity }, 'UIDVALIDITY changed: reading the mailbox from the start (Message-ID dedupe keeps stored messages single)');
        await resetCheckpoint(db, imap.mailbox, uidValidity);
      }
      lastUid = cp && cp.uidValidity === uidValidity ? cp.lastUid : 0;
    } catch (err) {
      log.warn({ err: describeError(err) }, 'database unavailable: mail stays in the mailbox until it is back');
      return 'retry';
    }
    // UIDs only: the sources are fetched one by one afterwards, never inside a FETCH iterator.
    const found = await cmd(c.search({ uid: `${lastUid + 1}:*` }, { uid: true }), 'UID SEARCH');
    lastHeard = Date.now();
    const uids = (found || []).filter((u) => u > lastUid).sort((a, b) => a - b);
    if (uids.length > 0) log.debug({ count: uids.length, after: lastUid }, 'new messages');
    for (let i = 0; i < uids.length && !stopping; i += imap.batchSize) {
      if ((await processBatch(c, uids.slice(i, i + imap.batchSize), uidValidity, folders)) === 'retry') return 'retry';
    }
    return 'done';
  }

  async function processBatch(c: ImapFlow, batch: number[], uidValidity: number, folders: Folders): Promise<Outcome> {
    const sizes = await cmd(collectSizes(c, batch), 'UID FETCH sizes');
    const stored: number[] = [];
    const rejected: number[] = [];
    let lastHandled = 0;
    let outcome: Outcome = 'done';
    for (const uid of batch) {
      if (stopping) break;
      const size = sizes.get(uid);
      if (size === undefined) {
        lastHandled = uid; // expunged by someone else since the search
        continue;
      }
      let raw: Buffer | null = null;
      if (size <= opts.maxRawBytes) {
        const msg = await cmd(c.fetchOne(String(uid), { source: true }, { uid: true }), `UID FETCH ${uid} source`, DOWNLOAD_TIMEOUT_MS);
        if (!msg || !msg.source) {
          lastHandled = uid;
          continue;
        }
        raw = msg.source;
      }
      const result = await storeOne(raw, size, uid, uidValidity, folders);
      if (result === 'retry') {
        outcome = 'retry';
        break;
      }
      (result === 'stored' ? stored : rejected).push(uid);
      lastHandled = uid;
    }
    if (stored.length > 0) await moveTo(c, stored, folders.processed);
    if (rejected.length > 0) await moveTo(c, rejected, folders.rejected);
    if (lastHandled > 0) {
      try {
        await advanceCheckpoint(db, imap.mailbox, uidValidity, lastHandled);
      } catch (err) {
        // The messages already left the mailbox, so the next pass cannot take them twice.
        log.warn({ err: describeError(err) }, 'could not record the mailbox checkpoint; will retry');
        return 'retry';
      }
    }
    return outcome;
  }

  async function storeOne(raw: Buffer | null, size: number, uid: number, uidValidity: number, folders: Folders): Promise<'stored' | 'rejected' | 'retry'> {
    try {
      if (raw === null) {
        throw new PermanentError(`message is ${size} bytes, over the ${opts.maxRawBytes}-byte cap (CITYLINE_MAX_RAW_BYTES)`, 'MESSAGE_TOO_LARGE');
      }
      const sourceRef = `${imap.mailbox}:${uidValidity}:${uid}`;
      const s = await storeRawMessage(db, { raw, source: 'imap', sourceRef, maxRawBytes: opts.maxRawBytes });
      await notifyStored(opts.onStored, s.id, log);
      log.info({ uid, inboundMessageId: s.id, created: s.created }, 'message stored');
      return 'stored';
    } catch (err) {
      if (err instanceof PermanentError) {
        log.error({ uid, code: err.code, err: err.message }, `message can never be stored: moving it to ${folders.rejected} (it is not deleted)`);
        return 'rejected';
      }
      log.warn({ uid, err: describeError(err) }, 'database unavailable: the message stays in the mailbox; retrying');
      return 'retry';
    }
  }

  async function moveTo(c: ImapFlow, uids: number[], folder: string): Promise<void> {
    await cmd(c.messageFlagsAdd(uids, ['\\Seen'], { uid: true }), 'UID STORE \\Seen');
    await cmd(c.messageMove(uids, folder, { uid: true }), `UID MOVE to ${folder}`);
  }

  const loop = (async () => {
    let failures = 0;
    let renewToken = false;
    while (!stopping) {
      const last: { connectedAt: number | null; client: ImapFlow | null } = { connectedAt: null, client: null };
      try {
        await session(
          renewToken,
          () => (last.connectedAt = Date.now()),
          (c) => (last.client = c),
        );
      } catch (err) {
        if (stopping) break;
        if (last.connectedAt !== null && Date.now() - last.connectedAt >= STABLE_SESSION_MS) failures = 0;
        failures += 1;
        const delay = backoffMs(failures, RECONNECT_BASE_MS, RECONNECT_CAP_MS);
        const problem = imapSignInProblem(err, { user: imap.user, oauth: imap.password === null });
        const bye = last.client?.byeReason;
        // A refused token, or a session the server ended over its token, is not tried again.
        renewToken = imap.password === null && (problem !== null || byeMeansNewToken(bye));
        if (problem !== null) {
          // The reporter logs this once per change; the retries are only worth a debug line.
          signIn.failed('imap', 'sign-in', problem);
          log.debug({ err: describeError(err), attempt: failures, retryInMs: delay }, 'IMAP sign-in failed; retrying');
        } else {
          if (failures >= REPORT_CONNECTION_AFTER) signIn.failed('imap', 'connection', `cannot reach ${imap.host}:${imap.port}: ${describeError(err)}`);
          log.warn({ err: describeError(err), bye, attempt: failures, retryInMs: delay }, 'IMAP session ended; reconnecting');
        }
        markReady();
        await stopWaker.wait(delay);
      }
    }
  })();

  let stopped: Promise<void> | null = null;
  return {
    ready,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        waker.wake();
        stopWaker.wake();
        const deadline = new Promise<void>((r) => setTimeout(r, STOP_DEADLINE_MS).unref());
        await Promise.race([loop, deadline]);
        client?.close();
        await loop;
        markReady();
      })();
      return stopped;
    },
  };
}

async function collectSizes(c: ImapFlow, uids: number[]): Promise<Map<number, number>> {
  const sizes = new Map<number, number>();
  for await (const m of c.fetch(uids, { uid: true, size: true }, { uid: true })) sizes.set(m.uid, m.size ?? 0);
  return sizes;
}
