// One pipeline stage, declared in one place: its plain handler, what the handler needs, what happens
// when a job has used up its attempts, and how many run at once. defineStage adds the thin BullMQ
// binding (payload guard, permanent errors to UnrecoverableError, logging); src/app.ts only lists stages.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Config } from '../config/index.ts';
import { describeError, isPermanent } from '../errors.ts';
import type { PipelineDeps } from '../pipeline/deps.ts';
import { guards, type Payloads, type Stage } from './catalog.ts';
import { redisConnection, redisErrors } from './queues.ts';

export interface Attempt {
  attempt: number;
  finalAttempt: boolean;
}

export interface StageSpec<S extends Stage, D> {
  /** The work itself: a plain function of the checked payload and its dependencies, testable without BullMQ. */
  handle(payload: Payloads[S], deps: D, attempt: Attempt): Promise<void>;
  /** Builds what the handler needs from the parts every stage shares (loads a model, opens a transport). */
  deps(shared: PipelineDeps): Promise<D>;
  /** Releases what deps() opened, after the worker has drained. */
  close?(deps: D): Promise<void>;
  /** A job that used up its attempts: the row it names is marked failed, for staff to see and replay. */
  deadLetter(shared: PipelineDeps, payload: Payloads[S], error: string): Promise<void>;
  concurrency(config: Config): number;
  limiter?(config: Config): { max: number; duration: number } | null;
}

export interface RunningStage {
  readonly worker: Worker;
  /** Drains the worker, then closes what the stage opened. */
  close(): Promise<void>;
}

export interface StageDefinition<S extends Stage = Stage> {
  readonly name: S;
  start(shared: PipelineDeps): Promise<RunningStage>;
}

export function defineStage<S extends Stage, D>(name: S, spec: StageSpec<S, D>): StageDefinition<S> & { readonly spec: StageSpec<S, D> } {
  return {
    name,
    spec,
    async start(shared) {
      const deps = await spec.deps(shared);
      const { config } = shared;
      const log = shared.log.child({ stage: name });
      const processor = async (job: Job): Promise<void> => {
        let payload: Payloads[S];
        try {
          payload = guards[name](job.data);
        } catch (err) {
          throw new UnrecoverableError(describeError(err));
        }
        const attempt = job.attemptsMade + 1;
        try {
          await spec.handle(payload, deps, { attempt, finalAttempt: attempt >= (job.opts.attempts ?? 1) });
        } catch (err) {
          if (isPermanent(err)) throw new UnrecoverableError(describeError(err));
          throw err;
        }
      };
      const connection = redisConnection(config.redisUrl, log);
      const limiter = spec.limiter?.(config) ?? null;
      const worker = new Worker(name, processor, {
        connection,
        prefix: config.queuePrefix,
        concurrency: spec.concurrency(config),
        // The lock is renewed every half of it. A job is taken over at the first stalled check after its
        // lock expired: checking every half lock bounds the takeover at 1.5 locks after a crash (it was 2
        // with the check as long as the lock).
        lockDuration: config.jobLockMs,
        stalledInterval: Math.max(1_000, Math.round(config.jobLockMs / 2)),
        // A stall says the process died, not that the job failed: every job running at each crash stalls,
        // so with BullMQ's default of 1, bystanders of two crashes in a row were dead-lettered (seen in the
        // SIGKILL fault run). Every stage is idempotent, so taking a job over again is safe; 10 still ends
        // a job that itself brings the process down every time.
        maxStalledCount: 10,
        ...(limiter ? { limiter } : {}),
      });
      // BullMQ leaves a connection it was handed open; this one is the worker's alone.
      worker.on('closed', () => connection.disconnect());
      worker.on('error', (err) => redisErrors(config.redisUrl, log).report(err, `${name} worker`));
      worker.on('failed', (job, err) => {
        if (!job) return;
        const exhausted = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
        log.warn({ jobId: job.id, attempt: job.attemptsMade, exhausted, err: describeError(err) }, 'job failed');
        if (!exhausted) return;
        let payload: Payloads[S];
        try {
          payload = guards[name](job.data);
        } catch {
          // A payload that names no row has no row to mark; the failed job itself is the record.
          return;
        }
        spec.deadLetter(shared, payload, describeError(err)).catch((e) => log.error({ err: describeError(e) }, 'dead-letter bookkeeping failed'));
      });
      let closing: Promise<void> | null = null;
      return {
        worker,
        close() {
          closing ??= (async () => {
            await worker.close();
            await spec.close?.(deps);
          })();
          return closing;
        },
      };
    },
  };
}
