import type { FastifyInstance } from 'fastify';
import { describeError } from '../../errors.ts';
import type { RouteContext } from '../context.ts';

export function healthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', { config: { public: true } }, async (_request, reply) => {
    try {
      await ctx.pool.query('SELECT 1');
      return { ok: true, database: 'up' };
    } catch (err) {
      ctx.log.warn({ err: describeError(err) }, 'health check: database unreachable');
      return reply.code(503).send({ ok: false, database: 'down' });
    }
  });
}
