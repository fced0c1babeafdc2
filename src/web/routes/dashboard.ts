// The dashboard, and the retry buttons for failed jobs, failed messages and unsent mail.
import type { FastifyInstance } from 'fastify';
import { describeError } from '../../errors.ts';
import { STAGES, isStage } from '../../jobs/catalog.ts';
import { CITY_TIME_ZONE, pageContext, staffOf, type RouteContext } from '../context.ts';
import { field, idParam } from '../forms.ts';
import { dailyVolume, failedInbound, failedOutbox, flowFigures, volumeByCategory } from '../queries/dashboard.ts';
import { flaggedOpen, reviewBacklog } from '../queries/review.ts';
import { releaseHeld, replayInbound, replayJob, replayOutbox } from '../../pipeline/replay.ts';
import { STATE_MAX_AGE_SECONDS } from '../../signin/reporter.ts';
import { currentFailures } from '../../signin/status.ts';
import { heldMail } from '../../notify/outbox.ts';
import { dashboardPage, type StageHealth } from '../views/dashboard.ts';

const FLOW_DAYS = 30;
const FAILED_SHOWN = 50;
// Every open danger is shown: there should never be so many that a page cannot hold them.
const FLAGGED_SHOWN = 200;
const QUEUE_TIMEOUT_MS = 3_000;

const NOTICES: Record<string, string> = {
  job: 'The job was put back on its queue.',
  inbound: 'The message was put back to be processed again.',
  outbox: 'The email was put back to be sent again.',
  gone: 'That item was no longer failed; nothing was retried.',
  released: 'The email was released and will be sent now.',
  'not-held': 'That email was no longer held; nothing was sent.',
};

export function dashboardRoutes(app: FastifyInstance, ctx: RouteContext): void {
  releaseRoute(app, ctx);
  /** Null when Redis does not answer: the rest of the dashboard (PostgreSQL) is still worth showing. */
  async function stageHealth(): Promise<StageHealth[] | null> {
    // The queue connection retries forever while Redis is away (BullMQ needs that), so give up waiting here.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${QUEUE_TIMEOUT_MS} ms`)), QUEUE_TIMEOUT_MS);
    });
    const read = Promise.all(
      STAGES.map(async (stage) => {
        const q = ctx.queues.queue(stage);
        const [counts, failed] = await Promise.all([q.getJobCounts('waiting', 'active', 'delayed', 'failed'), q.getFailed(0, FAILED_SHOWN - 1)]);
        return {
          stage,
          counts,
          failed: failed.map((j) => ({
            id: j.id ?? '',
            reason: j.failedReason ?? '',
            attempts: j.attemptsMade,
            finishedOn: j.finishedOn ? new Date(j.finishedOn) : null,
          })),
        };
      }),
    );
    return Promise.race([read, timeout])
      .catch((err: unknown) => {
        ctx.log.warn({ err: describeError(err) }, 'dashboard: cannot read queue state');
        return null;
      })
      .finally(() => clearTimeout(timer));
  }

  app.get('/dashboard', async (request, reply) => {
    const [volume, daily, backlog, flow, stages, inbound, outbox, signIn, flagged, held] = await Promise.all([
      volumeByCategory(ctx.pool, CITY_TIME_ZONE),
      dailyVolume(ctx.pool, CITY_TIME_ZONE, 14),
      reviewBacklog(ctx.pool),
      flowFigures(ctx.pool, FLOW_DAYS),
      stageHealth(),
      failedInbound(ctx.pool, FAILED_SHOWN),
      failedOutbox(ctx.pool, FAILED_SHOWN),
      currentFailures(ctx.pool, STATE_MAX_AGE_SECONDS),
      flaggedOpen(ctx.pool, FLAGGED_SHOWN),
      heldMail(ctx.pool, { limit: FAILED_SHOWN }),
    ]);
    const notice = NOTICES[field(request.query, 'retried') ?? ''] ?? null;
    return reply.type('text/html').send(
      dashboardPage(pageContext(request, 'dashboard'), {
        volume, daily, backlog, flow, flowDays: FLOW_DAYS, stages, failedInbound: inbound, failedOutbox: outbox, signIn, flagged, held, notice,
      }).value,
    );
  });

  app.post('/dashboard/jobs/:stage/:jobId/retry', async (request, reply) => {
    const { stage, jobId } = request.params as { stage: string; jobId: string };
    if (!isStage(stage)) return reply.callNotFound();
    const job = await ctx.queues.queue(stage).getJob(jobId);
    if (!job || !(await job.isFailed())) return reply.redirect('/dashboard?retried=gone', 303);
    await replayJob(ctx.pool, ctx.queues, stage, job);
    request.log.info({ stage, jobId, by: staffOf(request).email }, 'staff retried a failed job');
    return reply.redirect('/dashboard?retried=job', 303);
  });

  app.post('/dashboard/inbound/:id/retry', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    if (!(await replayInbound(ctx.pool, ctx.queues, id))) return reply.redirect('/dashboard?retried=gone', 303);
    request.log.info({ inboundMessageId: id, by: staffOf(request).email }, 'staff retried a failed message');
    return reply.redirect('/dashboard?retried=inbound', 303);
  });

  app.post('/dashboard/outbox/:id/retry', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    if (!(await replayOutbox(ctx.pool, ctx.queues, id))) return reply.redirect('/dashboard?retried=gone', 303);
    request.log.info({ outboxId: id, by: staffOf(request).email }, 'staff retried an unsent email');
    return reply.redirect('/dashboard?retried=outbox', 303);
  });
}

export function releaseRoute(app: FastifyInstance, ctx: RouteContext): void {
  // Back to where staff pressed it: the dashboard, or the request page (?back=request).
  app.post('/dashboard/outbox/:id/release', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    const released = await releaseHeld(ctx.pool, ctx.queues, id);
    if (released) request.log.info({ outboxId: id, by: staffOf(request).email }, 'staff released mail held by the cap');
    const back = idParam(request.body, 'requestId');
    const outcome = released ? 'released' : 'not-held';
    return reply.redirect(back ? `/requests/${back}?mail=${outcome}` : `/dashboard?retried=${outcome}`, 303);
  });
}
