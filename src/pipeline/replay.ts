// Replaying dead-lettered work: the row the job names is put back where the pipeline starts it again
// (an inbound message is parsed afresh, an email is sent), then its work is queued.
import type { Job } from 'bullmq';
import type { Db } from '../db/pool.ts';
import { resetFailedInbound } from '../intake/store.ts';
import { guards, type Stage } from '../jobs/catalog.ts';
import type { Queues } from '../jobs/queues.ts';
import { releaseHeldOutbox, resetFailedOutbox } from '../notify/outbox.ts';

/** A failed inbound message goes back to 'stored' and is parsed again. False when it is not failed. */
export async function replayInbound(db: Db, queues: Queues, inboundMessageId: number): Promise<boolean> {
  if (!(await resetFailedInbound(db, inboundMessageId))) return false;
  await queues.requeue('parse', { inboundMessageId });
  return true;
}

/** A failed email goes back to 'pending' and is sent again. False when it is not failed. */
export async function replayOutbox(db: Db, queues: Queues, outboxId: number): Promise<boolean> {
  if (!(await resetFailedOutbox(db, outboxId))) return false;
  await queues.requeue('notify', { outboxId });
  return true;
}

/** Staff release an email the automatic-mail cap held: it is sent whatever the count. False when it is not held. */
export async function releaseHeld(db: Db, queues: Queues, outboxId: number): Promise<boolean> {
  if (!(await releaseHeldOutbox(db, outboxId))) return false;
  await queues.requeue('notify', { outboxId });
  return true;
}

/**
 * Replays a job from BullMQ's failed list. The job itself is removed: a parse or classify failure is
 * replayed from the parse stage, so the message takes the whole path again.
 */
export async function replayJob(db: Db, queues: Queues, stage: Stage, job: Job): Promise<void> {
  await job.remove();
  if (stage === 'notify') {
    const payload = guards.notify(job.data);
    await resetFailedOutbox(db, payload.outboxId);
    await queues.requeue('notify', payload);
    return;
  }
  const payload = guards[stage](job.data);
  await resetFailedInbound(db, payload.inboundMessageId);
  await queues.requeue('parse', payload);
}
