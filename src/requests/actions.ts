// The one owner of request changes: every move of a request's status, its routing, its duplicate link
// and its review reasons happens here, checked against status.ts, in one transaction with its events and
// the mail it causes (transactional outbox). Used by the pipeline stages, the staff app and `cityline status`.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Category, Classification } from '../classify/types.ts';
import { assessUrgency, urgencyRank } from '../classify/urgency.ts';
import type { ServiceTargets } from '../targets/service-targets.ts';
import type { Classifier } from '../classify/index.ts';
import type { Config } from '../config/index.ts';
import { withTransaction, type Db } from '../db/pool.ts';
import { PermanentError } from '../errors.ts';
import { updateToMessage, withSubmittedFacts, type SubmittedUpdate } from '../intake/open311-submission.ts';
import { addressProvedBefore, attachmentsOf, lockInboundWithAttachments, openingOf, saveParsed, setInboundOutcome, storeRawMessage } from '../intake/store.ts';
import type { Enqueue } from '../jobs/queues.ts';
import {
  confirmationRow, departmentNoteRow, duplicateNoticeRow, oncallAlertRow, publicUpdateRow, residentFollowUpRows, routedTicketRows, safetyNoticeRow, staffReplyRow, statusUpdateRow,
  ticketWithdrawnRow, type TicketSource,
} from '../notify/compose.ts';
import { insertOutboxRows, priorityOf, type NewOutboxRow, type OutboxKind } from '../notify/outbox.ts';
import type { Department, Routing } from '../routing/rules.ts';
import { decideDepartmentReply, lockPendingDepartmentReply } from './department-replies.ts';
import { canMove, NOTIFY_RESIDENT, type Status } from './status.ts';
import { decideProposal, insertProposal, lockProposal } from './proposals.ts';
import {
  addEvent, addReviewReason, addThreadMessage, clearAwaitingAnswer, markAwaitingAnswer, addThreadMessages, clearUrgency, conversationMessageIds, getRequest,
  getRequestByTrackingNumber, lastStatusEventId, openRequest, prepareOpening, setAssignee, setDepartment, setStatus, setUrgency, ticketSourceOf, touchRequest,
  updateClassification, type NewEvent, type RequestRecord,
} from './store.ts';
import { formatTrackingNumber } from './tracking-number.ts';
import { recordTrainingExample } from './training-examples.ts';
import { saysNoReplies } from '../mail/automated.ts';

export interface ActionDeps {
  pool: pg.Pool;
  config: Config;
  routing: Routing;
  enqueue: Enqueue;
}

type Ctx = { config: Config; routing: Routing };

export interface QueuedMail {
  id: number;
  kind: OutboxKind;
  priority: number;
}

/** Queues an email in the current transaction and adds it to the request's thread. */
export async function queueMail(db: Db, row: NewOutboxRow | null, author: 'system' | 'staff' = 'system'): Promise<QueuedMail | null> {
  return (await queueMails(db, [row], author))[0] ?? null;
}

/** Queues emails in the current transaction, in order, and adds them to their requests' threads: two statements for any number. */
export async function queueMails(db: Db, rows: (NewOutboxRow | null)[], author: 'system' | 'staff' = 'system'): Promise<(QueuedMail | null)[]> {
  const wanted = rows.filter((r): r is NewOutboxRow => r !== null);
  const ids = await insertOutboxRows(db, wanted);
  const queued = new Map<NewOutboxRow, QueuedMail>();
  wanted.forEach((row, i) => {
    const id = ids[i];
    if (id !== null && id !== undefined) queued.set(row, { id, kind: row.kind, priority: priorityOf(row) });
  });
  await addThreadMessages(
    db,
    wanted.flatMap((row) => {
      const id = queued.get(row)?.id;
      return row.requestId !== null && id !== undefined ? [{ requestId: row.requestId, direction: 'out' as const, author, outboxId: id }] : [];
    }),
  );
  return rows.map((row) => (row ? (queued.get(row) ?? null) : null));
}

/** After the transaction commits: hand the queued mail to the notify stage (the sweeper covers a crash here). */
export async function dispatchMail(enqueue: Enqueue, mail: (QueuedMail | null)[]): Promise<void> {
  for (const m of mail) {
    if (m) await enqueue('notify', { outboxId: m.id }, { priority: m.priority });
  }
}

async function lockRequest(db: Db, requestId: number): Promise<RequestRecord> {
  const req = await getRequest(db, requestId, { forUpdate: true });
  if (!req) throw new PermanentError(`request ${requestId} does not exist`, 'NO_SUCH_REQUEST');
  return req;
}

function checkMove(req: Pick<RequestRecord, 'status' | 'trackingNumber'>, to: Status): void {
  if (req.status === to) throw new PermanentError(`request ${req.trackingNumber} is already ${to}`, 'SAME_STATUS');
  if (!canMove(req.status, to)) {
    throw new PermanentError(`request ${req.trackingNumber} cannot move from ${req.status} to ${to}`, 'BAD_TRANSITION');
  }
}

/**
 * The one place a status changes after a request is opened. A duplicate link only lives while the request is
 * a duplicate: any other status clears it (a routed request showing "Duplicate of" would be wrong).
 */
