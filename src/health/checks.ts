// What `cityline check` and /healthz ask of the world: each check says what it found and, when that is
// wrong, what to do about it, in words a city IT admin can act on.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { Redis } from 'ioredis';
import { redact, type Config } from '../config/index.ts';
import { describeError } from '../errors.ts';
import { loadRouting } from '../routing/rules.ts';
import { loadClassifier } from '../classify/index.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { START_POSTGRES, START_REDIS } from './outage-log.ts';
import { checkIncoming, checkOutgoing, type CheckStep } from '../intake/mailbox-check.ts';
import { STATE_MAX_AGE_SECONDS } from '../signin/reporter.ts';
import { currentFailures, type SignInChannel } from '../signin/status.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found, one line. */
  readonly detail: string;
  /** What to do about it, when the status is not ok. */
  readonly fix?: string;
}

const TIMEOUT_MS = 3_000;

/** A database URL pointing at the server's own maintenance database, so a missing cityline311 is not "down". */
function serverUrl(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  u.pathname = '/postgres';
  return u.toString();
}

export async function checkPostgres(config: Config): Promise<CheckResult> {
  const where = redact(config.databaseUrl);
  const server = new pg.Client({ connectionString: serverUrl(config.databaseUrl), connectionTimeoutMillis: TIMEOUT_MS });
  server.on('error', () => {});
  try {
    await server.connect();
  } catch (err) {
    return { name: 'PostgreSQL', status: 'fail', detail: `not reachable at ${where} (${describeError(err)})`, fix: START_POSTGRES };
  } finally {
    await server.end().catch(() => {});
  }
  const db = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: TIMEOUT_MS });
  db.on('error', () => {});
  try {
    await db.connect();
    const pending = await pendingMigrations(db);
    if (pending.length > 0) {
      return { name: 'PostgreSQL', status: 'warn', detail: `${where}: ${pending.length} migration(s) not applied yet (${pending.join(', ')})`, fix: 'run bin/cityline migrate (start does it too)' };
    }
    return { name: 'PostgreSQL', status: 'ok', detail: `${where}: reachable, schema up to date` };
  } catch (err) {
    if ((err as { code?: string }).code === '3D000') {
      return { name: 'PostgreSQL', status: 'warn', detail: `${where}: the server answers but the database does not exist yet`, fix: 'bin/cityline start or bin/cityline migrate creates it' };
    }
    return { name: 'PostgreSQL', status: 'fail', detail: `${where}: ${describeError(err)}`, fix: START_POSTGRES };
  } finally {
    await db.end().catch(() => {});
  }
}

export async function checkRedis(config: Config): Promise<CheckResult[]> {
  const where = redact(config.redisUrl);
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: TIMEOUT_MS, retryStrategy: () => null });
  // connect() rejects with "Connection is closed"; the socket's own error says why.
  let socketError: unknown = null;
  redis.on('error', (err) => {
    socketError ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    const reachable: CheckResult = { name: 'Redis', status: 'ok', detail: `${where}: reachable` };
    if (policy === 'noeviction') return [reachable, { name: 'Redis policy', status: 'ok', detail: 'maxmemory-policy noeviction' }];
    return [
      reachable,
      {
        name: 'Redis policy',
        status: 'warn',
        detail: `maxmemory-policy is ${policy}: under memory pressure Redis may evict queued jobs`,
        fix: 'redis-cli config set maxmemory-policy noeviction (and set it in redis.conf)',
      },
    ];
  } catch (err) {
    return [{ name: 'Redis', status: 'fail', detail: `not reachable at ${where} (${describeError(socketError ?? err)})`, fix: START_REDIS }];
  } finally {
    redis.disconnect();
  }
}

export async function checkRelay(config: Config): Promise<CheckResult> {
  if (config.smtpUrl === null) {
    try {
      await fs.mkdir(config.outboxDir, { recursive: true });
      await fs.access(config.outboxDir, fsConstants.W_OK);
      return { name: 'Outgoing mail', status: 'ok', detail: `SMTP_URL unset: mail is written as .eml files to ${config.outboxDir}` };
    } catch (err) {
      return { name: 'Outgoing mail', status: 'fail', detail: `cannot write to ${config.outboxDir}: ${describeError(err)}`, fix: 'make the folder writable or set CITYLINE_OUTBOX_DIR' };
    }
  }
  const where = redact(config.smtpUrl);
  const transporter = nodemailer.createTransport({ url: config.smtpUrl, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS });
  try {
    await transporter.verify();
    return { name: 'Outgoing mail', status: 'ok', detail: `${where}: the relay answers and accepts our sign-in (nothing sent)` };
  } catch (err) {
    const auth = /auth/i.test(describeError(err)) || (err as { code?: string }).code === 'EAUTH';
    return {
      name: 'Outgoing mail',
      status: 'fail',
      detail: `${where}: ${describeError(err)}`,
      fix: auth ? 'the relay refused the user or password in SMTP_URL' : 'check the host and port in SMTP_URL and that this machine may reach it',
    };
  } finally {
    transporter.close();
  }
}

