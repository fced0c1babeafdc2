// The HTTP intake: the city's web form and live chat post residents' requests here. Authenticated by a
// bearer token (CITYLINE_INBOUND_TOKEN), not a staff session; switched off when no token is configured.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeError, isPermanent, isUnavailable } from '../../errors.ts';
import { formToMessage, parseFormSubmission } from '../../intake/form-message.ts';
import { notifyStored } from '../../intake/notify-stored.ts';
import { storeRawMessage } from '../../intake/store.ts';
import type { RouteContext } from '../context.ts';

function authorized(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const sent = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const want = Buffer.from(token);
  return sent.length === want.length && timingSafeEqual(sent, want);
}

export function inboundRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const token = ctx.config.inboundToken;
  if (!token) return;
  app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: ctx.config.maxRawBytes }, (_request, body, done) => done(null, body));

  async function accept(request: FastifyRequest, reply: FastifyReply, raw: () => Promise<Buffer>) {
    if (!authorized(request, token as string)) return reply.code(401).send({ error: 'a valid bearer token is required' });
    try {
      const stored = await storeRawMessage(ctx.pool, { raw: await raw(), source: 'http', maxRawBytes: ctx.config.maxRawBytes });
      // Stored is what counts: the answer does not wait on Redis (bounded), and the sweeper queues it later.
      await notifyStored((id) => ctx.queues.requeue('parse', { inboundMessageId: id }), stored.id, request.log);
      return reply.code(202).send({ id: stored.id, duplicate: !stored.created });
    } catch (err) {
      if (isPermanent(err)) return reply.code(400).send({ error: describeError(err) });
      if (isUnavailable(err)) return reply.code(503).header('Retry-After', '30').send({ error: 'storage is unavailable; try again later' });
      throw err;
    }
  }

  app.post('/inbound/form', { config: { public: true } }, (request, reply) =>
    accept(request, reply, () => formToMessage(parseFormSubmission(request.body), { to: ctx.config.fromAddress })),
  );
  app.post('/inbound/message', { config: { public: true }, bodyLimit: ctx.config.maxRawBytes }, (request, reply) => {
    if (!Buffer.isBuffer(request.body)) return reply.code(415).send({ error: 'send the raw message as Content-Type: message/rfc822' });
    const body = request.body;
    return accept(request, reply, async () => body);
  });
}
