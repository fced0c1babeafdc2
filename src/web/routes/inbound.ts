// The HTTP intake: the city's web form and live chat post residents' requests here. Authenticated by a
// bearer token (CITYLINE_INBOUND_TOKEN), not a staff session; switched off when no token is configured.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { describeError, isPermanent, isUnavailable } from '../../errors.ts';
import { formToMessage, parseFormSubmission, type FormSubmission } from '../../intake/form-message.ts';
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
  const configured = ctx.config.inboundToken;
  if (!configured) return;
  const token: string = configured;
  app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: ctx.config.maxRawBytes }, (_request, body, done) => done(null, body));

  // Checked before the body is read: an unauthenticated caller must not make us buffer up to
  // CITYLINE_MAX_RAW_BYTES. The connection is closed rather than drained.
  const requireToken: onRequestHookHandler = async (request, reply) => {
    if (authorized(request, token)) return;
    await reply.code(401).header('Connection', 'close').send({ error: 'a valid bearer token is required' });
  };

  async function accept(request: FastifyRequest, reply: FastifyReply, raw: () => Promise<Buffer>, key: { sourceRef: string; dedupeKey: string } | null) {
    try {
      const stored = await storeRawMessage(ctx.pool, { raw: await raw(), source: 'http', maxRawBytes: ctx.config.maxRawBytes, ...(key ?? {}) });
      // Stored is what counts: the answer does not wait on Redis (bounded), and the sweeper queues it later.
      await notifyStored((id) => ctx.queues.requeue('parse', { inboundMessageId: id }), stored.id, request.log);
      return reply.code(202).send({ id: stored.id, duplicate: !stored.created });
    } catch (err) {
      if (isPermanent(err)) return reply.code(400).send({ error: describeError(err) });
      if (isUnavailable(err)) return reply.code(503).header('Retry-After', '30').send({ error: 'storage is unavailable; try again later' });
      throw err;
    }
  }

  app.post('/inbound/form', { config: { public: true }, onRequest: requireToken }, async (request, reply) => {
    let form: FormSubmission;
    try {
      form = parseFormSubmission(request.body);
    } catch (err) {
      return reply.code(400).send({ error: describeError(err) });
    }
    // The same submission is the same (channel, id), never a Message-ID: anyone can write one into an email.
    const key = form.submissionId ? { sourceRef: `form:${form.channel}:${form.submissionId}`, dedupeKey: `form:${form.channel}:${form.submissionId}` } : null;
    return accept(request, reply, () => formToMessage(form, { to: ctx.config.fromAddress }), key);
  });
  app.post('/inbound/message', { config: { public: true }, bodyLimit: ctx.config.maxRawBytes, onRequest: requireToken }, (request, reply) => {
    if (!Buffer.isBuffer(request.body)) return reply.code(415).send({ error: 'send the raw message as Content-Type: message/rfc822' });
    const body = request.body;
    return accept(request, reply, async () => body, null);
  });
}
