// Replaying dead-lettered work: the row the job names is put back in the state its stage picks up,
// then the failed job is retried (or queued afresh when BullMQ no longer has it).
import type { Job } from 'bullmq';
import type { Db } from '../db/pool.ts';
import { guards, type Stage } from '../jobs/catalog.ts';
import type { Queues } from '../jobs/queues.ts';

async function resetRow(db: Db, stage: Stage, data: unknown): Promise<void> {
  if (stage === 'notify') {
    const { outboxId } = guards.notify(data);
    await db.query(`UPDATE outbox SET state = 'pending' WHERE id = $1 AND state = 'failed'`, [outboxId]);
    return;
  }
  const { inboundMessageId } = guards[stage](data);
  await db.query(
    `UPDATE inbound_messages SET state = CASE WHEN parsed_at IS NULL THEN 'stored' ELSE 'parsed' END, error = NULL
      WHERE id = $1 AND state = 'failed' AND request_id IS NULL`,
    [inboundMessageId],
  );
}

export async function replayJob(db: Db, stage: Stage, job: Job): Promise<void> {
  await resetRow(db, stage, job.data);
  await job.retry();
}

/** Replays a failed inbound message or outbox row that has no failed job left (e.g. failed permanently). */
export async function replayRow(db: Db, queues: Queues, target: { inboundMessageId: number } | { outboxId: number }): Promise<void> {
  if ('outboxId' in target) {
    await resetRow(db, 'notify', target);
    const job = await queues.queue('notify').getJob(`send-${target.outboxId}`);
    if (job && (await job.isFailed())) await job.retry();
    else await queues.enqueue('notify', target);
    return;
  }
  const { rows } = await db.query<{ parsed: boolean }>('SELECT parsed_at IS NOT NULL AS parsed FROM inbound_messages WHERE id = $1', [target.inboundMessageId]);
  const stage = rows[0]?.parsed ? 'classify' : 'parse';
  await resetRow(db, stage, target);
  const job = await queues.queue(stage).getJob(`${stage === 'parse' ? 'parse' : 'classify'}-${target.inboundMessageId}`);
  if (job && (await job.isFailed())) await job.retry();
  else await queues.enqueue(stage, target);
}
