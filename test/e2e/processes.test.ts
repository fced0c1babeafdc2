// The command line as operators run it: `cityline start` with nothing but PostgreSQL and Redis, and a
// worker process killed in the middle of its work and started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeRawMessage } from '../../src/intake/store.ts';
import { createQueues } from '../../src/jobs/queues.ts';
import { createTestDb, testLog, waitFor, type TestDb } from '../helpers/db.ts';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.ts';
import { residentMail, testEnv } from '../helpers/system.ts';

const CLI = path.join(import.meta.dirname, '..', '..', 'bin', 'cityline');

function launch(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(CLI, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', () => {});
  child.stdout?.on('data', () => {});
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('bin/cityline start with no mailbox and no SMTP', () => {
  let db: TestDb;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDb();
    dir = await mkdtemp(path.join(os.tmpdir(), 'cityline-start-'));
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('turns an .eml dropped in the drop folder into a confirmation .eml in the outbox folder', async () => {
    const inbox = path.join(dir, 'inbox');
    const outbox = path.join(dir, 'outbox');
    const child = launch(['start'], testEnv(db, { CITYLINE_DROP_DIR: inbox, CITYLINE_OUTBOX_DIR: outbox }));
    try {
      await waitFor(async () => (await readdir(inbox).catch(() => null)) !== null, 30_000, 'the drop folder to exist');
      const messageId = `${randomBytes(6).toString('hex')}@resident.example`;
      const tmp = path.join(dir, 'incoming.tmp');
      await writeFile(tmp, residentMail({ from: 'ana@resident.example', subject: 'Árbol caído', body: 'Hay un árbol caído bloqueando la calle en Golden Hill Road, por favor vengan pronto.', messageId }));
      await rename(tmp, path.join(inbox, 'resident.eml'));
      const file = await waitFor(async () => {
        const files = (await readdir(outbox).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
        for (const f of files) {
          const text = await readFile(path.join(outbox, f), 'utf8');
          if (/^To: .*ana@resident\.example/im.test(text)) return text;
        }
        return undefined;
      }, 30_000, 'a confirmation .eml for the resident');
      const { rows } = await db.pool.query<{ tracking_number: string; language: string }>('SELECT tracking_number, language FROM requests');
      expect(rows).toHaveLength(1);
      const tracking = rows[0]?.tracking_number as string;
      expect(file).toMatch(new RegExp(`^Subject: .*${tracking}`, 'm'));
      expect(rows[0]?.language).toBe('es');
      expect(await readdir(path.join(inbox, 'processed'))).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });
});

describe('a worker killed in the middle of a stage', () => {
  let db: TestDb;
  let smtp: SmtpPeer;
  beforeAll(async () => {
    db = await createTestDb();
    smtp = await startSmtpPeer();
  });
  afterAll(async () => {
    await smtp.close();
    await db.drop();
  });

  it('is restarted and every message still gets exactly one request and one confirmation', { timeout: 180_000 }, async () => {
    const env = testEnv(db, { SMTP_URL: smtp.url });
    const n = 40;
    const queues = createQueues(env.REDIS_URL as string, env.CITYLINE_QUEUE_PREFIX as string, testLog);
    const run = randomBytes(4).toString('hex');
    try {
      for (let i = 0; i < n; i++) {
        const raw = Buffer.from(residentMail({ from: `r${i}@resident.example`, subject: `pothole ${i}`, body: `Pothole in front of ${i + 1} Main Street, please fix.`, messageId: `kill-${run}-${i}@resident.example` }));
        const stored = await storeRawMessage(db.pool, { raw, source: 'pipe', maxRawBytes: 10_000_000 });
        await queues.enqueue('parse', { inboundMessageId: stored.id });
      }
      const first = launch(['worker', 'parse', 'classify', 'notify'], env);
      await waitFor(() => smtp.messages.length >= 3 || undefined, 60_000, 'the first worker to send some mail');
      first.kill('SIGKILL');
      await exited(first);
      const sentBeforeKill = smtp.messages.length;
      expect(sentBeforeKill).toBeLessThan(2 * n);

      const second = launch(['worker', 'parse', 'classify', 'notify'], env);
      try {
        await waitFor(async () => {
          const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE kind IN ('confirmation', 'duplicate_notice') AND state = 'sent'`);
          return rows[0]?.n === n;
        }, 90_000, 'every confirmation to be sent after the restart');
      } finally {
        second.kill('SIGTERM');
        await exited(second);
      }
      const { rows } = await db.pool.query<{ requests: number; confirmations: number; per: number }>(
        `SELECT (SELECT count(*)::int FROM requests) AS requests,
                (SELECT count(*)::int FROM outbox WHERE kind IN ('confirmation', 'duplicate_notice')) AS confirmations,
                (SELECT max(c)::int FROM (SELECT count(*) AS c FROM requests GROUP BY source_message_id) x) AS per`,
      );
      expect(rows[0]).toEqual({ requests: n, confirmations: n, per: 1 });
      const confirmationsReceived = smtp.messages.filter((m) => /^cityline311\+/.test(m.parsed.replyTo?.value[0]?.address ?? '') && m.envelopeTo.some((a) => a.endsWith('@resident.example')));
      const distinct = new Set(confirmationsReceived.map((m) => m.parsed.messageId));
      expect(distinct.size).toBe(n);
      // SMTP cannot tell us whether the relay got a message the instant before a crash: at most the
      // messages in flight when the process died (the notify concurrency) can arrive twice.
      expect(confirmationsReceived.length - distinct.size).toBeLessThanOrEqual(4);
    } finally {
      await queues.close();
    }
  });
});
