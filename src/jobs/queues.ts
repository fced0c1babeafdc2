// Producers: one Queue per stage, sharing one Redis connection.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { STAGES, jobIds, jobOptions, type Payloads, type Stage } from './catalog.ts';

export interface Enqueue {
  <S extends Stage>(stage: S, payload: Payloads[S], opts?: { priority?: number }): Promise<void>;
}

export interface Queues {
  readonly enqueue: Enqueue;
  /** Many jobs of one stage in one Redis round trip (a backlog arriving together). */
  enqueueBulk<S extends Stage>(stage: S, payloads: Payloads[S][]): Promise<void>;
  /**
   * Queues work again even where a job with its id is still kept: a failed one is retried, a finished
   * one replaced. (A plain enqueue is ignored then; job ids are deterministic, and a job kept from
   * another database behind the same Redis and prefix would otherwise block the id for days.)
   */
  requeue<S extends Stage>(stage: S, payload: Payloads[S], opts?: { priority?: number }): Promise<void>;
  readonly queue: (stage: Stage) => Queue;
  close(): Promise<void>;
}

/**
 * Logs an emitter's 'error' events (an emitter without a listener crashes the process on one). ioredis
 * repeats the same error on every reconnect attempt while Redis is away: a repeat of the last error is
 * not logged again until the returned function says the connection came back.
 */
export function logErrors(emitter: { on(event: 'error', fn: (err: Error) => void): unknown }, log: Logger, what: string): () => void {
  let last: string | null = null;
  emitter.on('error', (err) => {
    const message = describeError(err);
    if (message === last) return;
    last = message;
    log.error({ err: message }, `${what} error`);
  });
  return () => {
    last = null;
  };
}

export function redisConnection(redisUrl: string, log: Logger): Redis {
  // BullMQ requires maxRetriesPerRequest null for its blocking commands.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  const recovered = logErrors(redis, log, 'Redis connection');
  redis.on('ready', recovered);
  return redis;
}

export function createQueues(redisUrl: string, prefix: string, log: Logger): Queues {
  const connection = redisConnection(redisUrl, log);
  const queues = new Map<Stage, Queue>();
  for (const stage of STAGES) {
    const q = new Queue(stage, { connection, prefix });
    logErrors(q, log.child({ queue: stage }), 'queue');
    queues.set(stage, q);
  }
  const queue = (stage: Stage): Queue => queues.get(stage) as Queue;
  const enqueue: Enqueue = async (stage, payload, opts) => {
    await queue(stage).add(stage, payload, {
      ...jobOptions[stage],
      jobId: jobIds[stage](payload),
      ...(opts?.priority !== undefined ? { priority: opts.priority } : {}),
    });
  };
  let closed = false;
  return {
    queue,
    enqueue,
    async requeue(stage, payload, opts) {
      const job = await queue(stage).getJob(jobIds[stage](payload));
      if (job) {
        const state = await job.getState();
        if (state === 'failed') return job.retry();
        // Waiting, delayed or running: it will happen anyway.
        if (state !== 'completed' && state !== 'unknown') return;
        await job.remove();
      }
      await enqueue(stage, payload, opts);
    },
    async enqueueBulk(stage, payloads) {
      if (payloads.length === 0) return;
      await queue(stage).addBulk(payloads.map((data) => ({ name: stage, data, opts: { ...jobOptions[stage], jobId: jobIds[stage](data) } })));
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...queues.values()].map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