async function move(
  db: Db,
  req: RequestRecord,
  to: Status,
  e: { actor: string; note?: string | null; publicNote?: string | null; details?: Record<string, unknown>; departmentCode?: string },
): Promise<RequestRecord> {
  checkMove(req, to);
  const duplicateOf = to === 'duplicate' ? req.duplicateOf : null;
  await setStatus(db, req.id, to, { duplicateOf, ...(e.departmentCode !== undefined ? { departmentCode: e.departmentCode } : {}) });
  await addEvent(db, { requestId: req.id, kind: 'status', fromStatus: req.status, toStatus: to, actor: e.actor, note: e.note ?? null, publicNote: e.publicNote ?? null, details: e.details ?? {} });
  return { ...req, status: to, duplicateOf, departmentCode: e.departmentCode ?? req.departmentCode };
}

/** The routing rule, once: a request goes to its category's department, and its status event says which. */
function routeTo(
  ctx: Ctx,
  req: Pick<RequestRecord, 'status' | 'trackingNumber' | 'category'>,
  actor: string,
  chosen?: Department,
): { dept: Department; event: Omit<NewEvent, 'requestId'> } {
  checkMove(req, 'routed');
  const dept = chosen ?? ctx.routing.departmentFor(req.category);
  return { dept, event: { kind: 'status', fromStatus: req.status, toStatus: 'routed', actor, details: { department: dept.code } } };
}

async function statusMail(db: Db, ctx: Ctx, req: RequestRecord, change: { status: Status; note: string | null; actor: string }): Promise<NewOutboxRow | null> {
  const references = req.residentEmail ? await conversationMessageIds(db, req.id, 'resident') : [];
  return statusUpdateRow(ctx, req, { ...change, eventId: await lastStatusEventId(db, req.id) }, references);
}

/** The resident waits for a person's answer again (they wrote more to a question): back in the questions queue. */
export async function awaitAnswer(db: Db, requestId: number): Promise<void> {
  await markAwaitingAnswer(db, requestId);
}

/** A resident's message that causes a change, and what it said (quotes and signature removed). */
export interface ResidentMessage {
  inboundMessageId: number;
  authored: string;
  receivedAt: Date;
}

/**
 * What the resident adds to a request its department has (a correction, a photo), sent on to the
 * department in the ticket's thread with the attachments; `reopened` when it brought the request back.
 */
export async function forwardToDepartment(db: Db, ctx: Ctx, req: RequestRecord, dept: Department, m: ResidentMessage, reopened: boolean): Promise<(QueuedMail | null)[]> {
  const attachments = (await attachmentsOf(db, m.inboundMessageId)).filter((a) => !a.dropped);
  return queueMails(db, residentFollowUpRows(ctx, req, dept, { ...m, reopened, attachments }, await conversationMessageIds(db, req.id, 'department')));
}

/**
 * Routes a request to its category's department: status routed, the department's ticket queued, and the
 * resident told. A question goes to the questions queue instead, and nothing is mailed until a person
 * answers. A request reopened by the resident goes back to its department in the same ticket thread,
 * with what is new, and its status event records why.
 */
async function routeInTransaction(
  db: Db,
  ctx: Ctx,
  req: RequestRecord,
  actor: string,
  note: string | null,
  reopenedBy?: ResidentMessage,
  publicNote: string | null = null,
  chosen?: Department,
): Promise<(QueuedMail | null)[]> {
  const { dept, event } = routeTo(ctx, req, actor, chosen);
  const reason = reopenedBy ? { reason: 'resident_reply', inboundMessageId: reopenedBy.inboundMessageId } : {};
  const routed = await move(db, req, 'routed', { actor, note, publicNote, details: { ...(event.details ?? {}), ...reason }, departmentCode: dept.code });
  if (ctx.routing.isQuestion(req.category)) {
    await markAwaitingAnswer(db, req.id);
    return [];
  }
  if (reopenedBy && req.departmentCode === dept.code) {
    return [...(await forwardToDepartment(db, ctx, routed, dept, reopenedBy, true)), await queueMail(db, await statusMail(db, ctx, routed, { status: 'routed', note: null, actor }))];
  }
  const tickets = await ticketRows(db, ctx, routed, dept, await conversationMessageIds(db, req.id, 'department'));
  return queueMails(db, [...tickets, await statusMail(db, ctx, routed, { status: 'routed', note: reopenedBy ? null : note, actor })]);
}

/** The department's tickets (one per address) for a request just routed (or re-routed) to it, threaded under `references`. */
async function ticketRows(db: Db, ctx: Ctx, req: RequestRecord, dept: Department, references: string[]): Promise<NewOutboxRow[]> {
  const source = await ticketSourceOf(db, req.id);
  const files = req.sourceMessageId ? (await attachmentsOf(db, req.sourceMessageId)).filter((a) => !a.dropped) : [];
  return routedTicketRows(
    ctx,
    req,
    dept,
    { authored: source.authored, receivedAt: source.receivedAt ?? req.createdAt, attachments: files, routings: source.routings },
    references,
  );
}

// Categories where "the same street" says nothing about being the same problem.
const NO_DUPLICATES = new Set(['info_request', 'other']);

