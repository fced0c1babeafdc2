// The IMAP watcher against a real Dovecot and a real PostgreSQL.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImapConfig } from '../../src/config/index.ts';
import { createPool, type Db } from '../../src/db/pool.ts';
import { startImapIntake, type ImapIntake } from '../../src/intake/imap.ts';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { captureLog, type CapturedLog } from './capture-log.ts';

let db: TestDb;
let dovecot: Dovecot;
let intake: ImapIntake | null = null;
let seq = 0;

function message(opts: { id?: string; body?: string; size?: number } = {}): string {
  const id = opts.id ?? `m${++seq}.${Date.now()}@resident.example`;
  const body = opts.body ?? (opts.size ? 'x'.repeat(opts.size) : `There is a pothole in front of ${seq} Main Street.`);
  return [`From: Resident <resident${seq}@example.com>`, 'To: cityline311@danbury.example', `Subject: Pothole ${seq}`, `Message-ID: <${id}>`, 'Date: Thu, 26 Nov 2026 10:00:00 +0000', '', body, ''].join('\r\n');
}

interface Run {
  intake: ImapIntake;
  stored: { id: number; at: number }[];
  logs: CapturedLog;
}

function start(imap: ImapConfig, over: { db?: Db; maxRawBytes?: number; failOnStored?: boolean } = {}): Run {
  const stored: Run['stored'] = [];
  const logs = captureLog();
  intake = startImapIntake({
    imap,
    db: over.db ?? db.pool,
    maxRawBytes: over.maxRawBytes ?? 10_000_000,
    onStored: async (id) => {
      stored.push({ id, at: Date.now() });
      if (over.failOnStored) throw new Error('Redis is down');
    },
    log: logs.log,
  });
  return { intake, stored, logs };
}

async function rowCount(): Promise<number> {
  const r = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages');
  return r.rows[0]?.n ?? -1;
}

beforeAll(async () => {
  db = await createTestDb();
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  // A fresh server per test: its own mailboxes, and a UIDVALIDITY that may equal the last one's,
  // so the checkpoint table is emptied too.
  dovecot = await startDovecot();
  await db.pool.query('TRUNCATE inbound_messages, mailbox_checkpoints CASCADE');
});

afterEach(async () => {
  await intake?.stop();
  intake = null;
  await dovecot?.stop();
});

