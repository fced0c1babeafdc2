// Putting work back on a stage's queue. Job ids are deterministic, so BullMQ ignores an add while a job with
// that id is still kept (failed jobs are kept for 30 days): such a job is retried or cleared instead.
import type { Payloads, Stage } from '../jobs/catalog.ts';
import { jobIds } from '../jobs/catalog.ts';
import type { Queues } from '../jobs/queues.ts';

export async function requeue<S extends Stage>(queues: Queues, stage: S, payload: Payloads[S]): Promise<void> {
  const job = await queues.queue(stage).getJob(jobIds[stage](payload));
  if (job) {
    const state = await job.getState();
    if (state === 'failed') return job.retry();
    if (state !== 'completed') return; // already waiting, delayed or running
    await job.remove();
  }
  await queues.enqueue(stage, payload);
}