export interface OpenDeps extends ActionDeps {
  classifier: Classifier;
  targets: ServiceTargets;
}

/** A decision that can change the category changes the service target too. */
export interface ReviewDeps extends ActionDeps {
  targets: ServiceTargets;
}

/**
 * Opens the request a new resident message asks for: classified, linked to an earlier open request at the
 * same place (a duplicate), held for staff review, or routed at once when the classifier is sure; its
 * confirmation (and ticket) queued in the same transaction. Nothing happens to a message already handled.
 */
export async function openFromMessage(deps: OpenDeps, inboundMessageId: number, decided?: DeskDecision): Promise<RequestRecord | null> {
  const { config, classifier } = deps;
  const id = inboundMessageId;
  const result = await withTransaction(deps.pool, async (tx): Promise<{ req: RequestRecord | null; mail: (QueuedMail | null)[] }> => {
    const msg = await lockInboundWithAttachments(tx, id);
    if (!msg) throw new PermanentError(`inbound message ${id} does not exist`, 'NO_SUCH_MESSAGE');
    if (msg.state !== 'parsed') return { req: null, mail: [] };
    // Classification is pure CPU well under a millisecond: holding the row lock through it is cheaper
    // than reading the message twice.
    const read = classifier.classify({ subject: msg.subject ?? '', text: msg.textBody ?? '' });
    // Only the HTTP door takes Open311 submissions, whose client-given facts win: other mail is spared the lookup.
    const classified: Classification = msg.source === 'http' ? await withSubmittedFacts(tx, id, read) : read;
    const c = decided ? decidedAtTheDesk(classified, decided) : classified;
    const opening = openingOf(msg);
    const reviewReasons = [...c.reviewReasons];
    if (opening.kind === 'unverified_reference') reviewReasons.push('unverified_reference');
    // No address we may write to (the From and Reply-To failed the address check at parse): staff see it, nobody is mailed.
    // A mailing's no-reply sender is not a resident who can be answered either: staff decide, and nothing is sent.
    // An agent logging a call or walk-in has decided already; a resident without an email is normal there.
    const residentEmail = msg.replyTo ?? msg.fromAddress;
    if (residentEmail === null && !decided) reviewReasons.push('no_valid_sender');
    const answerable = residentEmail !== null && !saysNoReplies(residentEmail);
    if (!answerable && residentEmail !== null) reviewReasons.push('no_reply_sender');
    // What the resident wrote (their name, their subject) is echoed only to an address that proved itself,
    // now or before; the Reply-To is not what the From's authentication covers.
    const residentVerified = residentEmail !== null
      && ((msg.senderVerified && residentEmail === msg.fromAddress) || (await addressProvedBefore(tx, residentEmail, id)));
    const needsReview = reviewReasons.length > 0;
    const place = c.street && !NO_DUPLICATES.has(c.category)
      ? { category: c.category, street: c.street, houseNumber: c.houseNumber, crossStreet: c.crossStreet }
      : null;
    const { trackingSequence, duplicate } = await prepareOpening(tx, place);
    // A danger is never folded into a calmer report of the same place: it must be seen and alerted on its own.
    const earlier = duplicate && urgencyRank(duplicate.urgency) >= urgencyRank(c.urgency) ? duplicate : null;
    const trackingNumber = formatTrackingNumber(config.trackingPrefix, trackingSequence);
    const firstStatus: Status = earlier ? 'duplicate' : needsReview ? 'needs_review' : 'received';
    // A sure classification is routed as the request opens: its history still reads received, then routed.
    const route = earlier || needsReview ? null : routeTo(deps, { status: firstStatus, trackingNumber, category: c.category }, 'system');
    const events: Omit<NewEvent, 'requestId'>[] = [
      {
        kind: 'classified',
        actor: `model:${c.modelVersion}`,
        details: { category: c.category, confidence: c.confidence, alternatives: c.alternatives, language: c.language, street: c.street, houseNumber: c.houseNumber, crossStreet: c.crossStreet, outsideTown: c.outsideTown, reviewReasons,
          urgency: c.urgency, hazard: c.hazard, urgencyRule: c.urgencyRule, urgencyEvidence: c.urgencyEvidence },
      },
      ...(decided ? [{ kind: 'reclassified' as const, actor: decided.actor, details: { confirmed: classified.category === c.category, from: { category: classified.category, street: classified.street, confidence: classified.confidence }, to: { category: c.category, street: c.street, houseNumber: c.houseNumber, crossStreet: c.crossStreet } } }] : []),
      { kind: 'status', fromStatus: null, toStatus: firstStatus, actor: 'system' },
    ];
    if (opening.kind === 'follow_up') events.push({ kind: 'linked_follow_up', actor: 'system', details: { previousRequestId: opening.previousRequestId } });
    if (earlier) events.push({ kind: 'linked_duplicate', actor: 'system', details: { duplicateOf: earlier.id, trackingNumber: earlier.trackingNumber } });
    if (route) events.push(route.event);
    const req = await openRequest(
      tx,
      {
        trackingNumber,
        sourceMessageId: id,
        status: route ? 'routed' : firstStatus,
        residentEmail,
        residentVerified,
        residentName: msg.fromName,
        subject: msg.subject,
        classification: { ...c, reviewReasons, needsReview },
        departmentCode: route?.dept.code ?? null,
        duplicateOf: earlier?.id ?? null,
        dueAt: deps.targets.dueAt(c.category, msg.receivedAt),
      },
      events,
    );
    // Another worker opened it first: this message's request exists, and its mail is queued already.
    if (!req) return { req: null, mail: [] };
    await setInboundOutcome(tx, id, { state: 'done', requestId: req.id });

    // A brand-new request's thread is known without asking: the resident's side is their message, the
    // department's side is empty.
    const residentSide = msg.messageId ? [msg.messageId] : [];
    const authored = msg.authoredText ?? msg.textBody ?? '';
    // A present danger: the resident's safety instructions first, then the on-call alert, then the
    // department's URGENT ticket, all ahead of other mail (a duplicate of a danger is alerted too).
    const alert = oncallAlertRow(deps, req, {
      inboundMessageId: id, authored, subject: msg.subject, receivedAt: msg.receivedAt, evidence: c.urgencyEvidence, rule: c.urgencyRule, raisedByReply: false,
    });
    if (earlier) return { req, mail: await queueMails(tx, [answerable ? duplicateNoticeRow(deps, req, earlier, residentSide) : null, alert]) };
    const rows: (NewOutboxRow | null)[] = [answerable ? confirmationRow(deps, req, residentSide) : null, alert];
    // A question waits for a person in the staff app's questions queue; no ticket is mailed.
    if (route && deps.routing.isQuestion(req.category)) await markAwaitingAnswer(tx, req.id);
    else if (route) {
      const source: TicketSource = { authored, receivedAt: msg.receivedAt, attachments: msg.attachments, routings: 1 };
      rows.push(...routedTicketRows(deps, req, route.dept, source, []));
    }
    return { req, mail: await queueMails(tx, rows) };
  });
  await dispatchMail(deps.enqueue, result.mail);
  return result.req;
}

