import { StartAborted, type System } from '../app.ts';
import type { Logger } from '../log.ts';

// The first signal drains (intake stops, running jobs finish, pools close); a second one forces the exit.
const DRAIN_DEADLINE_MS = 30_000;

/**
 * Installs the signal handlers, then starts the system: a signal that arrives while it starts (storing
 * a drop folder's backlog takes seconds) drains what has started, instead of ending the process with
 * jobs running and outbox rows left 'sending'. Resolves with the exit code.
 */
export async function runUntilSignal(log: Logger, start: (signal: AbortSignal) => Promise<System>): Promise<number> {
  const abort = new AbortController();
  let starting = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      log.warn({ signal }, 'second signal: exiting without draining');
      process.exit(130);
    }
    log.info({ signal }, starting ? 'stopping while starting: draining what has started' : 'stopping: draining work in progress');
    const force = setTimeout(() => {
      log.error('drain took too long; exiting');
      process.exit(1);
    }, DRAIN_DEADLINE_MS);
    force.unref();
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let system: System;
  try {
    system = await start(abort.signal);
  } catch (err) {
    if (err instanceof StartAborted) return 0;
    throw err;
  }
  starting = false;
  if (!abort.signal.aborted) await new Promise((resolve) => abort.signal.addEventListener('abort', resolve, { once: true }));
  await system.stop();
  return 0;
}
