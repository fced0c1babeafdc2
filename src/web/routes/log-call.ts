// Logging a call, walk-in, letter or chat at /requests/new: the agent types what the resident says, sees the
// suggested category, and saves. The entry becomes an inbound message like any other (kept raw, with its
// channel) and opens its request through the same opening action as mail: classified, routed, confirmed.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { loadClassifier, type Classifier } from '../../classify/index.ts';
import { CATEGORIES, type Category } from '../../classify/types.ts';
import { withTransaction } from '../../db/pool.ts';
import { awaitOpening, getInbound, saveParsed, storeRawMessage } from '../../intake/store.ts';
import { openFromMessage, type OpenDeps } from '../../requests/actions.ts';
import { pageContext, staffOf, type RouteContext } from '../context.ts';
import { field } from '../forms.ts';
import { recordAudit } from '../queries/audit.ts';
import { DESK_CHANNELS, logCallPage, type CallEntry, type DeskChannel } from '../views/log-call.ts';

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

function entryOf(body: unknown): CallEntry {
  const channel = field(body, 'channel', 10);
  return {
    token: field(body, 'token', 40) ?? randomBytes(12).toString('hex'),
    channel: DESK_CHANNELS.includes(channel as DeskChannel) ? (channel as DeskChannel) : 'phone',
    name: field(body, 'name', 200),
    email: field(body, 'email', 254)?.toLowerCase() ?? null,
    phone: field(body, 'phone', 40),
    subject: field(body, 'subject', 300),
    description: field(body, 'description', 20_000),
    houseNumber: field(body, 'house_number', 20),
    street: field(body, 'street', 200),
    crossStreet: field(body, 'cross_street', 200),
    category: (CATEGORIES as readonly string[]).includes(field(body, 'category') ?? '') ? (field(body, 'category') as Category) : null,
  };
}

/** The text the classifier reads and the department's ticket quotes: the resident's words, then the place the agent typed. */
function textOf(e: CallEntry): string {
  const place = [[e.houseNumber, e.street].filter(Boolean).join(' '), e.crossStreet ? `at ${e.crossStreet}` : ''].filter(Boolean).join(' ');
  return place ? `${e.description ?? ''}\n\nLocation: ${place}` : (e.description ?? '');
}

function problemsOf(e: CallEntry): string[] {
  const problems: string[] = [];
  if (!e.description) problems.push('Type what the resident says in the description.');
  if (e.email && !EMAIL.test(e.email)) problems.push(`"${e.email}" is not an email address: fix it or leave it empty.`);
  if (e.phone && !/^[\d\s()+.\-x]{3,40}$/i.test(e.phone)) problems.push('The phone number may hold digits, spaces and ( ) + - . x only.');
  return problems;
}

export function logCallRoutes(app: FastifyInstance, ctx: RouteContext): void {
  // The staff app classifies only here, so it loads the model on the first entry rather than at start.
  let classifier: Promise<Classifier> | null = null;
  const classifierOf = (): Promise<Classifier> => {
    classifier ??= loadClassifier({ modelFile: ctx.config.modelFile, reviewThreshold: ctx.config.reviewThreshold }).catch((err: unknown) => {
      classifier = null;
      throw err;
    });
    return classifier;
  };

  const render = async (request: FastifyRequest, reply: FastifyReply, e: CallEntry, opts: { code?: number; problems?: string[]; suggest?: boolean } = {}) => {
    const suggestion = opts.suggest && e.description ? (await classifierOf()).classify({ subject: e.subject ?? '', text: textOf(e) }) : null;
    const page = logCallPage(pageContext(request, 'new'), {
      entry: e,
      suggestion: suggestion ? { ...suggestion, department: ctx.routing.departmentFor(suggestion.category).name } : null,
      departments: Object.fromEntries([...CATEGORIES].map((c) => [c, ctx.routing.departmentFor(c).name])),
      problems: opts.problems ?? [],
    });
    return reply.code(opts.code ?? 200).type('text/html').send(page.value);
  };

  app.get('/requests/new', async (request, reply) => render(request, reply, entryOf({ channel: field(request.query, 'channel', 10) })));

  app.post('/requests/new', async (request, reply) => {
    const e = entryOf(request.body);
    const problems = problemsOf(e);
    if (problems.length) return render(request, reply, e, { code: 400, problems });
    if (field(request.body, 'step', 10) !== 'save' || !e.category) return render(request, reply, e, { suggest: true });

    const agent = staffOf(request);
    const domain = ctx.config.fromAddress.slice(ctx.config.fromAddress.lastIndexOf('@') + 1);
    // The form's token is the Message-ID: a double click or a resent form stores, and opens, one request.
    const messageId = `<desk-${e.token}@${domain}>`;
    const raw = await new MailComposer({
      ...(e.email ? { from: e.name ? { name: e.name, address: e.email } : e.email } : {}),
      to: ctx.config.fromAddress,
      subject: e.subject ?? '',
      text: textOf(e),
      messageId,
      headers: { 'X-CityLine-Channel': e.channel, 'X-CityLine-Logged-By': agent.email, ...(e.phone ? { 'X-CityLine-Resident-Phone': e.phone } : {}) },
    }).compile().build();
    const stored = await storeRawMessage(ctx.pool, { raw, source: 'http', sourceRef: `desk:${e.token}`, maxRawBytes: ctx.config.maxRawBytes });
    if (stored.created) {
      await withTransaction(ctx.pool, async (tx) => {
        await saveParsed(tx, stored.id, {
          messageId,
          fromAddress: e.email,
          fromName: e.name,
          replyTo: null,
          to: [ctx.config.fromAddress],
          subject: e.subject ?? '',
          sentAt: new Date(),
          inReplyTo: null,
          references: [],
          text: textOf(e),
          html: null,
          authoredText: textOf(e),
          headers: { 'x-cityline-channel': e.channel, 'x-cityline-logged-by': agent.email, ...(e.phone ? { 'x-cityline-resident-phone': e.phone } : {}) },
          notes: [],
        });
        await awaitOpening(tx, stored.id, { kind: 'new_request' });
      });
    }
    const deps: OpenDeps = { pool: ctx.pool, config: ctx.config, routing: ctx.routing, enqueue: ctx.queues.enqueue, targets: ctx.targets, classifier: await classifierOf() };
    const opened = await openFromMessage(deps, stored.id, { category: e.category, street: e.street, houseNumber: e.houseNumber, crossStreet: e.crossStreet, actor: agent.email });
    const requestId = opened?.id ?? (await getInbound(ctx.pool, stored.id))?.requestId;
    if (!requestId) throw new Error(`logged entry ${stored.id} opened no request`);
    if (opened) await recordAudit(ctx.pool, { actor: agent.email, action: 'request_logged', target: opened.trackingNumber, details: { channel: e.channel, category: e.category } });
    return reply.redirect(`/requests/${requestId}?done=logged`, 303);
  });
}
