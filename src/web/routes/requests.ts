// Request search, the request page, and working a request from it: status changes, re-routing, internal
// notes, assignment, undoing a duplicate link.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CATEGORIES, type Category } from '../../classify/types.ts';
import { PermanentError } from '../../errors.ts';
import { randomBytes } from 'node:crypto';
import { addNote, assign, changeStatus, clearDanger, decideDepartmentReplyAction, replyToResident, reroute, unlinkDuplicate, type ReviewDeps } from '../../requests/actions.ts';
import { STATUSES, canMove, isStatus } from '../../requests/status.ts';
import { heldMail } from '../../notify/outbox.ts';
import { pendingProposals } from '../../requests/proposals.ts';
import { getRequest } from '../../requests/store.ts';
import { failsCheckCharacter, normalizeTrackingNumber } from '../../requests/tracking-number.ts';
import { CITY_TIME_ZONE, pageContext, staffOf, type RouteContext } from '../context.ts';
import { field, idParam } from '../forms.ts';
import { eventsOf } from '../queries/events.ts';
import { attachmentsOf, residentPhoneOf, thread } from '../queries/messages.ts';
import { departmentReplyStates, isAwaitingAnswer } from '../queries/questions.ts';
import { getSavedAnswer, listSavedAnswers } from '../queries/saved-answers.ts';
import { departmentList, departmentOf, searchRequests, SORTS, type SearchFilters } from '../queries/search.ts';
import { toCsv } from '../../reports/report.ts';
import { recordAudit } from '../queries/audit.ts';
import { assignableStaff } from '../queries/users.ts';
import { noteViewer } from '../queries/viewers.ts';
import { deskNotice, deskPanel, isDeskAction } from '../views/request-desk.ts';
import { replyBox } from '../views/questions.ts';
import { requestPage, searchPage } from '../views/requests.ts';
import { layout } from '../views/layout.ts';
import { html } from '../html.ts';

function dateField(query: unknown, name: string): string | null {
  const v = field(query, name, 10);
  return v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : null;
}

/** What a change asked for, for the audit log: the form without its token, notes cut short. */
function auditDetails(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (k !== '_csrf' && typeof v === 'string' && v.trim()) out[k] = v.trim().slice(0, 200);
  }
  return out;
}

// A CSV holds what a spreadsheet opens comfortably; the search narrows anything larger.
const CSV_ROWS = 10_000;

function oneOf(value: string | null, allowed: readonly string[]): string | null {
  return value && allowed.includes(value) ? value : null;
}

const MAIL_NOTICES: Record<string, string> = {
  released: 'The held email was released and will be sent now.',
  'not-held': 'That email was no longer held; nothing was sent.',
};