/** What the agent who logged a call decided while the resident was on the line: it needs no review. */
export interface DeskDecision {
  category: Category;
  street: string | null;
  houseNumber: string | null;
  crossStreet: string | null;
  actor: string;
}

function decidedAtTheDesk(c: Classification, d: DeskDecision): Classification {
  const street = d.street ?? c.street;
  const located = street === c.street ? c : { ...c, street, houseNumber: d.houseNumber, crossStreet: d.crossStreet, outsideTown: null, lat: null, lon: null };
  return { ...located, houseNumber: d.houseNumber ?? located.houseNumber, crossStreet: d.crossStreet ?? located.crossStreet, category: d.category, needsReview: false, reviewReasons: [] };
}

export interface ReviewDecision {
  requestId: number;
  category: Category;
  street: string | null;
  houseNumber: string | null;
  crossStreet: string | null;
  lat?: number | null;
  lon?: number | null;
  actor: string;
}

/** Staff confirm or correct a classification: recorded, kept as training data, and routed. */
export async function confirmReview(deps: ReviewDeps, d: ReviewDecision): Promise<RequestRecord> {
  const mail = await withTransaction(deps.pool, async (tx) => {
    const req = await lockRequest(tx, d.requestId);
    if (req.status !== 'needs_review' && req.status !== 'received') {
      throw new PermanentError(`request ${req.trackingNumber} is ${req.status}, not waiting for review`, 'NOT_IN_REVIEW');
    }
    const changed = req.category !== d.category || req.street !== d.street || req.houseNumber !== d.houseNumber || req.crossStreet !== d.crossStreet;
    await updateClassification(tx, req.id, {
      category: d.category,
      street: d.street,
      houseNumber: d.houseNumber,
      crossStreet: d.crossStreet,
      lat: d.street === req.street ? (d.lat ?? req.lat) : (d.lat ?? null),
      lon: d.street === req.street ? (d.lon ?? req.lon) : (d.lon ?? null),
      dueAt: d.category === req.category ? req.dueAt : deps.targets.dueAt(d.category, req.createdAt),
    });
    await addEvent(tx, {
      requestId: req.id,
      kind: 'reclassified',
      actor: d.actor,
      details: {
        confirmed: !changed,
        from: { category: req.category, street: req.street, houseNumber: req.houseNumber, crossStreet: req.crossStreet, confidence: req.confidence },
        to: { category: d.category, street: d.street, houseNumber: d.houseNumber, crossStreet: d.crossStreet },
      },
    });
    // Confirmations teach too: they are the hard cases the model was unsure of.
    await recordTrainingExample(tx, { requestId: req.id, category: d.category, street: d.street, createdBy: d.actor });
    const updated = { ...req, category: d.category, street: d.street, houseNumber: d.houseNumber, crossStreet: d.crossStreet };
    return routeInTransaction(tx, deps, updated, d.actor, null);
  });
  await dispatchMail(deps.enqueue, mail);
  return (await getRequest(deps.pool, d.requestId)) as RequestRecord;
}

export interface StatusChange {
  requestId: number;
  to: Status;
  note: string | null;
  /** For Open311 (status_notes); optional, and never copied from the note to the resident. */
  publicNote?: string | null;
  actor: string;
  /** Set when the resident's message reopens the request: recorded as the reason, and sent on to the department. */
  reopenedBy?: ResidentMessage;
}

