// A public comment on a request, posted by an Open311 client's user (servicerequestupdates): kept in the
// thread, published as an update, and sent on to the department. It never changes the status: a key
// lets an app speak for its users, not act for the city.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';
import { PermanentError } from '../errors.ts';
import { updateToMessage, type SubmittedUpdate } from '../intake/open311-submission.ts';
import { saveParsed, setInboundOutcome, storeRawMessage } from '../intake/store.ts';
import type { Config } from '../config/index.ts';
import type { Enqueue } from '../jobs/queues.ts';
import { publicUpdateRow } from '../notify/compose.ts';
import type { Routing } from '../routing/rules.ts';
import { dispatchMail, queueMail } from './actions.ts';
import { addEvent, addThreadMessage, conversationMessageIds, getRequest, getRequestByTrackingNumber, touchRequest } from './store.ts';

export interface PublicComment extends SubmittedUpdate {
  apiKeyId: number;
  /** What the client said the status was, kept for staff; it changes nothing. */
  clientStatus: string | null;
}

/** Adds the comment; returns its update id (the event's), or throws PermanentError NO_SUCH_REQUEST. */
export async function addPublicComment(
  deps: { pool: pg.Pool; config: Config; routing: Routing; enqueue: Enqueue },
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
