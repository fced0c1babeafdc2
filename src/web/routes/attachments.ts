// Attachments are resident-supplied bytes: only plain raster images are shown inline, with their own type;
// everything else (including SVG and HTML, which can carry script) is a download of an opaque type.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';
import { field, idParam } from '../forms.ts';
import { attachmentContent } from '../queries/messages.ts';

const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function isInlineImage(contentType: string): boolean {
  return INLINE_IMAGES.has(contentType.toLowerCase().split(';')[0]?.trim() ?? '');
}

/** A filename safe inside a quoted header value, plus the exact one in RFC 5987 form. */
function disposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function attachmentRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/attachments/:id', async (request, reply) => {
    const id = idParam(request.params);
    const a = id ? await attachmentContent(ctx.pool, id) : null;
    if (!a || !a.content) return reply.callNotFound();
    const name = a.filename ?? `attachment-${a.id}`;
    const inline = isInlineImage(a.contentType) && field(request.query, 'download') === null;
    // Even a direct visit to the URL must not run anything the bytes contain.
    reply.header('Content-Security-Policy', "default-src 'none'; sandbox");
    reply.header('Cache-Control', 'private, max-age=3600');
    reply.header('Content-Disposition', disposition(inline ? 'inline' : 'attachment', name));
    return reply.type(inline ? (a.contentType.toLowerCase().split(';')[0] as string) : 'application/octet-stream').send(a.content);
  });
}