/** Moves a request to a new status inside a transaction; returns the mail it queued. */
export async function changeStatusInTransaction(
  db: Db,
  ctx: Ctx,
  req: RequestRecord,
  change: Omit<StatusChange, 'requestId'>,
): Promise<(QueuedMail | null)[]> {
  if (change.to === 'routed') return routeInTransaction(db, ctx, req, change.actor, change.note, change.reopenedBy, change.publicNote ?? null);
  const reason = change.reopenedBy ? { details: { reason: 'resident_reply', inboundMessageId: change.reopenedBy.inboundMessageId } } : {};
  const moved = await move(db, req, change.to, { actor: change.actor, note: change.note, publicNote: change.publicNote ?? null, ...reason });
  if (!NOTIFY_RESIDENT.includes(change.to)) return [];
  return [await queueMail(db, await statusMail(db, ctx, moved, { status: change.to, note: change.note, actor: change.actor }))];
}

export async function changeStatus(deps: ActionDeps, change: StatusChange): Promise<RequestRecord> {
  const mail = await withTransaction(deps.pool, async (tx) => {
    const req = await lockRequest(tx, change.requestId);
    return changeStatusInTransaction(tx, deps, req, change);
  });
  await dispatchMail(deps.enqueue, mail);
  return (await getRequest(deps.pool, change.requestId)) as RequestRecord;
}

/** Staff undo a duplicate link: the request goes back to review with its own tracking number. */
export async function unlinkDuplicate(deps: ActionDeps, input: { requestId: number; actor: string }): Promise<RequestRecord> {
  await withTransaction(deps.pool, async (tx) => {
    const req = await lockRequest(tx, input.requestId);
    if (req.duplicateOf === null) throw new PermanentError(`request ${req.trackingNumber} is not linked to another`, 'NOT_DUPLICATE');
    await addReviewReason(tx, req.id, 'unlinked_duplicate');
    await addEvent(tx, { requestId: req.id, kind: 'unlinked_duplicate', actor: input.actor, details: { was: req.duplicateOf } });
    await move(tx, req, 'needs_review', { actor: input.actor, note: 'duplicate link undone' });
  });
  return (await getRequest(deps.pool, input.requestId)) as RequestRecord;
}

export interface Reroute {
  requestId: number;
  category: Category;
  street: string | null;
  houseNumber: string | null;
  crossStreet: string | null;
  /** A department chosen by staff over the one the category routes to; null to follow the routing rules. */
  departmentCode: string | null;
  /** Why, for the department losing the ticket and the history; optional. */
  reason: string | null;
  actor: string;
}

export interface RerouteOutcome {
  request: RequestRecord;
  /** The department it left, when it moved from one to another. */
  from: Department | null;
  /** The department it is with now; null when it is not routed (still waiting for review, or finished). */
  to: Department | null;
}

const REROUTABLE: readonly Status[] = ['routed', 'in_progress'];

/**
 * Staff correct a request's category, location or department from its page. A request being worked
 * (routed, in progress) that changes department is re-routed: the new department gets its ticket, the
 * earlier one a short withdrawal in its own thread, and the request is routed again with its new department.
 * A request waiting for review is routed. Any other request only has its facts corrected.
 */
export async function reroute(deps: ReviewDeps, r: Reroute): Promise<RerouteOutcome> {
  const chosen = r.departmentCode ? deps.routing.departments.get(r.departmentCode) : undefined;
  if (r.departmentCode && !chosen) throw new PermanentError(`there is no department "${r.departmentCode}"`, 'NO_SUCH_DEPARTMENT');
  const result = await withTransaction(deps.pool, async (tx) => {
    const req = await lockRequest(tx, r.requestId);
    const target = chosen ?? deps.routing.departmentFor(r.category);
    const before = req.departmentCode ? (deps.routing.departments.get(req.departmentCode) ?? null) : null;
    const changed = req.category !== r.category || req.street !== r.street || req.houseNumber !== r.houseNumber || req.crossStreet !== r.crossStreet;
    if (changed) {
      await updateClassification(tx, req.id, {
        category: r.category,
        street: r.street,
        houseNumber: r.houseNumber,
        crossStreet: r.crossStreet,
        lat: r.street === req.street ? req.lat : null,
        lon: r.street === req.street ? req.lon : null,
        dueAt: r.category === req.category ? req.dueAt : deps.targets.dueAt(r.category, req.createdAt),
      });
      await addEvent(tx, {
        requestId: req.id,
        kind: 'reclassified',
        actor: r.actor,
        note: r.reason,
        details: {
          confirmed: false,
          from: { category: req.category, street: req.street, houseNumber: req.houseNumber, crossStreet: req.crossStreet, confidence: req.confidence },
          to: { category: r.category, street: r.street, houseNumber: r.houseNumber, crossStreet: r.crossStreet },
        },
      });
      if (req.category !== r.category) await recordTrainingExample(tx, { requestId: req.id, category: r.category, street: r.street, createdBy: r.actor });
    }
    const updated: RequestRecord = { ...req, category: r.category, street: r.street, houseNumber: r.houseNumber, crossStreet: r.crossStreet };
    if (req.status === 'needs_review' || req.status === 'received') {
      return { mail: await routeInTransaction(tx, deps, updated, r.actor, null, undefined, null, target), from: null, to: target };
    }
    if (!REROUTABLE.includes(req.status) || before?.code === target.code) {
      if (!changed) throw new PermanentError(`nothing to change: ${req.trackingNumber} is already ${before ? `with ${before.name}` : req.status} with these details`, 'NOTHING_CHANGED');
      return { mail: [], from: null, to: REROUTABLE.includes(req.status) ? before : null };
    }
    // The withdrawal threads under what the earlier department has; the new one starts its own thread.
    const earlierThread = await conversationMessageIds(tx, req.id, 'department');
    await addEvent(tx, { requestId: req.id, kind: 'rerouted', actor: r.actor, note: r.reason, details: { from: before?.code ?? null, to: target.code } });
    const moved: RequestRecord = { ...updated, departmentCode: target.code };
    if (req.status === 'in_progress') {
      await move(tx, moved, 'routed', { actor: r.actor, note: null, details: { department: target.code }, departmentCode: target.code });
    } else {
      await setDepartment(tx, req.id, target.code);
    }
    const routings = (await ticketSourceOf(tx, req.id)).routings;
    const rows: NewOutboxRow[] = await ticketRows(tx, deps, moved, target, []);
    if (before) rows.push(ticketWithdrawnRow(deps, moved, { from: before, to: target, routings, reason: r.reason }, earlierThread));
    return { mail: await queueMails(tx, rows), from: before, to: target };
  });
  await dispatchMail(deps.enqueue, result.mail);
  return { request: (await getRequest(deps.pool, r.requestId)) as RequestRecord, from: result.from, to: result.to };
}

