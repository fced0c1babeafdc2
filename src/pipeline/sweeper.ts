// The transactional outbox's other half: work committed to PostgreSQL whose job never reached Redis
// (a crash between commit and enqueue, Redis down, `cityline ingest` without Redis) is queued again.
// Requeue leaves a job that is waiting or running alone, and clears one kept from an earlier life of
// the database (same Redis, same prefix, same id), which would otherwise block the id.
import { describeError } from '../errors.ts';
import { stalledInbound } from '../intake/store.ts';
import { pendingOutboxIds } from '../notify/outbox.ts';
import type { Queues } from '../jobs/queues.ts';
import type { PipelineDeps } from './deps.ts';

export interface Sweeper {
  /** Queues work committed at least graceSeconds ago (the configured grace by default) that has no job. */
  sweepNow(graceSeconds?: number): Promise<number>;
  stop(): Promise<void>;
}

export function startSweeper(deps: Pick<PipelineDeps, 'pool' | 'log'> & { queues: Queues }, opts: { intervalMs: number; graceSeconds: number }): Sweeper {
  const { pool, queues, log } = deps;
  let running: Promise<number> | null = null;
  const sweepNow = async (graceSeconds = opts.graceSeconds): Promise<number> => {
    let n = 0;
    for (const m of await stalledInbound(pool, graceSeconds, 1_000)) {
      await queues.requeue(m.state === 'stored' ? 'parse' : 'classify', { inboundMessageId: m.id });
      n++;
    }
    for (const o of await pendingOutboxIds(pool, graceSeconds, 1_000)) {
      await queues.requeue('notify', { outboxId: o.id }, { priority: o.priority });
      n++;
    }
    if (n > 0) log.info({ requeued: n }, 'sweeper queued stalled work');
    return n;
  };
  let stopped = false;
  const tick = (graceSeconds?: number): void => {
    if (running || stopped) return;
    running = sweepNow(graceSeconds)
      .catch((err) => {
        log.warn({ err: describeError(err) }, 'sweep failed; will try again');
        return 0;
      })
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  // At start nothing needs the grace: whatever a crashed process committed without queuing (it died
  // between the commit and the enqueue) is queued now rather than a grace period later. Queuing work
  // that another live process is queuing at this moment costs nothing: requeue leaves a waiting or
  // running job alone, and every stage checks the row's state before it acts.
  tick(0);
  // Redis back after an outage (perhaps empty, its jobs lost): the same holds, so sweep now in full.
  queues.onReconnect(() => tick(0));
  return {
    sweepNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
