import type { FastifyInstance } from 'fastify';
import { describeError } from '../../errors.ts';
import { STATE_MAX_AGE_SECONDS } from '../../signin/reporter.ts';
import { currentFailures } from '../../signin/status.ts';
import type { RouteContext } from '../context.ts';

export function healthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', { config: { public: true } }, async (_request, reply) => {
    try {
      await ctx.pool.query('SELECT 1');
    } catch (err) {
      ctx.log.warn({ err: describeError(err) }, 'health check: database unreachable');
      return reply.code(503).send({ ok: false, database: 'down' });
    }
    // A mailbox nobody can sign in to is an outage as surely as a database that is down: monitors
    // that only watch this URL must see it.
    const failures = await currentFailures(ctx.pool, STATE_MAX_AGE_SECONDS);
    if (failures.length === 0) return { ok: true, database: 'up', mailbox: 'ok' };
    return reply.code(503).send({
      ok: false,
      database: 'up',
      mailbox: 'failing',
      failures: failures.map((f) => ({ channel: f.channel, problem: f.problem, reason: f.reason, since: f.since.toISOString() })),
    });
  });
}
