// Mail that answers a request we already have: residents adding to it or asking about it, departments
// updating it, and bounces of what we sent.
import type { Config } from '../config/index.ts';
import type { Db } from '../db/pool.ts';
import { describeError, PermanentError } from '../errors.ts';
import type { AutomatedVerdict } from '../mail/automated.ts';
import type { ParsedMessage } from '../mail/types.ts';
import { commandErrorRow, statusAnswerRow } from '../notify/compose.ts';
import { findOutboxByMessageId } from '../notify/outbox.ts';
import { suppressAddress } from '../notify/suppressions.ts';
import type { Routing } from '../routing/rules.ts';
import { getInbound } from '../intake/store.ts';
import { assessUrgency } from '../classify/urgency.ts';
import { parseDepartmentCommand } from './department-command.ts';
import { isStatusQuestion } from './status-question.ts';
import { awaitAnswer, changeStatusInTransaction, forwardDepartmentNote, forwardToDepartment, proposeStatusInTransaction, queueMail, raiseUrgencyInTransaction, raisesUrgency, type QueuedMail, type ResidentMessage } from './actions.ts';
import { recordDepartmentReply } from './department-replies.ts';
import { FINISHED, type Status } from './status.ts';
import { addEvent, addThreadMessage, conversationMessageIds, markResidentVerified, statusHistory, type RequestRecord } from './store.ts';
import type { SenderRole, ThreadMatch } from './threading.ts';

type Ctx = { config: Config; routing: Routing };

/**
 * What a reply turned out to be. The parse stage records it on the message: this module decides, and
 * writes only the request's side (thread, events, status, mail).
 */
export type ReplyOutcome =
  | { next: 'none'; kind: 'reply' | 'department_reply'; requestId: number; queued: (QueuedMail | null)[] }
  /** The reply starts a new request linked to this finished one: the classify stage opens it. */
  | { next: 'classify'; followUpOf: number };

// A short thank-you after a request is resolved ("Great, thanks!", "ok gracias") is not a sign that the
// problem is back; anything longer, or without thanks in it, reopens.
const THANKS = /\b(thanks?|thank\s+you|thx|ty|gracias|obrigad[oa]|valeu)\b/i;

export function isThanksOnly(authored: string): boolean {
  const text = authored.trim();
  return text.length <= 80 && THANKS.test(text) && !/\b(but|still|again|not|no|back|todav[ií]a|otra vez|ainda|de novo|n[aã]o)\b/i.test(text);
}

function withinReopenWindow(req: RequestRecord, config: Config): boolean {
  if (!req.closedAt) return true;
  return Date.now() - req.closedAt.getTime() <= config.reopenWindowDays * 86_400_000;
}

function trustedSenders(config: Config): string {
  return config.trustedAuthservIds.length > 0 ? config.trustedAuthservIds.join(' or ') : 'a trusted server (CITYLINE_TRUSTED_AUTHSERV_ID is not set)';
}

/** Why a message from this role may not act on its own, for the staff who confirm it instead. */
function unprovenReason(role: SenderRole, config: Config): string {
  if (role === 'department') {
    return `sent from a department address, but not to the ticket's reply address and without a DMARC or aligned DKIM pass from ${trustedSenders(config)}`;
  }
  if (role === 'resident') {
    return `sent from the resident's address, but not through our reply address or Message-ID and without a DMARC or aligned DKIM pass from ${trustedSenders(config)}`;
  }
  return 'sent by someone who is neither the resident nor the request\'s department';
}

async function commandError(tx: Db, ctx: Ctx, req: RequestRecord, e: { inboundMessageId: number; line: string; reason: string | null }): Promise<QueuedMail | null> {
  const to = (await getInbound(tx, e.inboundMessageId))?.fromAddress ?? null;
  return queueMail(tx, commandErrorRow(ctx, req, { ...e, to }, await conversationMessageIds(tx, req.id, 'department')));
}

