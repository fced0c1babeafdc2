// Street suggestions for the correction fields on the review screen, from the city's gazetteer and the streets staff added.
import type { FastifyInstance } from 'fastify';
import { staffGazetteer } from '../../classify/staff-streets.ts';
import type { RouteContext } from '../context.ts';
import { field } from '../forms.ts';

export function streetRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/streets', async (request) => {
    const q = field(request.query, 'q', 100);
    return { streets: q ? (await staffGazetteer(ctx.pool)).suggestStreets(q, 10).map((s) => s.name) : [] };
  });
}
