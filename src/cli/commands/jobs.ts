// cityline jobs failed | jobs retry <stage> [job-id...]: the dead-letter list, and replaying it.
import { loadConfig } from '../../config/index.ts';
import { isStage, STAGES } from '../../jobs/catalog.ts';
import { createQueues } from '../../jobs/queues.ts';
import { createLogger } from '../../log.ts';
import { createPool } from '../../db/pool.ts';
import { replayJob } from '../../pipeline/replay.ts';

export async function run(args: string[]): Promise<number> {
  const [verb, stage, ...ids] = args;
  if (verb !== 'failed' && !(verb === 'retry' && stage && isStage(stage))) {
    process.stderr.write(`usage: cityline jobs failed | cityline jobs retry <stage> [job-id...]  (stages: ${STAGES.join(', ')})\n`);
    return 64;
  }
  const config = loadConfig();
  const queues = createQueues(config.redisUrl, config.queuePrefix, createLogger(config.logLevel));
  try {
    if (verb === 'failed') {
      let failed = 0;
      for (const s of STAGES) {
        for (const job of await queues.queue(s).getFailed(0, 999)) {
          failed++;
          process.stdout.write(`${JSON.stringify({ stage: s, jobId: job.id, data: job.data, attempts: job.attemptsMade, failedReason: job.failedReason, finishedOn: job.finishedOn })}\n`);
        }
      }
      // Said on stderr, so stdout stays one JSON line per job for scripts.
      process.stderr.write(failed === 0 ? 'no failed jobs\n' : `${failed} failed job${failed === 1 ? '' : 's'}\n`);
      return 0;
    }
    const s = stage as (typeof STAGES)[number];
    const q = queues.queue(s);
    const jobs = ids.length > 0 ? await Promise.all(ids.map((id) => q.getJob(id))) : await q.getFailed(0, 9999);
    let retried = 0;
    const pool = createPool(config.databaseUrl, 2);
    try {
      for (const job of jobs) {
        if (!job || !(await job.isFailed())) continue;
        await replayJob(pool, queues, s, job);
        retried++;
      }
    } finally {
      await pool.end();
    }
    process.stdout.write(`retried ${retried} job(s)\n`);
    return 0;
  } finally {
    await queues.close();
  }
}