/** An internal note on a request: for staff only, never mailed to the resident or a department. */
export async function addNote(deps: Pick<ActionDeps, 'pool'>, n: { requestId: number; text: string; actor: string }): Promise<void> {
  await withTransaction(deps.pool, async (tx) => {
    const req = await lockRequest(tx, n.requestId);
    await addEvent(tx, { requestId: req.id, kind: 'note', actor: n.actor, note: n.text });
  });
}

/** Gives a request to a staff member (or takes it back, with null); the history says who did it. */
export async function assign(
  deps: Pick<ActionDeps, 'pool'>,
  a: { requestId: number; assignee: { id: number; email: string } | null; actor: string },
): Promise<RequestRecord> {
  await withTransaction(deps.pool, async (tx) => {
    const req = await lockRequest(tx, a.requestId);
    if (req.assignedTo === (a.assignee?.id ?? null)) return;
    await setAssignee(tx, req.id, a.assignee?.id ?? null);
    await addEvent(tx, { requestId: req.id, kind: 'assigned', actor: a.actor, details: { assignee: a.assignee?.email ?? null } });
  });
  return (await getRequest(deps.pool, a.requestId)) as RequestRecord;
}

/**
 * A message asked for a status change it could not be trusted to make: it waits for staff in the review
 * queue instead (never a silent drop, never applied on a From alone).
 */
export async function proposeStatusInTransaction(
  db: Db,
  req: RequestRecord,
  p: { inboundMessageId: number; to: Status; note: string | null; claimedActor: string; reason: string },
): Promise<void> {
  await insertProposal(db, { requestId: req.id, inboundMessageId: p.inboundMessageId, toStatus: p.to, note: p.note, claimedActor: p.claimedActor, reason: p.reason });
  await addEvent(db, { requestId: req.id, kind: 'status_proposed', actor: p.claimedActor, toStatus: p.to, note: p.note, details: { reason: p.reason, inboundMessageId: p.inboundMessageId } });
}

/** Staff decide a proposed status change: accepted, it is made (and mailed) as if the sender had been trusted. */
export async function decideStatusProposal(deps: ActionDeps, input: { proposalId: number; accept: boolean; actor: string }): Promise<RequestRecord> {
  const { mail, requestId } = await withTransaction(deps.pool, async (tx) => {
    const p = await lockProposal(tx, input.proposalId);
    if (!p) throw new PermanentError(`status proposal ${input.proposalId} does not exist`, 'NO_SUCH_PROPOSAL');
    if (p.state !== 'pending') throw new PermanentError(`this status change was already ${p.state}`, 'PROPOSAL_DECIDED');
    const req = await lockRequest(tx, p.requestId);
    await decideProposal(tx, p.id, input.accept ? 'accepted' : 'rejected', input.actor);
    if (!input.accept) {
      await addEvent(tx, { requestId: req.id, kind: 'status_proposal_rejected', actor: input.actor, toStatus: p.toStatus, details: { proposalId: p.id, claimedActor: p.claimedActor } });
      return { mail: [], requestId: req.id };
    }
    // The claimed actor stays first, so the resident's email names the department as the note's author.
    const queued = await changeStatusInTransaction(tx, deps, req, { to: p.toStatus, note: p.note, actor: `${p.claimedActor} (confirmed by ${input.actor})` });
    return { mail: queued, requestId: req.id };
  });
  await dispatchMail(deps.enqueue, mail);
  return (await getRequest(deps.pool, requestId)) as RequestRecord;
}

