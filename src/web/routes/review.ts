// The review queue: list, review screen, and the decision (confirm or correct, then route).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { insertAddedStreet } from '../../classify/added-streets-store.ts';
import { staffGazetteer } from '../../classify/staff-streets.ts';
import { expandStreet, fold } from '../../classify/street-names.ts';
import { CATEGORIES, type Category } from '../../classify/types.ts';
import { PermanentError } from '../../errors.ts';
import { confirmReview, decideStatusProposal } from '../../requests/actions.ts';
import { pendingProposals } from '../../requests/proposals.ts';
import { getRequest } from '../../requests/store.ts';
import { pageContext, staffOf, type RouteContext } from '../context.ts';
import { field, idParam } from '../forms.ts';
import { attachmentsOf, getInbound } from '../queries/messages.ts';
import { queueNeighbours, reviewBacklog, reviewQueue } from '../queries/review.ts';
import { departmentOf } from '../queries/search.ts';
import { reviewQueuePage, reviewScreenPage, type DoneNotice } from '../views/review.ts';

const QUEUE_PAGE = 200;

function isCategory(value: string | null): value is Category {
  return value !== null && (CATEGORIES as readonly string[]).includes(value);
}

export function reviewRoutes(app: FastifyInstance, ctx: RouteContext): void {
  async function doneNotice(query: unknown): Promise<DoneNotice | null> {
    const id = idParam(query, 'done');
    const r = id ? await getRequest(ctx.pool, id) : null;
    if (!r) return null;
    const dept = r.departmentCode ? await departmentOf(ctx.pool, r.departmentCode) : null;
    // A street the reviewer typed that the city's list lacks is offered for adding.
    const unknownStreet = r.street && !(await staffGazetteer(ctx.pool)).isKnownStreet(r.street) ? r.street : null;
    return { id: r.id, trackingNumber: r.trackingNumber, status: r.status, departmentName: dept?.name ?? null, unknownStreet };
  }

  /** The street named by ?added=, if it really is on the list now (the link cannot claim otherwise). */
  async function addedStreet(query: unknown): Promise<string | null> {
    const name = field(query, 'added', 200);
    return name && (await staffGazetteer(ctx.pool)).isKnownStreet(name) ? name : null;
  }

  async function screen(id: number, opts: { done: DoneNotice | null; error: string | null; added?: string | null }) {
    const request = await getRequest(ctx.pool, id);
    if (!request) return null;
    const [message, attachments, neighbours, backlog] = await Promise.all([
      request.sourceMessageId ? getInbound(ctx.pool, request.sourceMessageId) : null,
      request.sourceMessageId ? attachmentsOf(ctx.pool, [request.sourceMessageId]) : [],
      queueNeighbours(ctx.pool, id),
      reviewBacklog(ctx.pool),
    ]);
    // Worked out now, not stored: a street added to the gazetteer since stops being offered as unknown.
    const gazetteer = await staffGazetteer(ctx.pool);
    const streetUnknown = !!request.street && request.reviewReasons.includes('street_unknown') && !gazetteer.isKnownStreet(request.street);
    const streetSuggestions = streetUnknown ? gazetteer.nearestStreets(request.street!) : [];
    return { request, message, attachments, routing: ctx.routing, prev: neighbours.prev, next: neighbours.next, backlog: backlog.count, streetUnknown, streetSuggestions, added: null, ...opts };
  }

  async function queuePage(request: FastifyRequest, proposalError: string | null) {
    const [items, backlog, done, pending] = await Promise.all([
      reviewQueue(ctx.pool, QUEUE_PAGE), reviewBacklog(ctx.pool), doneNotice(request.query), pendingProposals(ctx.pool, { limit: QUEUE_PAGE }),
    ]);
    return reviewQueuePage(pageContext(request, 'review'), items, backlog.count, done, await addedStreet(request.query), { pending, error: proposalError }).value;
  }

  app.get('/review', async (request, reply) => reply.type('text/html').send(await queuePage(request, null)));

  app.post('/review/proposals/:id', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    const decision = field(request.body, 'decision');
    if (decision !== 'accept' && decision !== 'reject') return reply.code(400).type('text/html').send(await queuePage(request, 'Choose accept or reject.'));
    try {
      const r = await decideStatusProposal(
        { pool: ctx.pool, config: ctx.config, routing: ctx.routing, enqueue: ctx.queues.enqueue },
        { proposalId: id, accept: decision === 'accept', actor: `staff:${staffOf(request).email}` },
      );
      return reply.redirect(`/review?done=${r.id}`, 303);
    } catch (err) {
      if (err instanceof PermanentError) return reply.code(409).type('text/html').send(await queuePage(request, err.message));
      throw err;
    }
  });

  app.get('/review/:id', async (request, reply) => {
    const id = idParam(request.params);
    const s = id ? await screen(id, { done: await doneNotice(request.query), error: null, added: await addedStreet(request.query) }) : null;
    if (!s) return reply.callNotFound();
    return reply.type('text/html').send(reviewScreenPage(pageContext(request, 'review'), s).value);
  });

  app.post('/review/:id', async (request, reply) => {
    const id = idParam(request.params);
    if (!id) return reply.callNotFound();
    // An alternative's button carries its category; the main button submits the select.
    const category = field(request.body, 'choice') ?? field(request.body, 'category');
    const fail = async (code: number, error: string) => {
      const s = await screen(id, { done: null, error });
      if (!s) return reply.callNotFound();
      return reply.code(code).type('text/html').send(reviewScreenPage(pageContext(request, 'review'), s).value);
    };
    if (!isCategory(category)) return fail(400, `Unknown category "${category ?? ''}".`);
    const streetInput = field(request.body, 'street', 200);
    const known = streetInput ? (await staffGazetteer(ctx.pool)).byName.get(fold(streetInput)) : undefined;
    try {
      await confirmReview(
        { pool: ctx.pool, config: ctx.config, routing: ctx.routing, enqueue: ctx.queues.enqueue, targets: ctx.targets },
        {
          requestId: id,
          category,
          // A street picked from the suggestions is stored in its canonical spelling, with its position.
          street: known?.name ?? streetInput,
          houseNumber: field(request.body, 'houseNumber', 20),
          crossStreet: field(request.body, 'crossStreet', 200),
          ...(known ? { lat: known.lat, lon: known.lon } : {}),
          actor: staffOf(request).email,
        },
      );
    } catch (err) {
      if (err instanceof PermanentError) return fail(409, err.message);
      throw err;
    }
    const { firstOther } = await queueNeighbours(ctx.pool, id);
    return reply.redirect(firstOther ? `/review/${firstOther}?done=${id}` : `/review?done=${id}`, 303);
  });

  // Adds the street in the form's street field to the city's list; from the review screen's warning
  // (the form is the review form, so a name the reviewer corrected first is the one added) or from the
  // notice after a decision.
  app.post('/review/:id/add-street', async (request, reply) => {
    const id = idParam(request.params);
    if (!id || !(await getRequest(ctx.pool, id))) return reply.callNotFound();
    const back = field(request.body, 'back', 200);
    const target = back && /^\/review(\/\d+)?(\?[\w=&]*)?$/.test(back) ? back : `/review/${id}`;
    const written = field(request.body, 'street', 200);
    const e = written ? expandStreet(written) : null;
    // A street name has a name and a suffix ("Foxglove Lane"); anything else is a typing slip.
    if (!e || e.suffix === null || !/^[a-z][a-z' ]*$/.test(e.base)) {
      return reply.code(400).type('text/html').send(
        reviewScreenPage(pageContext(request, 'review'), (await screen(id, { done: null, error: `“${written ?? ''}” does not look like a street name: write it with its suffix, e.g. “Foxglove Lane”.` }))!).value,
      );
    }
    await insertAddedStreet(ctx.pool, { name: e.name, addedBy: staffOf(request).email, requestId: id });
    return reply.redirect(`${target}${target.includes('?') ? '&' : '?'}added=${encodeURIComponent(e.name)}`, 303);
  });
}
