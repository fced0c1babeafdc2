// Binds a plain stage handler to a BullMQ Worker: payload guard, permanent errors, logging.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { describeError, isPermanent } from '../errors.ts';
import type { Logger } from '../log.ts';
import { guards, type Payloads, type Stage } from './catalog.ts';
import { redisConnection } from './queues.ts';

export type StageHandler<S extends Stage> = (payload: Payloads[S], ctx: { attempt: number; finalAttempt: boolean }) => Promise<void>;

export interface StageWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** A crashed worker's jobs are taken over after this long (BullMQ's job lock, renewed every half of it). */
  lockMs: number;
  log: Logger;
  limiter?: { max: number; duration: number };
  /** Told when a job has used up its attempts: the row it names is marked failed for staff to see. */
  onDeadLetter?: (payload: unknown, error: string) => Promise<void>;
}

export function defineStage<S extends Stage>(stage: S, handle: StageHandler<S>, opts: StageWorkerOptions): Worker {
  const log = opts.log.child({ stage });
  const processor = async (job: Job): Promise<void> => {
    let payload: Payloads[S];
    try {
      payload = guards[stage](job.data);
    } catch (err) {
      throw new UnrecoverableError(describeError(err));
    }
    const attempt = job.attemptsMade + 1;
    const finalAttempt = attempt >= (job.opts.attempts ?? 1);
    try {
      await handle(payload, { attempt, finalAttempt });
    } catch (err) {
      if (isPermanent(err)) throw new UnrecoverableError(describeError(err));
      throw err;
    }
  };
  const connection = redisConnection(opts.redisUrl);
  const worker = new Worker(stage, processor, {
    connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    // A job is taken over at the first stalled check after its lock expired: checking every half lock
    // bounds the takeover at 1.5 locks after a crash (it was 2 with the check as long as the lock).
    stalledInterval: Math.max(1_000, Math.round(opts.lockMs / 2)),
    // A stall says the process died, not that the job failed: every job running at each crash stalls,
    // so with BullMQ's default of 1, bystanders of two crashes in a row were dead-lettered (seen in the
    // SIGKILL fault run). Every stage is idempotent, so taking a job over again is safe; 10 still ends a
    // job that itself brings the process down every time.
    maxStalledCount: 10,
    ...(opts.limiter ? { limiter: opts.limiter } : {}),
  });
  // BullMQ leaves a connection it was handed open; this one is the worker's alone.
  worker.on('closed', () => connection.disconnect());
  worker.on('error', (err) => log.error({ err: describeError(err) }, 'worker error'));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const exhausted = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    log.warn({ jobId: job.id, attempt: job.attemptsMade, exhausted, err: describeError(err) }, 'job failed');
    if (exhausted && opts.onDeadLetter) {
      opts.onDeadLetter(job.data, describeError(err)).catch((e) => log.error({ err: describeError(e) }, 'dead-letter bookkeeping failed'));
    }
  });
  return worker;
}