export interface StaffReply {
  requestId: number;
  body: string;
  /** Close the request with this answer (the answer itself tells the resident; no separate status email). */
  close: boolean;
  actor: string;
  /** A random token (hex) of the form it was sent from: the same form sent twice sends one email. */
  formToken: string;
}

/** A staff member answers the resident in free text: mailed in the thread, recorded, out of the questions queue. */
export async function replyToResident(deps: ActionDeps, r: StaffReply): Promise<RequestRecord> {
  const mail = await withTransaction(deps.pool, async (tx) => {
    const req = await lockRequest(tx, r.requestId);
    if (!req.residentEmail) throw new PermanentError(`request ${req.trackingNumber} has no resident address to answer`, 'NO_RESIDENT_ADDRESS');
    if (r.close && req.status !== 'closed') checkMove(req, 'closed');
    const references = await conversationMessageIds(tx, req.id, 'resident');
    const queued = await queueMail(tx, staffReplyRow(deps, req, { replyId: `${req.id}-${r.formToken}`, body: r.body }, references), 'staff');
    // The same form sent again: its email is queued already, and so is everything else.
    if (!queued) return [];
    await addEvent(tx, { requestId: req.id, kind: 'staff_reply', actor: r.actor, note: r.body, details: { outboxId: queued.id } });
    await clearAwaitingAnswer(tx, req.id);
    if (r.close && req.status !== 'closed') await move(tx, req, 'closed', { actor: r.actor, note: 'answered by staff' });
    return [queued];
  });
  await dispatchMail(deps.enqueue, mail);
  return (await getRequest(deps.pool, r.requestId)) as RequestRecord;
}

/** A department's reply without a status line, passed on to the resident in their language, in their thread. */
export async function forwardDepartmentNote(db: Db, ctx: Ctx, req: RequestRecord, dept: Department, n: { inboundMessageId: number; note: string }): Promise<QueuedMail | null> {
  const references = req.residentEmail ? await conversationMessageIds(db, req.id, 'resident') : [];
  return queueMail(db, departmentNoteRow(ctx, req, dept, n, references));
}

/**
 * Staff decide on a department's reply without a status line: forward it to the resident (in their
 * language, introduced as the department's words) or set it aside as not for them.
 */
export async function decideDepartmentReplyAction(deps: ActionDeps, d: { inboundMessageId: number; forward: boolean; actor: string }): Promise<number> {
  const result = await withTransaction(deps.pool, async (tx) => {
    const pending = await lockPendingDepartmentReply(tx, d.inboundMessageId);
    if (!pending) throw new PermanentError('that department reply was already forwarded or set aside', 'ALREADY_DECIDED');
    const req = await lockRequest(tx, pending.requestId);
    const dept = req.departmentCode ? deps.routing.departments.get(req.departmentCode) : undefined;
    if (d.forward && (!dept || !req.residentEmail)) throw new PermanentError(`request ${req.trackingNumber} has no department or resident address to forward between`, 'CANNOT_FORWARD');
    const queued = d.forward && dept ? await forwardDepartmentNote(tx, deps, req, dept, { inboundMessageId: d.inboundMessageId, note: pending.text.trim() }) : null;
    await decideDepartmentReply(tx, d.inboundMessageId, { state: d.forward ? 'forwarded' : 'dismissed', outboxId: queued?.id ?? null, by: d.actor });
    await addEvent(tx, {
      requestId: req.id, kind: 'forwarded', actor: d.actor,
      note: d.forward ? 'department reply forwarded to the resident' : 'department reply not for the resident',
      details: { inboundMessageId: d.inboundMessageId, outboxId: queued?.id ?? null },
    });
    return { requestId: req.id, mail: [queued] };
  });
  await dispatchMail(deps.enqueue, result.mail);
  return result.requestId;
}

export interface DangerReport {
  inboundMessageId: number;
  /** What the sender wrote (quotes and signature removed). */
  authored: string;
  subject: string | null;
  receivedAt: Date;
  actor: string;
}

/**
 * A reply that describes a present danger raises its request ("now the wire is on fire"): flagged, the
 * resident told what to do, the on-call address alerted and the department (when it has the request)
 * sent an URGENT ticket quoting the reply. Only ever raises: lowering is a staff decision. Queues nothing
 * when the reply shows no danger beyond what the request already has.
 */
