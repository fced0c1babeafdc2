// Producers: one Queue per stage, sharing one Redis connection.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { STAGES, jobIds, jobOptions, type Payloads, type Stage } from './catalog.ts';

export interface Enqueue {
  <S extends Stage>(stage: S, payload: Payloads[S], opts?: { priority?: number }): Promise<void>;
}

export interface Queues {
  readonly enqueue: Enqueue;
  /** Many jobs of one stage in one Redis round trip (a backlog arriving together). */
  enqueueBulk<S extends Stage>(stage: S, payloads: Payloads[S][]): Promise<void>;
  readonly queue: (stage: Stage) => Queue;
  close(): Promise<void>;
}

export function redisConnection(redisUrl: string): Redis {
  // BullMQ requires maxRetriesPerRequest null for its blocking commands.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', () => {});
  return redis;
}

export function createQueues(redisUrl: string, prefix: string): Queues {
  const connection = redisConnection(redisUrl);
  const queues = new Map<Stage, Queue>();
  for (const stage of STAGES) {
    const q = new Queue(stage, { connection, prefix });
    q.on('error', () => {});
    queues.set(stage, q);
  }
  const queue = (stage: Stage): Queue => queues.get(stage) as Queue;
  let closed = false;
  return {
    queue,
    async enqueue(stage, payload, opts) {
      await queue(stage).add(stage, payload, {
        ...jobOptions[stage],
        jobId: jobIds[stage](payload),
        ...(opts?.priority !== undefined ? { priority: opts.priority } : {}),
      });
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
