// Each pipeline stage's handler, run once against a real PostgreSQL without BullMQ: the stage registry's
// declarations (handler, dependencies, dead-letter behaviour) are what the running system uses.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { storeRawMessage } from '../../src/intake/store.ts';
import type { Payloads, Stage } from '../../src/jobs/catalog.ts';
import type { PipelineDeps } from '../../src/pipeline/deps.ts';
import { loadRouting, syncRouting } from '../../src/routing/rules.ts';
import { classifyStage } from '../../workers/classify.ts';
import { notifyStage } from '../../workers/notify.ts';
import { parseStage } from '../../workers/parse.ts';
import { createTestDb, testLog, type TestDb } from '../helpers/db.ts';

let db: TestDb;
let outboxDir: string;
let shared: PipelineDeps;
// What a stage hands to the next one; with no BullMQ here, the test plays the queue.
const queued: { stage: Stage; payload: Payloads[Stage] }[] = [];
const attempt = { attempt: 1, finalAttempt: false };

beforeAll(async () => {
  db = await createTestDb();
  outboxDir = await mkdtemp(path.join(os.tmpdir(), 'cityline-stages-'));
  const config = loadConfig({ DATABASE_URL: db.url, CITYLINE_OUTBOX_DIR: outboxDir, CITYLINE_REPLY_SECRET: 'stages-test-secret-0123456789' });
  const routing = await loadRouting(config.routingFile);
  await syncRouting(db.pool, routing);
  shared = {
    pool: db.pool,
    config,
    routing,
    log: testLog,
    enqueue: async (stage, payload) => {
      queued.push({ stage, payload });
    },
  };
});
afterAll(async () => {
  await db?.drop();
  await rm(outboxDir, { recursive: true, force: true });
});

function taken(stage: Stage): Payloads[Stage][] {
  const mine = queued.filter((q) => q.stage === stage).map((q) => q.payload);
  queued.splice(0, queued.length, ...queued.filter((q) => q.stage !== stage));
  return mine;
}

describe('stage handlers, once each', () => {
  let inboundId: number;

  it('parse reads the stored MIME and hands the message to classify', async () => {
    const raw = Buffer.from(
      'From: Pat Resident <pat@resident.example>\r\nTo: cityline311@danbury.example\r\nSubject: Pothole on Main Street\r\n' +
        'Message-ID: <stages-1@resident.example>\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n\r\n' +
        'There is a deep pothole in front of 12 Main Street, please fix it.\r\n',
    );
    inboundId = (await storeRawMessage(db.pool, { raw, source: 'drop', maxRawBytes: 1_000_000 })).id;
    const deps = await parseStage.spec.deps(shared);
    await parseStage.spec.handle({ inboundMessageId: inboundId }, deps, attempt);
    const { rows } = await db.pool.query('SELECT state, kind, from_address FROM inbound_messages WHERE id = $1', [inboundId]);
    expect(rows[0]).toEqual({ state: 'parsed', kind: 'new_request', from_address: 'pat@resident.example' });
    expect(taken('classify')).toEqual([{ inboundMessageId: inboundId }]);
  });

  it('classify opens the request and queues its confirmation', async () => {
    const deps = await classifyStage.spec.deps(shared);
    await classifyStage.spec.handle({ inboundMessageId: inboundId }, deps, attempt);
    const { rows } = await db.pool.query(
      `SELECT r.category, r.street, o.kind FROM requests r JOIN outbox o ON o.request_id = r.id WHERE r.source_message_id = $1 ORDER BY o.id`,
      [inboundId],
    );
    expect(rows[0]).toMatchObject({ category: 'pothole', street: 'Main Street', kind: 'confirmation' });
    expect(taken('notify')).toHaveLength(rows.length);
  });

  it('notify writes the confirmation and records it sent', async () => {
    const { rows } = await db.pool.query<{ id: number }>(`SELECT id FROM outbox WHERE kind = 'confirmation'`);
    const deps = await notifyStage.spec.deps(shared);
    try {
      await notifyStage.spec.handle({ outboxId: rows[0]!.id }, deps, attempt);
    } finally {
      await notifyStage.spec.close?.(deps);
    }
    const files = await readdir(outboxDir);
    expect(files).toHaveLength(1);
    expect(await readFile(path.join(outboxDir, files[0]!), 'utf8')).toMatch(/^To: pat@resident\.example/m);
    const { rows: state } = await db.pool.query('SELECT state FROM outbox WHERE id = $1', [rows[0]!.id]);
    expect(state[0]).toEqual({ state: 'sent' });
  });

  it('each stage\'s dead letter marks the row it names failed, with the reason', async () => {
    // A sent email is never marked failed; one that is still pending is.
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO outbox (dedupe_key, kind, to_address, subject, message_id, text_body, language)
       VALUES ('stages-dead-letter', 'confirmation', 'pat@resident.example', 'x', 'stages-dead-letter@danbury.example', 'x', 'en') RETURNING id`,
    );
    await parseStage.spec.deadLetter(shared, { inboundMessageId: inboundId }, 'parse gave up');
    await notifyStage.spec.deadLetter(shared, { outboxId: rows[0]!.id }, 'relay gave up');
    const { rows: inbound } = await db.pool.query('SELECT state, error FROM inbound_messages WHERE id = $1', [inboundId]);
    expect(inbound[0]).toEqual({ state: 'failed', error: 'parse gave up' });
    const { rows: out } = await db.pool.query('SELECT state, last_error FROM outbox WHERE id = $1', [rows[0]!.id]);
    expect(out[0]).toEqual({ state: 'failed', last_error: 'relay gave up' });
    await classifyStage.spec.deadLetter(shared, { inboundMessageId: inboundId }, 'classify gave up');
    const { rows: again } = await db.pool.query('SELECT error FROM inbound_messages WHERE id = $1', [inboundId]);
    expect(again[0]).toEqual({ error: 'classify gave up' });
  });
});
