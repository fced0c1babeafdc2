// What the fault runs share: a PostgreSQL server and a Redis of the run's own (so killing them touches
// nobody else), `bin/cityline start` as a child process, a load of generated resident mail dropped into
// its drop folder, and the counts that must come out exact.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { generateMessage } from '../../src/bench/generate.ts';
import { waitFor } from '../helpers/db.ts';

const run = promisify(execFile);
const CLI = path.join(import.meta.dirname, '..', '..', 'bin', 'cityline');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function pgBin(name: string): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  return path.join('/usr/lib/postgresql', versions[0] as string, 'bin', name);
}

export interface OwnPostgres {
  url(database: string): string;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A PostgreSQL cluster of the run's own: initdb into a temporary folder, its own port, trust auth. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cityline-faults-pg-'));
  const data = path.join(root, 'data');
  await mkdir(data);
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  await chown(root, Number(uid), Number(gid));
  await chown(data, Number(uid), Number(gid));
  const port = await freePort();
  const asPostgres = (bin: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', bin, ...args], { cwd: root });
  await asPostgres(await pgBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const ctl = await pgBin('pg_ctl');
  const start = async () => {
    await asPostgres(ctl, ['-D', data, '-l', path.join(root, 'log'), '-w', '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  };
  await start();
  return {
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop: async (mode = 'fast') => {
      await asPostgres(ctl, ['-D', data, '-w', '-m', mode, 'stop']);
    },
    start,
    async destroy() {
      await asPostgres(ctl, ['-D', data, '-w', '-m', 'immediate', 'stop']).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  url: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A redis-server of the run's own port: never the shared one on 6379. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cityline-faults-redis-'));
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', dir], { stdio: 'ignore' });
    await waitFor(() => new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    }), 10_000, 'redis to listen');
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await gone;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start, async destroy() { await kill(); await rm(dir, { recursive: true, force: true }); } };
}

export interface App {
  child: ChildProcess;
  /** Everything the process wrote to stderr. */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

export function launch(env: Record<string, string>): App {
  const child = spawn(CLI, ['start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, exited, alive: () => child.exitCode === null && child.signalCode === null };
}

export interface Load {
  runId: string;
  count: number;
  inbox: string;
  outbox: string;
  root: string;
}

export async function prepareFolders(): Promise<{ root: string; inbox: string; outbox: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cityline-faults-'));
  const inbox = path.join(root, 'inbox');
  const outbox = path.join(root, 'outbox');
  await mkdir(inbox, { recursive: true });
  return { root, inbox, outbox };
}

/** Drops count generated resident messages into the drop folder, each written aside and renamed in. */
export async function dropLoad(inbox: string, count: number, runId = randomBytes(4).toString('hex')): Promise<string> {
  for (let i = 0; i < count; i++) {
    const tmp = path.join(inbox, `.incoming-${i}.tmp`);
    await writeFile(tmp, generateMessage(i, { to: 'cityline311@danbury.example', runId }));
    await rename(tmp, path.join(inbox, `m-${runId}-${String(i).padStart(5, '0')}.eml`));
  }
  return runId;
}

export function appEnv(o: { databaseUrl: string; redisUrl: string; inbox: string; outbox: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    CITYLINE_QUEUE_PREFIX: `clfault-${randomBytes(5).toString('hex')}`,
    CITYLINE_DROP_DIR: o.inbox,
    CITYLINE_OUTBOX_DIR: o.outbox,
    CITYLINE_WEB_PORT: '0',
    CITYLINE_REPLY_SECRET: 'fault-run-secret-0123456789abcdef',
    CITYLINE_LOG_LEVEL: 'warn',
    IMAP_URL: '',
    SMTP_URL: '',
    ...o.extra,
  };
}

export interface Counts {
  expected: number;
  inbound: number;
  requests: number;
  /** Messages that should have opened a request and did not. */
  lost: number;
  duplicateRequests: number;
  /** Resident mail (confirmation or duplicate notice) per request beyond the first: rows, then files. */
  duplicateConfirmations: number;
  duplicateConfirmationFiles: number;
  /** Requests whose resident has no confirmation file. */
  unanswered: number;
  /** Outbox rows sent, and .eml files in the outbox folder (equal when nothing was written twice). */
  sent: number;
  files: number;
  unsent: number;
  /** What the unsent rows say, when there are any: their state and error. */
  unsentRows: string[];
}

/** Work not yet finished: messages not at an end state, and mail not yet sent. */
export async function pendingWork(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM inbound_messages WHERE state IN ('stored', 'parsed'))
           + (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')))::int AS n`,
  );
  return rows[0]?.n ?? -1;
}

export async function waitUntilDrained(db: pg.Pool, expected: number, timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_messages`);
    return (rows[0]?.n ?? 0) >= expected && (await pendingWork(db)) === 0;
  }, timeoutMs, `all ${expected} messages through the pipeline`);
}

export async function counts(db: pg.Pool, expected: number, outbox: string): Promise<Counts> {
  const q = async (sql: string): Promise<number> => ((await db.query<{ n: number }>(sql)).rows[0]?.n ?? -1);
  const files = (await readdir(outbox).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
  // Resident mail answers the resident's message: grouped by its In-Reply-To, one file each is right.
  const residentFiles = new Map<string, number>();
  for (const f of files) {
    const head = (await readFile(path.join(outbox, f), 'latin1')).split('\r\n\r\n')[0] ?? '';
    const to = /^To: (.*)$/im.exec(head)?.[1] ?? '';
    const answered = /^In-Reply-To: (.*)$/im.exec(head)?.[1]?.trim();
    if (/resident\d*@bench\.example/.test(to) && answered) residentFiles.set(answered, (residentFiles.get(answered) ?? 0) + 1);
  }
  const requests = await q('SELECT count(*)::int AS n FROM requests');
  return {
    expected,
    inbound: await q('SELECT count(*)::int AS n FROM inbound_messages'),
    requests,
    lost: expected - (await q(`SELECT count(DISTINCT i.message_id)::int AS n FROM requests r JOIN inbound_messages i ON i.id = r.source_message_id`)),
    duplicateRequests: requests - (await q(`SELECT count(DISTINCT i.message_id)::int AS n FROM requests r JOIN inbound_messages i ON i.id = r.source_message_id`)),
    duplicateConfirmations: await q(`SELECT (count(*) - count(DISTINCT request_id))::int AS n FROM outbox WHERE kind IN ('confirmation', 'duplicate_notice')`),
    duplicateConfirmationFiles: [...residentFiles.values()].reduce((sum, n) => sum + n - 1, 0),
    unanswered: requests - residentFiles.size,
    sent: await q(`SELECT count(*)::int AS n FROM outbox WHERE state = 'sent'`),
    files: files.length,
    unsent: await q(`SELECT count(*)::int AS n FROM outbox WHERE state <> 'sent'`),
    unsentRows: (await db.query<{ s: string }>(`SELECT kind || ' ' || state || ': ' || coalesce(last_error, '') AS s FROM outbox WHERE state <> 'sent' ORDER BY id LIMIT 5`)).rows.map((r) => r.s),
  };
}

/** One line a person can read in the test output, and later in the README. */
export function report(name: string, c: Counts, extra: Record<string, unknown> = {}): void {
  console.info(`FAULT RUN ${name}: ${JSON.stringify({ ...c, ...extra })}`);
}
