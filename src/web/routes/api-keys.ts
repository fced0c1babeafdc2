// Admins create, list and revoke the Open311 API keys.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, staffOf, type RouteContext } from '../context.ts';
import { field, idParam } from '../forms.ts';
import { html } from '../html.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../queries/api-keys.ts';
import { apiKeysPage } from '../views/api-keys.ts';
import { layout } from '../views/layout.ts';

export function apiKeyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  function adminOnly(request: FastifyRequest, reply: FastifyReply): FastifyReply | null {
    if (staffOf(request).isAdmin) return null;
    return reply.code(403).type('text/html').send(layout(pageContext(request), 'Admins only', html`<h1>Admins only</h1><p>Ask an admin to manage API keys.</p>`).value);
  }

  app.get('/admin/api-keys', async (request, reply) => {
    const refused = adminOnly(request, reply);
    if (refused) return refused;
    return reply.type('text/html').send(apiKeysPage(pageContext(request), await listApiKeys(ctx.pool)).value);
  });

  app.post('/admin/api-keys', async (request, reply) => {
    const refused = adminOnly(request, reply);
    if (refused) return refused;
    const name = field(request.body, 'name', 100);
    if (!name) return reply.code(400).type('text/html').send(apiKeysPage(pageContext(request), await listApiKeys(ctx.pool), { error: 'Give the key a name.' }).value);
    const created = await createApiKey(ctx.pool, { name, createdBy: staffOf(request).email });
    // The key is shown in this answer only; the page must not be cached anywhere.
    reply.header('Cache-Control', 'no-store');
    return reply.type('text/html').send(apiKeysPage(pageContext(request), await listApiKeys(ctx.pool), { created: { name, key: created.key } }).value);
  });

  app.post('/admin/api-keys/:id/revoke', async (request, reply) => {
    const refused = adminOnly(request, reply);
    if (refused) return refused;
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    await revokeApiKey(ctx.pool, id, staffOf(request).email);
    return reply.redirect('/admin/api-keys', 303);
  });
}
