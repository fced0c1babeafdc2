// The whole system on real services for end-to-end tests: its own database and queue prefix, a real
// Dovecot for the 311 mailbox, and a real SMTP server capturing what is sent.
import { startSystem, type System } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createTestDb, testLog, testQueuePrefix, waitFor, type TestDb } from './db.ts';
import { startDovecot, type Dovecot } from './dovecot.ts';
import { startSmtpPeer, type SmtpPeer } from './smtp-peer.ts';

export interface TestSystem {
  system: System;
  config: Config;
  db: TestDb;
  dovecot: Dovecot;
  smtp: SmtpPeer;
  /** The request a stored message (by Message-ID) opened, once it exists. */
  requestFor(messageId: string, timeoutMs?: number): Promise<{ id: number; trackingNumber: string; status: string; category: string; street: string | null }>;
  stop(): Promise<void>;
}

export function testEnv(db: TestDb, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    CITYLINE_QUEUE_PREFIX: testQueuePrefix(),
    CITYLINE_WEB_PORT: '0',
    CITYLINE_REPLY_SECRET: 'end-to-end-test-secret-0123456789',
    CITYLINE_JOB_LOCK_SECONDS: '3',
    CITYLINE_LOG_LEVEL: 'warn',
    IMAP_POLL_SECONDS: '2',
    IMAP_IDLE_DELAY_MS: '100',
    ...extra,
  };
}

export async function startTestSystem(opts: { env?: Record<string, string>; web?: boolean } = {}): Promise<TestSystem> {
  const db = await createTestDb();
  const dovecot = await startDovecot();
  const smtp = await startSmtpPeer();
  const config = loadConfig(testEnv(db, { IMAP_URL: dovecot.imapUrl('INBOX'), SMTP_URL: smtp.url, ...opts.env }));
  const system = await startSystem(config, {
    web: opts.web ?? false,
    log: testLog,
    sweep: { intervalMs: 500, graceSeconds: 2 },
  });
  return {
    system,
    config,
    db,
    dovecot,
    smtp,
    requestFor: (messageId, timeoutMs = 20_000) =>
      waitFor(async () => {
        const { rows } = await db.pool.query(
          `SELECT r.id, r.tracking_number AS "trackingNumber", r.status, r.category, r.street
             FROM requests r JOIN inbound_messages i ON i.id = r.source_message_id WHERE i.message_id = $1`,
          [messageId],
        );
        return rows[0];
      }, timeoutMs, `a request for <${messageId}>`),
    async stop() {
      await system.stop();
      await system.queues.close();
      await smtp.close();
      await dovecot.stop();
      await db.drop();
    },
  };
}

/** A plain resident email. */
export function residentMail(m: { from: string; subject: string; body: string; messageId: string; headers?: Record<string, string>; to?: string }): string {
  const extra = Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  return [
    `From: ${m.from}`,
    `To: ${m.to ?? 'cityline311@danbury.example'}`,
    `Subject: ${m.subject}`,
    `Message-ID: <${m.messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    ...extra,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    m.body,
    '',
  ].join('\r\n');
}

/** Waits until the mailbox is empty, every stored message is handled and every queued email is sent. */
export async function waitUntilSettled(t: TestSystem): Promise<void> {
  await waitFor(async () => (await t.dovecot.list('INBOX')).length === 0, 20_000, 'the INBOX to empty');
  await waitFor(async () => {
    const { rows } = await t.db.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM inbound_messages WHERE state IN ('stored', 'parsed')) + (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')) AS n`,
    );
    return Number(rows[0]?.n) === 0;
  }, 20_000, 'all work to be done');
}
