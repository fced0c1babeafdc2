// The step after storing: telling the caller, who queues the parse job.
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { withTimeout } from './waits.ts';

// Queues fail at once while Redis is disconnected; this bounds a Redis that is connected but does not answer.
const ON_STORED_TIMEOUT_MS = 2_000;

/**
 * Tells the caller (who queues the parse job). Once the message is committed it is safe: a queue that
 * fails or hangs must not hold the mailbox, and the sweeper queues stored messages it missed.
 */
export async function notifyStored(onStored: (id: number) => Promise<void>, id: number, log: Pick<Logger, 'warn'>): Promise<void> {
  try {
    await withTimeout(onStored(id), ON_STORED_TIMEOUT_MS, 'onStored');
  } catch (err) {
    log.warn({ inboundMessageId: id, err: describeError(err) }, 'message stored but its next stage could not be queued; the sweeper will queue it');
  }
}
