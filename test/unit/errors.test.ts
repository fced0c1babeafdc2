// Classification happens once (src/errors.ts) and the stage binding obeys it: a lost PostgreSQL
// connection is retried, hostile input that overflows the stack is not.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { isPermanent, isUnavailable } from '../../src/errors.ts';
import { defineStage } from '../../src/jobs/define-stage.ts';
import { createQueues } from '../../src/jobs/queues.ts';
import { testQueuePrefix, waitFor } from '../helpers/db.ts';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('error classification', () => {
  it('reads lost PostgreSQL connections as temporary and a stack overflow as permanent', () => {
    expect(isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isPermanent(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isPermanent(new RangeError('Maximum call stack size exceeded'))).toBe(true);
  });
});

describe('a stage worker', () => {
  const prefix = testQueuePrefix();
  const log = pino({ level: 'silent' });
  const queues = createQueues(REDIS, prefix, log);
  afterAll(async () => {
    await queues.queue('parse').obliterate({ force: true });
    await queues.close();
  });

  it('dead-letters a RangeError at its first attempt and retries a lost connection with backoff', async () => {
    const dead: unknown[] = [];
    const config = loadConfig({ REDIS_URL: REDIS, CITYLINE_QUEUE_PREFIX: prefix, CITYLINE_JOB_LOCK_SECONDS: '5' });
    const stage = defineStage('parse', {
      handle: async (p) => {
        if (p.inboundMessageId === 1) throw new RangeError('Maximum call stack size exceeded');
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      },
      deps: async () => ({}),
      deadLetter: async (_shared, p) => {
        dead.push(p);
      },
      concurrency: () => 2,
    });
    // The handlers touch no database: the pool is never used.
    const running = await stage.start({ pool: null as never, config, routing: null as never, enqueue: queues.enqueue, log });
    try {
      await queues.enqueue('parse', { inboundMessageId: 1 });
      await queues.enqueue('parse', { inboundMessageId: 2 });
      await waitFor(async () => (await queues.queue('parse').getJobState('parse-1')) === 'failed', 10_000, 'the overflowing job to fail');
      expect((await queues.queue('parse').getJob('parse-1'))?.attemptsMade).toBe(1);
      await waitFor(async () => (await queues.queue('parse').getJobState('parse-2')) === 'delayed', 10_000, 'the lost-connection job to wait for its retry');
      await waitFor(() => dead.length > 0, 10_000, 'the dead letter');
      expect(dead).toEqual([{ inboundMessageId: 1 }]);
    } finally {
      await running.close();
    }
  });
});