async function statusAnswer(tx: Db, ctx: Ctx, req: RequestRecord, inboundMessageId: number): Promise<QueuedMail | null> {
  const history = (await statusHistory(tx, req.id)).map((h) => ({ at: h.at, status: h.toStatus, note: h.note }));
  const references = req.residentEmail ? await conversationMessageIds(tx, req.id, 'resident') : [];
  return queueMail(tx, statusAnswerRow(ctx, req, { inboundMessageId, history }, references));
}

export async function handleReply(
  tx: Db,
  ctx: Ctx,
  input: { inboundMessageId: number; parsed: ParsedMessage; authored: string; thread: Extract<ThreadMatch, { kind: 'thread' }> },
): Promise<ReplyOutcome> {
  const { config } = ctx;
  const { inboundMessageId: id, authored, thread } = input;
  const req = thread.request;
  const actor = `${thread.role}:${input.parsed.from?.address ?? 'unknown'}`;
  // A From alone is a claim anyone can make: it may add to the thread, but acting in a role (changing a
  // status, reopening, being answered, being passed on) needs proof (see Proof in threading.ts).
  const proven = thread.proof !== null;
  // A reply with nothing typed (the quote sent back, a photo on its own) asks for nothing and reopens nothing.
  const saysSomething = authored.trim() !== '';
  const resident: ResidentMessage = { inboundMessageId: id, authored: authored.trim(), receivedAt: new Date() };

  if (thread.role === 'resident' && proven && saysSomething && FINISHED.includes(req.status) && !isStatusQuestion(authored, input.parsed.subject) && !isThanksOnly(authored)) {
    if (config.reopenMode === 'new' || !withinReopenWindow(req, config)) {
      return { next: 'classify', followUpOf: req.id };
    }
  }

  // Someone who only claims the resident's From may add to the thread, but not raise the request or page
  // on-call in its name. A danger is never dropped for that: it opens a report of its own, classified and
  // alerted on as any new mail is, and linked to this request for staff.
  if (thread.role === 'resident' && !proven && saysSomething && raisesUrgency(assessUrgency(authored), req)) {
    return { next: 'classify', followUpOf: req.id };
  }

  await addThreadMessage(tx, { requestId: req.id, direction: 'in', author: thread.role, inboundMessageId: id });
  await addEvent(tx, { requestId: req.id, kind: 'reply', actor, details: { via: thread.via, proof: thread.proof, inboundMessageId: id } });
  if (thread.role === 'resident' && proven) await markResidentVerified(tx, req.id);
  // After whatever the reply asked for (a reopen routes first): a proven resident's reply can show a danger
  // the request did not have ("now the wire is on fire"), which raises it.
  const done = async (queued: (QueuedMail | null)[]): Promise<ReplyOutcome> => ({
    next: 'none', kind: thread.role === 'department' ? 'department_reply' : 'reply', requestId: req.id,
    queued: thread.role !== 'resident' || !proven ? queued : [...queued, ...await raiseUrgencyInTransaction(tx, ctx, req.id, {
      inboundMessageId: id, authored, subject: input.parsed.subject, receivedAt: new Date(), actor,
    })],
  });
  const propose = async (to: Status, note: string | null): Promise<ReplyOutcome> => {
    await proposeStatusInTransaction(tx, req, { inboundMessageId: id, to, note, claimedActor: actor, reason: unprovenReason(thread.role, config) });
    return done([]);
  };

  const command = thread.role === 'resident' ? ({ kind: 'none' } as const) : parseDepartmentCommand(authored);
  if (command.kind === 'status' && !(thread.role === 'department' && proven)) return propose(command.status, command.note);

  if (thread.role === 'department') {
    if (command.kind === 'none') {
      if (!saysSomething) return done([]);
      // Words for the resident, or not: staff decide, unless this department's replies always go on (and
      // this one proved it came from the department: an unproven one must not reach the resident).
      const dept = req.departmentCode ? ctx.routing.departments.get(req.departmentCode) : undefined;
      if (dept?.forwardReplies && proven) {
        const queued = await forwardDepartmentNote(tx, ctx, req, dept, { inboundMessageId: id, note: authored.trim() });
        await recordDepartmentReply(tx, { inboundMessageId: id, requestId: req.id, state: 'forwarded', outboxId: queued?.id ?? null, by: 'routing' });
        return done([queued]);
      }
      await recordDepartmentReply(tx, { inboundMessageId: id, requestId: req.id, state: 'needs_attention' });
      return done([]);
    }
    if (command.kind === 'invalid') {
      return done([await commandError(tx, ctx, req, { inboundMessageId: id, line: command.line, reason: command.reason })]);
    }
    try {
      return done(await changeStatusInTransaction(tx, ctx, req, { to: command.status, note: command.note, actor }));
    } catch (err) {
      if (!(err instanceof PermanentError)) throw err;
      await addEvent(tx, { requestId: req.id, kind: 'command_rejected', actor, note: command.line, details: { reason: describeError(err) } });
      return done([await commandError(tx, ctx, req, { inboundMessageId: id, line: command.line, reason: describeError(err) })]);
    }
  }

  if (thread.role === 'resident') {
    const reopens = saysSomething && FINISHED.includes(req.status) && !isThanksOnly(authored) && !isStatusQuestion(authored, input.parsed.subject);
    const reopenTo: Status = req.departmentCode ? 'routed' : 'needs_review';
    if (!proven) {
      // Answering would tell whoever forged the From nothing (the answer goes to the resident), but it
      // would let anyone make us mail the resident (or the department) at will; a reopening waits for staff.
      return reopens ? propose(reopenTo, 'the resident\'s reply says the problem is back') : done([]);
    }
    if (saysSomething && isStatusQuestion(authored, input.parsed.subject)) {
      return done([await statusAnswer(tx, ctx, req, id)]);
    }
    if (reopens) {
      return done(await changeStatusInTransaction(tx, ctx, req, { to: reopenTo, note: 'reopened by the resident\'s reply', actor, reopenedBy: resident }));
    }
    if (ctx.routing.isQuestion(req.category)) {
      // Their answer to our answer, or more to their question: back in the questions queue for a person.
      if (saysSomething && !isThanksOnly(authored)) await awaitAnswer(tx, req.id);
      return done([]);
    }
    // While the department works on it, what the resident adds (a correction, a photo) is theirs to see.
    const dept = req.departmentCode ? ctx.routing.departments.get(req.departmentCode) : undefined;
    const hasFiles = input.parsed.attachments.length > 0;
    if (dept && WITH_DEPARTMENT.includes(req.status) && (hasFiles || (saysSomething && !isThanksOnly(authored)))) {
      return done(await forwardToDepartment(tx, ctx, req, dept, resident, false));
    }
  }
  return done([]);
}