export async function raiseUrgencyInTransaction(db: Db, ctx: Ctx, requestId: number, report: DangerReport): Promise<(QueuedMail | null)[]> {
  const danger = assessUrgency(report.authored);
  if (danger.hazard === null) return [];
  const req = await lockRequest(db, requestId);
  if (!raisesUrgency(danger, req)) return [];
  await setUrgency(db, req.id, danger.urgency, danger.hazard);
  await addEvent(db, {
    requestId: req.id,
    kind: 'urgency_raised',
    actor: report.actor,
    details: { from: req.urgency, to: danger.urgency, hazard: danger.hazard, rule: danger.rule, evidence: danger.evidence, inboundMessageId: report.inboundMessageId },
  });
  const raised: RequestRecord = { ...req, urgency: danger.urgency, hazard: danger.hazard };
  const residentSide = raised.residentEmail ? await conversationMessageIds(db, req.id, 'resident') : [];
  const mail: (NewOutboxRow | null)[] = [
    safetyNoticeRow(ctx, raised, { inboundMessageId: report.inboundMessageId }, residentSide),
    oncallAlertRow(ctx, raised, { ...report, evidence: danger.evidence, rule: danger.rule, raisedByReply: true }),
  ];
  const dept = raised.departmentCode ? ctx.routing.departments.get(raised.departmentCode) : undefined;
  if (dept && (raised.status === 'routed' || raised.status === 'in_progress')) {
    const source: TicketSource = { authored: report.authored, receivedAt: report.receivedAt, attachments: [], routings: 0, raisedBy: report.inboundMessageId };
    mail.push(...routedTicketRows(ctx, raised, dept, source, await conversationMessageIds(db, req.id, 'department')));
  }
  return queueMails(db, mail);
}

/** Whether a reply's words show a danger beyond what its request already has. */
export function raisesUrgency(danger: ReturnType<typeof assessUrgency>, req: Pick<RequestRecord, 'urgency'>): boolean {
  return danger.hazard !== null && urgencyRank(danger.urgency) > urgencyRank(req.urgency);
}

/** Staff clear a false alarm: the request goes back to routine (its history keeps what was flagged, and by whom it was cleared). */
export async function clearDanger(deps: ActionDeps, input: { requestId: number; actor: string }): Promise<RequestRecord> {
  await withTransaction(deps.pool, async (tx) => {
    const req = await lockRequest(tx, input.requestId);
    if (req.urgency === 'routine') throw new PermanentError(`request ${req.trackingNumber} is not flagged as a danger`, 'NOT_FLAGGED');
    await clearUrgency(tx, req.id);
    await addEvent(tx, { requestId: req.id, kind: 'urgency_cleared', actor: input.actor, details: { was: req.urgency, hazard: req.hazard } });
  });
  return (await getRequest(deps.pool, input.requestId)) as RequestRecord;
}

export interface PublicComment extends SubmittedUpdate {
  apiKeyId: number;
  /** What the client said the status was, kept for staff; it changes nothing. */
  clientStatus: string | null;
}

/**
 * A public comment on a request, posted by an Open311 client's user (servicerequestupdates): kept in the
 * thread, published as an update, and sent on to the department. It never changes the status: a key
 * lets an app speak for its users, not act for the city. Returns the update id (the event's); throws
 * PermanentError NO_SUCH_REQUEST for an unknown tracking number.
 */
export async function addPublicComment(
  deps: ActionDeps,
  c: PublicComment,
): Promise<{ updateId: number; requestId: number }> {
  const raw = await updateToMessage(c, { to: deps.config.fromAddress });
  const done = await withTransaction(deps.pool, async (tx) => {
    const found = await getRequestByTrackingNumber(tx, c.trackingNumber);
    const req = found ? await getRequest(tx, found.id, { forUpdate: true }) : null;
    if (!req) throw new PermanentError(`service_request_id ${c.trackingNumber} was not found`, 'NO_SUCH_REQUEST');
    const stored = await storeRawMessage(tx, { raw, source: 'http', sourceRef: `open311-update:${randomBytes(12).toString('hex')}`, maxRawBytes: deps.config.maxRawBytes });
    const text = c.mediaUrl ? `${c.description}\n\nPhoto: ${c.mediaUrl}` : c.description;
    await saveParsed(tx, stored.id, {
      messageId: null, fromAddress: c.email?.toLowerCase() ?? null, fromName: c.name, replyTo: null, to: [deps.config.fromAddress],
      subject: `Update on ${req.trackingNumber}`, sentAt: new Date(), inReplyTo: null, references: [], text, html: null, authoredText: text,
      headers: { 'x-cityline-channel': 'open311' }, notes: [],
    });
    await setInboundOutcome(tx, stored.id, { state: 'done', kind: 'open311_update', requestId: req.id });
    await addThreadMessage(tx, { requestId: req.id, direction: 'in', author: 'other', inboundMessageId: stored.id });
    const updateId = await addEvent(tx, {
      requestId: req.id,
      kind: 'public_comment',
      actor: `open311:${c.apiKeyName}`,
      publicNote: c.description,
      details: { api_key_id: c.apiKeyId, status: req.status, media_url: c.mediaUrl, client_status: c.clientStatus, inbound_message_id: stored.id },
    });
    await touchRequest(tx, req.id);
    // Before routing there is no department to tell: staff see the comment in the thread when they review.
    const dept = req.departmentCode ? deps.routing.departments.get(req.departmentCode) : undefined;
    const mail = dept
      ? await queueMail(tx, publicUpdateRow(deps, req, dept, { eventId: updateId, client: c.apiKeyName, author: c.name, text: c.description, mediaUrl: c.mediaUrl }, await conversationMessageIds(tx, req.id, 'department')))
      : null;
    return { updateId, requestId: req.id, mail };
  });
  await dispatchMail(deps.enqueue, [done.mail]);
  return { updateId: done.updateId, requestId: done.requestId };
}
