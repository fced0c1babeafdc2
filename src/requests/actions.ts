// What can happen to a request, each in one transaction with the mail it causes (transactional outbox).
// Used by the pipeline stages, the staff app and `cityline status`.
import type pg from 'pg';
import type { Category } from '../classify/types.ts';
import type { Config } from '../config/index.ts';
import { withTransaction, type Db } from '../db/pool.ts';
import { PermanentError } from '../errors.ts';
import type { Enqueue } from '../jobs/queues.ts';
import { composeRoutedTickets, composeStatusUpdate } from '../notify/compose.ts';
import { insertOutboxRows, PRIORITY, type NewOutboxRow, type OutboxKind } from '../notify/outbox.ts';
import type { Routing } from '../routing/rules.ts';
import { canMove, NOTIFY_RESIDENT, type Status } from './status.ts';
import { decideProposal, insertProposal, lockProposal } from './proposals.ts';
import { addEvent, addThreadMessages, getRequest, setStatus, updateClassification, type RequestRecord } from './store.ts';
import { recordTrainingExample } from './training-examples.ts';

export interface ActionDeps {
  pool: pg.Pool;
  config: Config;
  routing: Routing;
  enqueue: Enqueue;
}

export interface QueuedMail {
  id: number;
  kind: OutboxKind;
}

/** Queues an email in the current transaction and adds it to the request's thread. */
export async function queueMail(db: Db, row: NewOutboxRow | null): Promise<QueuedMail | null> {
  return (await queueMails(db, [row]))[0] ?? null;
}

/** Queues emails in the current transaction, in order, and adds them to their requests' threads: two statements for any number. */
export async function queueMails(db: Db, rows: (NewOutboxRow | null)[]): Promise<(QueuedMail | null)[]> {
  const wanted = rows.filter((r): r is NewOutboxRow => r !== null);
  const ids = await insertOutboxRows(db, wanted);
  const queued = new Map<NewOutboxRow, QueuedMail>();
  wanted.forEach((row, i) => {
    const id = ids[i];
    if (id !== null && id !== undefined) queued.set(row, { id, kind: row.kind });
  });
  await addThreadMessages(
    db,
    wanted.flatMap((row) => {
      const id = queued.get(row)?.id;
      return row.requestId !== null && id !== undefined ? [{ requestId: row.requestId, direction: 'out' as const, author: 'system' as const, outboxId: id }] : [];
    }),
  );
  return rows.map((row) => (row ? (queued.get(row) ?? null) : null));
}

/** After the transaction commits: hand the queued mail to the notify stage (the sweeper covers a crash here). */
export async function dispatchMail(enqueue: Enqueue, mail: (QueuedMail | null)[]): Promise<void> {
  for (const m of mail) {
    if (m) await enqueue('notify', { outboxId: m.id }, { priority: PRIORITY[m.kind] });
  }
}

async function lockRequest(db: Db, requestId: number): Promise<RequestRecord> {
  const req = await getRequest(db, requestId, { forUpdate: true });
  if (!req) throw new PermanentError(`request ${requestId} does not exist`, 'NO_SUCH_REQUEST');
  return req;
}

/**
 * Routes a request to its category's department: status routed, the department's ticket queued, and
 * (unless it was routed straight from classification, where the confirmation already says so) the resident told.
 */
export async function routeInTransaction(
  db: Db,
  ctx: { config: Config; routing: Routing },
  req: RequestRecord,
  actor: string,
  opts: { notifyResident: boolean },
): Promise<(QueuedMail | null)[]> {
  const dept = ctx.routing.departmentFor(req.category);
  if (req.status !== 'routed') {
    await setStatus(db, req.id, 'routed', { departmentCode: dept.code });
    await addEvent(db, { requestId: req.id, kind: 'status', fromStatus: req.status, toStatus: 'routed', actor, details: { department: dept.code } });
  }
  const routed = { ...req, status: 'routed' as const, departmentCode: dept.code };
  const mail: (NewOutboxRow | null)[] = await composeRoutedTickets(ctx, db, routed, dept);
  if (opts.notifyResident) {
    mail.push(await composeStatusUpdate(ctx, db, routed, { status: 'routed', note: null, actor }));
  }
  return queueMails(db, mail);
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
export async function confirmReview(deps: ActionDeps, d: ReviewDecision): Promise<RequestRecord> {
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
    return routeInTransaction(tx, deps, updated, d.actor, { notifyResident: true });
  });
  await dispatchMail(deps.enqueue, mail);
  return (await getRequest(deps.pool, d.requestId)) as RequestRecord;
}

export interface StatusChange {
  requestId: number;
  to: Status;
  note: string | null;
  actor: string;
}

/** Moves a request to a new status inside a transaction; returns the mail it queued. */
export async function changeStatusInTransaction(
  db: Db,
  ctx: { config: Config; routing: Routing },
  req: RequestRecord,
  change: Omit<StatusChange, 'requestId'>,
): Promise<(QueuedMail | null)[]> {
  if (req.status === change.to) {
    throw new PermanentError(`request ${req.trackingNumber} is already ${change.to}`, 'SAME_STATUS');
  }
  if (!canMove(req.status, change.to)) {
    throw new PermanentError(`request ${req.trackingNumber} cannot move from ${req.status} to ${change.to}`, 'BAD_TRANSITION');
  }
  if (change.to === 'routed') return routeInTransaction(db, ctx, req, change.actor, { notifyResident: true });
  await setStatus(db, req.id, change.to, change.to === 'duplicate' ? {} : { duplicateOf: null });
  await addEvent(db, { requestId: req.id, kind: 'status', fromStatus: req.status, toStatus: change.to, actor: change.actor, note: change.note });
  if (!NOTIFY_RESIDENT.includes(change.to)) return [];
  return [await queueMail(db, await composeStatusUpdate(ctx, db, { ...req, status: change.to }, { status: change.to, note: change.note, actor: change.actor }))];
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
    await setStatus(tx, req.id, 'needs_review', { duplicateOf: null });
    await tx.query(`UPDATE requests SET review_reasons = array_append(array_remove(review_reasons, 'unlinked_duplicate'), 'unlinked_duplicate') WHERE id = $1`, [req.id]);
    await addEvent(tx, { requestId: req.id, kind: 'unlinked_duplicate', actor: input.actor, details: { was: req.duplicateOf } });
    await addEvent(tx, { requestId: req.id, kind: 'status', fromStatus: req.status, toStatus: 'needs_review', actor: input.actor, note: 'duplicate link undone' });
  });
  return (await getRequest(deps.pool, input.requestId)) as RequestRecord;
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
