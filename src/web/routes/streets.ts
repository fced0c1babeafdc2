// Street suggestions for the correction fields on the review screen, from the city's gazetteer.
import type { FastifyInstance } from 'fastify';
import { loadGazetteer } from '../../classify/gazetteer.ts';
import { field } from '../forms.ts';

export function streetRoutes(app: FastifyInstance): void {
  app.get('/api/streets', async (request) => {
    const q = field(request.query, 'q', 100);
    return { streets: q ? loadGazetteer().suggestStreets(q, 10).map((s) => s.name) : [] };
  });
}