export function requestRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const actionDeps: ReviewDeps = { pool: ctx.pool, config: ctx.config, routing: ctx.routing, enqueue: ctx.queues.enqueue, targets: ctx.targets };

  async function renderRequest(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    opts: { code?: number; error?: string | null; notice?: string | null; draft?: string | null } = {},
  ) {
    const r = await getRequest(ctx.pool, id);
    if (!r) return reply.callNotFound();
    const me = staffOf(request);
    const insertId = idParam(request.query, 'insert');
    const [entries, events, department, original, staff, viewers, phone, answers, inserted, waiting, departmentReplies, held, proposals] = await Promise.all([
      thread(ctx.pool, id),
      eventsOf(ctx.pool, id),
      r.departmentCode ? departmentOf(ctx.pool, r.departmentCode) : null,
      r.duplicateOf ? getRequest(ctx.pool, r.duplicateOf) : null,
      assignableStaff(ctx.pool),
      noteViewer(ctx.pool, id, me.userId),
      r.sourceMessageId ? residentPhoneOf(ctx.pool, r.sourceMessageId) : null,
      listSavedAnswers(ctx.pool),
      insertId ? getSavedAnswer(ctx.pool, insertId) : null,
      isAwaitingAnswer(ctx.pool, id),
      departmentReplyStates(ctx.pool, id),
      heldMail(ctx.pool, { requestId: id, limit: 50 }),
      pendingProposals(ctx.pool, { requestId: id, limit: 50 }),
    ]);
    const pageCtx = pageContext(request, 'requests');
    const inboundIds = entries.flatMap((e) => (e.direction === 'in' ? [e.inbound.id] : []));
    const done = field(request.query, 'done', 20);
    const notice = opts.notice ?? MAIL_NOTICES[field(request.query, 'mail') ?? ''] ?? (done && isDeskAction(done) && !opts.error ? deskNotice(done, r, events, ctx.routing) : null);
    const desk = deskPanel(pageCtx, { request: r, events, staff, viewers, departments: [...ctx.routing.departments.values()], me, routing: ctx.routing, justLogged: done === 'logged' });
    const page = requestPage(pageCtx, {
      desk,
      residentPhone: phone,
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
      notice,
      held,
      proposals,
    });
    return reply.code(opts.code ?? 200).type('text/html').send(page.value);
  }

  /** The filters of a search (page or CSV), with a tracking number read the forgiving way. */
  async function searchOf(request: FastifyRequest) {
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
      assigned: oneOf(field(q, 'assigned'), ['me', 'none']),
      sort: oneOf(field(q, 'sort', 20), Object.keys(SORTS)),
      dir: oneOf(field(q, 'dir', 4), ['asc', 'desc']),
    };
    // A tracking number is searched the way it was typed; a look-alike that is valid is searched as itself.
    const typed = filters.q;
    const tracking = typed ? normalizeTrackingNumber(ctx.config.trackingPrefix, typed) : null;
    const hint = typed && !tracking && failsCheckCharacter(ctx.config.trackingPrefix, typed)
      ? `"${typed}" is not a valid tracking number: check the last character (or two neighbouring characters swapped).`
      : null;
    return { filters, departments, hint, query: { ...filters, q: tracking ?? typed }, opts: { timeZone: CITY_TIME_ZONE, userId: staffOf(request).userId } };
  }

  app.get('/requests', async (request, reply) => {
    const s = await searchOf(request);
    const page = Math.min(10_000, Math.max(1, Number(field(request.query, 'page', 6)) || 1));
    const result = await searchRequests(ctx.pool, s.query, page, s.opts);
    return reply.type('text/html').send(searchPage(pageContext(request, 'requests'), s.filters, s.departments, result, page, s.hint).value);
  });

  app.get('/requests.csv', async (request, reply) => {
    const s = await searchOf(request);
    const result = await searchRequests(ctx.pool, s.query, 1, { ...s.opts, pageSize: CSV_ROWS });
    const name = new Map(s.departments.map((d) => [d.code, d.name]));
    const now = Date.now();
    const table = {
      title: 'requests',
      columns: ['tracking_number', 'received', 'age_days', 'due', 'status', 'category', 'house_number', 'street', 'cross_street', 'department', 'resident_name', 'resident_email', 'subject', 'channel'],
      rows: result.rows.map((r) => [
        r.trackingNumber, r.createdAt.toISOString(), Math.floor((now - r.createdAt.getTime()) / 86_400_000), r.dueAt?.toISOString() ?? null, r.status, r.category,
        r.houseNumber, r.street, r.crossStreet, r.departmentCode ? (name.get(r.departmentCode) ?? r.departmentCode) : null, r.residentName, r.residentEmail, r.subject, r.channel,
      ]),
    };
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="cityline-requests-${new Date().toISOString().slice(0, 10)}.csv"`)
      .header('X-CityLine-Rows', `${result.rows.length} of ${result.total}`)
      .send(toCsv(table));
  });

  app.get('/requests/:id', async (request, reply) => {
    const id = idParam(request.params);
    return id ? renderRequest(request, reply, id, { notice: field(request.query, 'sent') ? 'Your answer is on its way to the resident.' : null }) : reply.callNotFound();
  });

  app.post('/requests/:id/status', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    const to = field(request.body, 'to');
    if (!to) return renderRequest(request, reply, id, { code: 400, error: 'Choose the new status first: nothing was changed.' });
    if (!isStatus(to)) return renderRequest(request, reply, id, { code: 400, error: `Unknown status "${to}": nothing was changed.` });
    return act(request, reply, id, 'status', () => changeStatus(actionDeps, { requestId: id, to, note: field(request.body, 'note', 2000), publicNote: field(request.body, 'public_note', 2000), actor: staffOf(request).email }));
  });

  /** Runs one change; a refused one shows the page again with why, and a done one says what was done. */
  async function act(request: FastifyRequest, reply: FastifyReply, id: number, action: string, run: () => Promise<unknown>) {
    let done = action;
    try {
      const outcome = await run();
      if (typeof outcome === 'string') done = outcome;
      const r = await getRequest(ctx.pool, id);
      await recordAudit(ctx.pool, { actor: staffOf(request).email, action: `request_${done}`, target: r?.trackingNumber ?? String(id), details: auditDetails(request.body) });
    } catch (err) {
      if (err instanceof PermanentError) return renderRequest(request, reply, id, { code: 409, error: `${err.message}: nothing was changed.` });
      throw err;
    }
    return reply.redirect(`/requests/${id}?done=${done}`, 303);
  }

  app.post('/requests/:id/reroute', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    const b = request.body;
    const category = oneOf(field(b, 'category'), CATEGORIES) as Category | null;
    if (!category) return renderRequest(request, reply, id, { code: 400, error: 'Choose a category: nothing was changed.' });
    const departmentCode = field(b, 'department', 40);
    return act(request, reply, id, 'saved', async () => (await reroute(actionDeps, {
      requestId: id,
      category,
      street: field(b, 'street', 200),
      houseNumber: field(b, 'house_number', 20),
      crossStreet: field(b, 'cross_street', 200),
      departmentCode,
      reason: field(b, 'reason', 500),
      actor: staffOf(request).email,
    })).from ? 'rerouted' : 'saved');
  });

  app.post('/requests/:id/note', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    const text = field(request.body, 'text', 4000);
    if (!text) return renderRequest(request, reply, id, { code: 400, error: 'The note is empty: nothing was saved.' });
    return act(request, reply, id, 'note', () => addNote(actionDeps, { requestId: id, text, actor: staffOf(request).email }));
  });

  app.post('/requests/:id/assign', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    const me = staffOf(request);
    const wanted = field(request.body, 'assignee', 20);
    const staff = await assignableStaff(ctx.pool);
    const assignee = wanted === 'me' ? { id: me.userId, email: me.email } : wanted ? staff.find((s) => String(s.id) === wanted) : null;
    if (assignee === undefined) return renderRequest(request, reply, id, { code: 400, error: 'That account cannot be given requests: nothing was changed.' });
    return act(request, reply, id, 'assign', () => assign(actionDeps, { requestId: id, assignee, actor: me.email }));
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
    return act(request, reply, id, 'unlink', () => unlinkDuplicate(actionDeps, { requestId: id, actor: staffOf(request).email }));
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