const WITH_DEPARTMENT: readonly Status[] = ['routed', 'in_progress'];

/** Ties a bounce to the mail and request it failed for; a permanent failure stops mail to that address. */
export async function recordBounce(tx: Db, input: { inboundMessageId: number; verdict: AutomatedVerdict; requestId: number | null }): Promise<void> {
  const b = input.verdict.bounce;
  const original = b?.originalMessageId ? await findOutboxByMessageId(tx, b.originalMessageId) : null;
  const requestId = original?.requestId ?? input.requestId;
  const recipient = b?.recipient ?? original?.toAddress ?? null;
  if (b?.permanent && recipient) {
    await suppressAddress(tx, recipient, `hard bounce: ${b.status ?? ''} ${b.diagnostic ?? ''}`.trim(), original?.id ?? null);
  }
  if (requestId !== null) {
    await addThreadMessage(tx, { requestId, direction: 'in', author: 'other', inboundMessageId: input.inboundMessageId });
    await addEvent(tx, {
      requestId,
      kind: 'bounce',
      actor: 'system',
      note: `mail to ${recipient ?? 'unknown recipient'} bounced${b?.permanent ? ' permanently' : ''}`,
      details: { outboxId: original?.id ?? null, status: b?.status ?? null, diagnostic: b?.diagnostic ?? null },
    });
  }
}