export async function checkRouting(config: Config): Promise<CheckResult> {
  try {
    const routing = await loadRouting(config.routingFile);
    return { name: 'Routing', status: 'ok', detail: `${config.routingFile}: ${routing.departments.size} departments` };
  } catch (err) {
    return { name: 'Routing', status: 'fail', detail: describeError(err), fix: 'fix the routing file (see config/routing.json) or set CITYLINE_ROUTING_FILE' };
  }
}

export async function checkModel(config: Config): Promise<CheckResult> {
  try {
    const classifier = await loadClassifier({ modelFile: config.modelFile, reviewThreshold: config.reviewThreshold });
    return { name: 'Classifier', status: 'ok', detail: `${config.modelFile}: model ${classifier.modelVersion}` };
  } catch (err) {
    return { name: 'Classifier', status: 'fail', detail: `${config.modelFile}: ${describeError(err)}`, fix: 'run bin/cityline train, or set CITYLINE_MODEL_FILE' };
  }
}

const SIGN_IN_LABELS: Record<SignInChannel, string> = { imap: 'IMAP', smtp: 'SMTP', graph: 'Microsoft Graph' };

/**
 * Mailbox sign-ins failing right now, as recorded by whichever process saw it (intake, notify): a
 * mailbox nobody can sign in to is an outage as surely as a database that is down.
 */
async function signInChecks(pool: Pick<pg.Pool, 'query'>): Promise<CheckResult[]> {
  const failures = await currentFailures(pool, STATE_MAX_AGE_SECONDS);
  return failures.map((f) => ({
    name: `${SIGN_IN_LABELS[f.channel]} ${f.problem === 'sign-in' ? 'sign-in' : 'connection'}`,
    status: 'fail',
    detail: `${f.problem === 'sign-in' ? 'cannot sign in' : 'cannot connect'} since ${f.since.toISOString()}: ${f.reason ?? ''}`,
    fix: 'run bin/cityline mailbox check, which says what is wrong',
  }));
}

/**
 * What /healthz answers from a running process: its own pool (no new connection per probe), Redis,
 * and the mailbox sign-ins. The files were read at start, so a running process has them.
 */
export async function liveChecks(config: Config, pool: Pick<pg.Pool, 'query'>): Promise<CheckResult[]> {
  const database = pool.query('SELECT 1').then(
    (): CheckResult => ({ name: 'PostgreSQL', status: 'ok', detail: 'reachable' }),
    (err: unknown): CheckResult => ({ name: 'PostgreSQL', status: 'fail', detail: `not reachable (${describeError(err)})`, fix: START_POSTGRES }),
  );
  const [db, redis] = await Promise.all([database, checkRedis(config)]);
  const signIn = db.status === 'ok' ? await signInChecks(pool) : [];
  return [db, ...redis, ...signIn];
}

const fromMailboxCheck = (steps: CheckStep[]): CheckResult[] =>
  steps.map((s) => ({ name: s.name.charAt(0).toUpperCase() + s.name.slice(1), status: s.ok ? 'ok' : 'fail', detail: s.detail }));

/** SMTP_URL with a user and no password, or Microsoft Graph: the sign-in is OAuth2, which `mailbox check` knows. */
function outgoingSignsInWithOAuth(config: Config): boolean {
  if (config.mailTransport === 'graph') return true;
  if (config.smtpUrl === null) return false;
  const u = new URL(config.smtpUrl);
  return u.username !== '' && u.password === '';
}

/** Everything `cityline check` looks at, in the order a person would fix it. */
export async function runAllChecks(config: Config): Promise<CheckResult[]> {
  const [postgres, redis, incoming, relay, routing, model] = await Promise.all([
    checkPostgres(config),
    checkRedis(config),
    // The mailbox itself (sign-in, folders) when there is one: the same steps as `cityline mailbox check`.
    config.imap ? checkIncoming(config).then(fromMailboxCheck) : Promise.resolve([]),
    outgoingSignsInWithOAuth(config) ? checkOutgoing(config).then(fromMailboxCheck) : checkRelay(config).then((r) => [r]),
    checkRouting(config),
    checkModel(config),
  ]);
  return [postgres, ...redis, ...incoming, ...relay, routing, model];
}

export function formatReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => {
    const head = `${r.status.toUpperCase().padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`;
    return r.fix && r.status !== 'ok' ? `${head}\n${' '.repeat(width + 8)}-> ${r.fix}` : head;
  });
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push(failed === 0 && warned === 0 ? 'All good.' : `${failed} to fix, ${warned} to look at.`);
  return lines.join('\n');
}
