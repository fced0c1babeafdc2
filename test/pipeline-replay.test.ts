// Queuing work again: stale jobs from an earlier life of the database, and staff replaying dead letters.
import { UnrecoverableError, Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeRawMessage } from '../src/intake/store.ts';
import { createQueues, redisConnection, type Queues } from '../src/jobs/queues.ts';
import { replayInbound, replayJob } from '../src/pipeline/replay.ts';
import { startSweeper } from '../src/pipeline/sweeper.ts';
import { createTestDb, testLog, testQueuePrefix, waitFor, type TestDb } from './helpers/db.ts';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('requeue and replay', () => {
  let db: TestDb;
  let queues: Queues;
  let prefix: string;
  beforeAll(async () => {
    db = await createTestDb();
    prefix = testQueuePrefix();
    queues = createQueues(REDIS, prefix, testLog);
  });
  afterAll(async () => {
    for (const s of ['parse', 'classify', 'notify'] as const) await queues.queue(s).obliterate({ force: true });
    await queues.close();
    await db.drop();
  });

  /** Runs the parse queue once with a processor that always fails, as a broken or foreign worker would. */
  async function failEveryParseJob(until: () => Promise<boolean>): Promise<void> {
    const connection = redisConnection(REDIS, testLog);
    const worker = new Worker('parse', async () => {
      throw new UnrecoverableError('failed elsewhere');
    }, { connection, prefix });
    try {
      await waitFor(until, 10_000, 'the job to fail');
    } finally {
      await worker.close();
      connection.disconnect();
    }
  }

  async function parseJobState(id: number): Promise<string | undefined> {
    return (await queues.queue('parse').getJob(`parse-${id}`))?.getState();
  }

  it('the sweeper clears a job kept from an earlier database that blocks a new message with the same id', async () => {
    const stored = await storeRawMessage(db.pool, { raw: Buffer.from('From: a@b.example\r\nSubject: x\r\n\r\npothole\r\n'), source: 'pipe', maxRawBytes: 1e6 });
    await queues.enqueue('parse', { inboundMessageId: stored.id });
    await failEveryParseJob(async () => (await parseJobState(stored.id)) === 'failed');
    // A plain enqueue is ignored while the failed job is kept...
    await queues.enqueue('parse', { inboundMessageId: stored.id });
    expect(await parseJobState(stored.id)).toBe('failed');
    // ...the sweeper's requeue is not.
    await db.pool.query(`UPDATE inbound_messages SET received_at = now() - interval '1 hour' WHERE id = $1`, [stored.id]);
    const sweeper = startSweeper({ pool: db.pool, queues, log: pino({ level: 'silent' }) }, { intervalMs: 60_000, graceSeconds: 30 });
    await sweeper.stop();
    expect(await sweeper.sweepNow()).toBeGreaterThanOrEqual(1);
    expect(await parseJobState(stored.id)).toBe('waiting');
  });

  it('replaying a dead-lettered message puts its row back at the start and queues it', async () => {
    const stored = await storeRawMessage(db.pool, { raw: Buffer.from('From: c@d.example\r\nSubject: y\r\n\r\ntree down\r\n'), source: 'pipe', maxRawBytes: 1e6 });
    await queues.enqueue('parse', { inboundMessageId: stored.id });
    await failEveryParseJob(async () => (await parseJobState(stored.id)) === 'failed');
    await db.pool.query(`UPDATE inbound_messages SET state = 'failed', error = 'failed elsewhere' WHERE id = $1`, [stored.id]);

    const job = await queues.queue('parse').getJob(`parse-${stored.id}`);
    await replayJob(db.pool, queues, 'parse', job!);
    const { rows } = await db.pool.query('SELECT state, error FROM inbound_messages WHERE id = $1', [stored.id]);
    expect(rows[0]).toEqual({ state: 'stored', error: null });
    expect(await parseJobState(stored.id)).toBe('waiting');
    // Nothing to replay once it is no longer failed.
    expect(await replayInbound(db.pool, queues, stored.id)).toBe(false);
  });
});
