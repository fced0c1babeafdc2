// Request search, the request page, status changes and undoing a duplicate link.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CATEGORIES } from '../../classify/types.ts';
import { PermanentError } from '../../errors.ts';
import { randomBytes } from 'node:crypto';
import { changeStatus, clearDanger, decideDepartmentReplyAction, replyToResident, unlinkDuplicate, type ActionDeps } from '../../requests/actions.ts';
import { STATUSES, canMove, isStatus } from '../../requests/status.ts';
import { getRequest } from '../../requests/store.ts';
import { CITY_TIME_ZONE, pageContext, staffOf, type RouteContext } from '../context.ts';
import { field, idParam } from '../forms.ts';
import { eventsOf } from '../queries/events.ts';
import { attachmentsOf, thread } from '../queries/messages.ts';
import { departmentReplyStates, isAwaitingAnswer } from '../queries/questions.ts';
import { getSavedAnswer, listSavedAnswers } from '../queries/saved-answers.ts';
import { departmentList, departmentOf, searchRequests, type SearchFilters } from '../queries/search.ts';
import { replyBox } from '../views/questions.ts';
import { requestPage, searchPage } from '../views/requests.ts';
import { layout } from '../views/layout.ts';
import { html } from '../html.ts';

function dateField(query: unknown, name: string): string | null {
  const v = field(query, name, 10);
  return v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : null;
}

function oneOf(value: string | null, allowed: readonly string[]): string | null {
  return value && allowed.includes(value) ? value : null;
}

export function requestRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const actionDeps: ActionDeps = { pool: ctx.pool, config: ctx.config, routing: ctx.routing, enqueue: ctx.queues.enqueue };

  async function renderRequest(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    opts: { code?: number; error?: string | null; notice?: string | null; draft?: string | null } = {},
  ) {
    const r = await getRequest(ctx.pool, id);
    if (!r) return reply.callNotFound();
    const insertId = idParam(request.query, 'insert');
    const [entries, events, department, original, answers, inserted, waiting, departmentReplies] = await Promise.all([
      thread(ctx.pool, id),
      eventsOf(ctx.pool, id),
      r.departmentCode ? departmentOf(ctx.pool, r.departmentCode) : null,
      r.duplicateOf ? getRequest(ctx.pool, r.duplicateOf) : null,
      listSavedAnswers(ctx.pool),
      insertId ? getSavedAnswer(ctx.pool, insertId) : null,
      isAwaitingAnswer(ctx.pool, id),
      departmentReplyStates(ctx.pool, id),
    ]);
    const pageCtx = pageContext(request, 'requests');
    const inboundIds = entries.flatMap((e) => (e.direction === 'in' ? [e.inbound.id] : []));
    const page = requestPage(pageCtx, {
      request: r,
      departmentReplies,
      reply: r.residentEmail
        ? replyBox(pageCtx, {
            requestId: r.id,
            language: r.language,
            answers,
            draft: opts.draft ?? inserted?.body ?? '',
            formToken: randomBytes(12).toString('hex'),
            canClose: r.status !== 'closed' && canMove(r.status, 'closed'),
            waiting,
          })
        : null,
      department,
      duplicateOf: original ? { id: original.id, trackingNumber: original.trackingNumber } : null,
      thread: entries,
      attachments: await attachmentsOf(ctx.pool, inboundIds),
      events,
      error: opts.error ?? null,
      notice: opts.notice ?? null,
    });
    return reply.code(opts.code ?? 200).type('text/html').send(page.value);
  }

  app.get('/requests', async (request, reply) => {
    const q = request.query;
    const departments = await departmentList(ctx.pool);
    const filters: SearchFilters = {
      q: field(q, 'q', 200),
      street: field(q, 'street', 200),
      category: oneOf(field(q, 'category'), CATEGORIES),
      status: oneOf(field(q, 'status'), STATUSES),
      department: oneOf(field(q, 'department'), departments.map((d) => d.code)),
      from: dateField(q, 'from'),
      to: dateField(q, 'to'),
    };
    const page = Math.min(10_000, Math.max(1, Number(field(q, 'page', 6)) || 1));
    const result = await searchRequests(ctx.pool, filters, page, CITY_TIME_ZONE);
    return reply.type('text/html').send(searchPage(pageContext(request, 'requests'), filters, departments, result, page).value);
  });

  app.get('/requests/:id', async (request, reply) => {
    const id = idParam(request.params);
    return id ? renderRequest(request, reply, id, { notice: field(request.query, 'sent') ? 'Your answer is on its way to the resident.' : null }) : reply.callNotFound();
  });

  app.post('/requests/:id/status', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    const to = field(request.body, 'to');
    if (!to || !isStatus(to)) return renderRequest(request, reply, id, { code: 400, error: `Unknown status "${to ?? ''}".` });
    try {
      await changeStatus(actionDeps, { requestId: id, to, note: field(request.body, 'note', 2000), actor: staffOf(request).email });
    } catch (err) {
      if (err instanceof PermanentError) return renderRequest(request, reply, id, { code: 409, error: err.message });
      throw err;
    }
    return reply.redirect(`/requests/${id}`, 303);
  });

  app.post('/requests/:id/reply', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    const body = field(request.body, 'body', 10_000);
    const formToken = field(request.body, 'formToken', 64);
    if (!body || !formToken || !/^[0-9a-f]{8,64}$/.test(formToken)) {
      return renderRequest(request, reply, id, { code: 400, error: 'Write a message to the resident before sending.', draft: body });
    }
    try {
      await replyToResident(actionDeps, { requestId: id, body, close: field(request.body, 'close') === '1', actor: staffOf(request).email, formToken });
    } catch (err) {
      if (err instanceof PermanentError) return renderRequest(request, reply, id, { code: 409, error: err.message, draft: body });
      throw err;
    }
    return reply.redirect(`/requests/${id}?sent=1`, 303);
  });

  app.post('/department-replies/:id', async (request, reply) => {
    const inboundId = idParam(request.params);
    const decision = field(request.body, 'decision');
    if (!inboundId || (decision !== 'forward' && decision !== 'dismiss')) return reply.callNotFound();
    try {
      const requestId = await decideDepartmentReplyAction(actionDeps, { inboundMessageId: inboundId, forward: decision === 'forward', actor: staffOf(request).email });
      return reply.redirect(`/requests/${requestId}`, 303);
    } catch (err) {
      if (err instanceof PermanentError) return reply.code(409).type('text/html').send(layout(pageContext(request, 'requests'), 'Already decided', html`<h1>Nothing done</h1><p>${err.message}.</p><p><a href="/questions">Back to the questions</a></p>`).value);
      throw err;
    }
  });

  app.post('/requests/:id/unlink', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    try {
      await unlinkDuplicate(actionDeps, { requestId: id, actor: staffOf(request).email });
    } catch (err) {
      if (err instanceof PermanentError) return renderRequest(request, reply, id, { code: 409, error: err.message });
      throw err;
    }
    return reply.redirect(`/requests/${id}`, 303);
  });

  app.post('/requests/:id/not-danger', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    try {
      await clearDanger(actionDeps, { requestId: id, actor: staffOf(request).email });
    } catch (err) {
      if (err instanceof PermanentError) return renderRequest(request, reply, id, { code: 409, error: err.message });
      throw err;
    }
    return reply.redirect(`/requests/${id}`, 303);
  });
}