describe('IMAP intake', () => {
  it('stores a message APPENDed while it watches within seconds, then moves it to Processed (median latency of 20)', async () => {
    const run = start(dovecot.imapConfig());
    await run.intake.ready;
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const sentAt = Date.now();
      await dovecot.append(message());
      const got = await waitFor(() => run.stored[i], 5_000, `message ${i + 1} to be stored`);
      latencies.push(got.at - sentAt);
    }
    latencies.sort((a, b) => a - b);
    const median = ((latencies[9] ?? 0) + (latencies[10] ?? 0)) / 2;
    console.log(`APPEND -> onStored over 20 messages: median ${median} ms, max ${latencies[19]} ms`);
    await waitFor(async () => (await dovecot.list('Processed')).length === 20, 5_000, 'all 20 in Processed');
    expect(await dovecot.list('INBOX')).toEqual([]);
    const processed = await dovecot.list('Processed');
    expect(processed.every((m) => m.flags.includes('\\Seen'))).toBe(true);
    expect(await rowCount()).toBe(20);
    const row = await db.pool.query('SELECT source, source_ref FROM inbound_messages ORDER BY id LIMIT 1');
    expect(row.rows[0].source).toBe('imap');
    expect(row.rows[0].source_ref).toMatch(/^INBOX:\d+:1$/);
  });

  it('works a backlog appended before it starts through in batches, each message once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const id = `backlog-${i}@resident.example`;
      ids.push(id);
      await dovecot.append(message({ id }));
    }
    const run = start(dovecot.imapConfig({ batchSize: 40 }));
    await run.intake.ready;
    expect(run.stored).toHaveLength(300);
    expect(new Set(run.stored.map((s) => s.id)).size).toBe(300);
    expect(await rowCount()).toBe(300);
    await waitFor(async () => (await dovecot.list('INBOX')).length === 0, 5_000, 'INBOX to be empty');
    const processed = await dovecot.list('Processed');
    expect(processed.map((m) => m.messageId).sort()).toEqual([...ids].sort());
    const cp = await db.pool.query('SELECT last_uid FROM mailbox_checkpoints WHERE mailbox = $1', ['INBOX']);
    expect(cp.rows[0].last_uid).toBe(300);
  });

  it('continues from its checkpoint after a restart', async () => {
    const first = start(dovecot.imapConfig());
    await first.intake.ready;
    for (let i = 0; i < 5; i++) await dovecot.append(message());
    await waitFor(async () => (await dovecot.list('Processed')).length === 5, 10_000, 'first five processed');
    await first.intake.stop();
    for (let i = 0; i < 5; i++) await dovecot.append(message());
    const second = start(dovecot.imapConfig());
    await second.intake.ready;
    expect(second.stored).toHaveLength(5);
    expect(await rowCount()).toBe(10);
    const cp = await db.pool.query('SELECT last_uid FROM mailbox_checkpoints WHERE mailbox = $1', ['INBOX']);
    expect(cp.rows[0].last_uid).toBe(10);
  });

  it('stores the same message delivered twice once, and moves both copies', async () => {
    const raw = message({ id: 'twice@resident.example' });
    await dovecot.append(raw);
    await dovecot.append(raw);
    const run = start(dovecot.imapConfig());
    await run.intake.ready;
    expect(await rowCount()).toBe(1);
    expect(run.stored.map((s) => s.id)).toEqual([run.stored[0]?.id, run.stored[0]?.id]);
    expect(await dovecot.list('Processed')).toHaveLength(2);
  });

  it('starts the mailbox over when UIDVALIDITY changed', async () => {
    await db.pool.query('INSERT INTO mailbox_checkpoints (mailbox, uid_validity, last_uid) VALUES ($1, 1, 999)', ['INBOX']);
    await dovecot.append(message());
    const run = start(dovecot.imapConfig());
    await run.intake.ready;
    expect(run.stored).toHaveLength(1);
    expect(run.logs.has('UIDVALIDITY changed')).toBe(true);
  });

  it('leaves mail in the INBOX while the database is unreachable, and takes it once it is back', async () => {
    const dead = createPool('postgres://postgres@127.0.0.1:1/cityline_nowhere', 1);
    let target: Db = dead;
    const switchable: Db = { query: ((text: string, values?: unknown[]) => target.query(text, values)) as Db['query'] };
    try {
      const run = start(dovecot.imapConfig(), { db: switchable });
      await dovecot.append(message({ id: 'while-db-down@resident.example' }));
      await run.intake.ready;
      await waitFor(() => run.logs.lines.filter((l) => l.msg.includes('database unavailable')).length >= 2, 15_000, 'two failed attempts');
      const inbox = await dovecot.list('INBOX');
      expect(inbox).toHaveLength(1);
      expect(inbox[0]?.flags).not.toContain('\\Seen');
      expect(await dovecot.list('Processed')).toEqual([]);
      expect(run.stored).toEqual([]);
      target = db.pool;
      await waitFor(() => run.stored.length === 1, 40_000, 'the message to be stored once the database is back');
      await waitFor(async () => (await dovecot.list('Processed')).length === 1, 5_000, 'the message in Processed');
    } finally {
      await intake?.stop();
      await dead.end();
    }
  });

  it('still moves a stored message when queuing its next stage fails (the sweeper queues it later)', async () => {
    await dovecot.append(message());
    const run = start(dovecot.imapConfig(), { failOnStored: true });
    await run.intake.ready;
    expect(await rowCount()).toBe(1);
    expect(await dovecot.list('Processed')).toHaveLength(1);
    expect(run.logs.has('the sweeper will queue it')).toBe(true);
  });

  it('moves a message too large to store to Processed/Rejected and goes on with the next', async () => {
    await dovecot.append(message({ size: 50_000 }));
    await dovecot.append(message());
    const run = start(dovecot.imapConfig(), { maxRawBytes: 20_000 });
    await run.intake.ready;
    expect(run.stored).toHaveLength(1);
    expect(await rowCount()).toBe(1);
    expect(await dovecot.list('Processed/Rejected')).toHaveLength(1);
    expect(await dovecot.list('Processed')).toHaveLength(1);
    expect(run.logs.has('can never be stored')).toBe(true);
  });

  it('notices a connection gone silent (watchdog) and recovers', async () => {
    const run = start(dovecot.imapConfig({ idleWatchdogSeconds: 5 }));
    await run.intake.ready;
    await dovecot.append(message());
    await waitFor(() => run.stored.length === 1, 5_000, 'first message');
    const thaw = await dovecot.freezeSessions();
    try {
      await dovecot.append(message());
      await waitFor(() => run.stored.length === 2, 30_000, 'the message sent while the session was frozen');
      expect(run.logs.has('reconnecting')).toBe(true);
    } finally {
      thaw();
    }
  });

  it('polls a server that does not offer IDLE', async () => {
    await dovecot.stop();
    dovecot = await startDovecot({ withoutIdle: true });
    const run = start(dovecot.imapConfig({ pollSeconds: 1 }));
    await run.intake.ready;
    await dovecot.append(message());
    await waitFor(() => run.stored.length === 1, 5_000, 'the message to be found by polling');
  });

  it('says once that a wrong password is refused, however often it retries, and becomes ready so the system can show it', async () => {
    const run = start(dovecot.imapConfig({ password: 'wrong' }));
    await run.intake.ready;
    await waitFor(() => run.logs.lines.filter((l) => l.msg.includes('IMAP sign-in failed; retrying')).length >= 2, 15_000, 'two refused attempts');
    const loud = run.logs.lines.filter((l) => l.msg.includes('cannot sign in'));
    expect(loud).toHaveLength(1);
    expect(loud[0]?.msg).toMatch(/refused the user and password for resident311.*check IMAP_URL/);
  });

  it('reconnects when the server restarts', async () => {
    const run = start(dovecot.imapConfig());
    await run.intake.ready;
    await dovecot.restart();
    await dovecot.append(message());
    await waitFor(() => run.stored.length === 1, 20_000, 'the message sent after the restart');
    await waitFor(async () => (await dovecot.list('Processed')).length === 1, 5_000, 'the message in Processed');
  });
});
