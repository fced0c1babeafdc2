// Producers: one Queue per stage, sharing one Redis connection.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { redact } from '../config/index.ts';
import { serviceErrors, START_REDIS, type ServiceErrors } from '../health/outage-log.ts';
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
  /** Calls listener each time the connection to Redis is back after being lost (not at the first connect). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

const reporters = new Map<string, ServiceErrors>();

/**
 * The one reporter of a Redis server's errors in this process: every connection, queue and worker on it
 * reports through it, so an outage is one line a minute however many clients notice it.
 */
export function redisErrors(redisUrl: string, log: Logger): ServiceErrors {
  let r = reporters.get(redisUrl);
  if (!r) {
    r = serviceErrors(log, { name: 'Redis', where: redact(redisUrl), fix: START_REDIS });
    reporters.set(redisUrl, r);
  }
  return r;
}

export function redisConnection(redisUrl: string, log: Logger, opts: { failFast?: boolean } = {}): Redis {
  // BullMQ requires maxRetriesPerRequest null for its blocking commands.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false, ...(opts.failFast ? { enableOfflineQueue: false } : {}) });
  const errors = redisErrors(redisUrl, log);
  redis.on('error', (err) => errors.report(err, 'Redis connection'));
  redis.on('ready', () => errors.recovered());
  return redis;
}

export function createQueues(redisUrl: string, prefix: string, log: Logger): Queues {
  // Producers fail at once while Redis is away rather than holding every command until it returns:
  // what they queue is committed in PostgreSQL first, and the sweeper queues it once Redis is back.
  const connection = redisConnection(redisUrl, log, { failFast: true });
  const queues = new Map<Stage, Queue>();
  for (const stage of STAGES) {
    const q = new Queue(stage, { connection, prefix });
    q.on('error', (err) => redisErrors(redisUrl, log).report(err, `${stage} queue`));
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
  let connectedBefore = false;
  const reconnectListeners: (() => void)[] = [];
  connection.on('ready', () => {
    if (connectedBefore) for (const listener of reconnectListeners) listener();
    connectedBefore = true;
  });
  return {
    queue,
    enqueue,
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
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
