import type { FastifyInstance } from 'fastify';
import { liveChecks } from '../../health/checks.ts';
import type { RouteContext } from '../context.ts';

// For load balancers and monitors: 200 when PostgreSQL and Redis answer, 503 naming what does not.
export function healthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', { config: { public: true } }, async (_request, reply) => {
    const checks = await liveChecks(ctx.config, ctx.pool);
    const failing = checks.filter((c) => c.status === 'fail');
    if (failing.length > 0) ctx.log.warn({ failing: failing.map((c) => `${c.name}: ${c.detail}`) }, 'health check failing');
    return reply.code(failing.length > 0 ? 503 : 200).send({ ok: failing.length === 0, checks: checks.map(({ name, status, detail }) => ({ name, status, detail })) });
  });
}
