// A crash between writing an email's file and recording it as sent leaves its row 'sending'; the
// restarted notify stage takes the row again and must not write a second file.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { insertOutboxRows } from '../../src/notify/outbox.ts';
import { createTransport, type MailTransport } from '../../src/notify/transport.ts';
import type { NotifyDeps } from '../../src/pipeline/deps.ts';
import { loadRouting } from '../../src/routing/rules.ts';
import { handle } from '../../workers/notify.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { testEnv } from '../helpers/system.ts';

let db: TestDb;
let dir: string;
beforeAll(async () => {
  db = await createTestDb();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cityline-crash-outbox-'));
});
afterAll(async () => {
  await db.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

it('a row left sending after its file was written is recorded as sent without a second file', async () => {
  const config = loadConfig(testEnv(db, { CITYLINE_OUTBOX_DIR: dir }));
  const files = createTransport({ smtpUrl: null, outboxDir: dir, log: pino({ level: 'silent' }) });
  const routing = await loadRouting(config.routingFile);
  const deps = (transport: MailTransport): NotifyDeps => ({ pool: db.pool, config, routing, enqueue: async () => {}, log: pino({ level: 'silent' }), transport });
  const [id] = await insertOutboxRows(db.pool, [{
    dedupeKey: 'crash-test-1', requestId: null, kind: 'command_error', toAddress: 'highway@danbury.example', replyTo: null,
    subject: 'Your status line could not be read', messageId: 'n.crash-test-1.abcdefgh@danbury.example', inReplyTo: null, references: [],
    language: 'en', text: 'The first line must be "status: <status>".', html: null, attachmentIds: [], headers: { 'Auto-Submitted': 'auto-replied' },
  }]);
  // The process dies right after the file is in place: nothing after the write runs.
  const dying: MailTransport = {
    kind: 'file',
    async send(mail) {
      await files.send(mail);
      throw new Error('SIGKILL');
    },
    async close() {},
  };
  await expect(handle({ outboxId: id! }, deps(dying), { finalAttempt: false })).rejects.toThrow('SIGKILL');
  await db.pool.query(`UPDATE outbox SET state = 'sending' WHERE id = $1`, [id]);

  await handle({ outboxId: id! }, deps(files), { finalAttempt: false });
  const { rows } = await db.pool.query<{ state: string; attempts: number }>('SELECT state, attempts FROM outbox WHERE id = $1', [id]);
  expect(rows[0]).toEqual({ state: 'sent', attempts: 2 });
  expect((await fs.readdir(dir)).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
});
