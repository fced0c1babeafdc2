// The transactional outbox's other half: work committed to PostgreSQL whose job never reached Redis
// (a crash between commit and enqueue, Redis down, `cityline ingest` without Redis) is queued again.
// Job ids are deterministic, so queuing what is already queued does nothing.
import { describeError } from '../errors.ts';
import { stalledInbound } from '../intake/store.ts';
import { pendingOutboxIds, PRIORITY } from '../notify/outbox.ts';
import type { PipelineDeps } from './deps.ts';

export interface Sweeper {
  sweepNow(): Promise<number>;
  stop(): Promise<void>;
}

export function startSweeper(deps: PipelineDeps, opts: { intervalMs: number; graceSeconds: number }): Sweeper {
  const { pool, enqueue, log } = deps;
  let running: Promise<number> | null = null;
  const sweepNow = async (): Promise<number> => {
    let n = 0;
    for (const m of await stalledInbound(pool, opts.graceSeconds, 1_000)) {
      await enqueue(m.state === 'stored' ? 'parse' : 'classify', { inboundMessageId: m.id });
      n++;
    }
    for (const o of await pendingOutboxIds(pool, opts.graceSeconds, 1_000)) {
      await enqueue('notify', { outboxId: o.id }, { priority: PRIORITY[o.kind] });
      n++;
    }
    if (n > 0) log.info({ requeued: n }, 'sweeper queued stalled work');
    return n;
  };
  const tick = (): void => {
    if (running) return;
    running = sweepNow()
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
  tick();
  return {
    sweepNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
