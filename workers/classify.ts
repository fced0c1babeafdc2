// Stage 2: a new resident message -> category and place -> a request with a tracking number, its
// confirmation queued, and (when the classifier is sure) its department's ticket queued, in one transaction.
import type { Classification } from '../src/classify/types.ts';
import { withTransaction } from '../src/db/pool.ts';
import { PermanentError } from '../src/errors.ts';
import { addressProvedBefore, lockInboundWithAttachments, setInboundOutcome } from '../src/intake/store.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { confirmationRow, duplicateNoticeRow, routedTicketRows } from '../src/notify/compose.ts';
import type { NewOutboxRow } from '../src/notify/outbox.ts';
import type { ClassifyDeps } from '../src/pipeline/deps.ts';
import { dispatchMail, queueMails, type QueuedMail } from '../src/requests/actions.ts';
import type { Status } from '../src/requests/status.ts';
import { openRequest, prepareOpening, type NewEvent } from '../src/requests/store.ts';
import { formatTrackingNumber } from '../src/requests/tracking-number.ts';

// Categories where "the same street" says nothing about being the same problem.
const NO_DUPLICATES = new Set(['info_request', 'other']);

export async function handle(payload: Payloads['classify'], deps: ClassifyDeps): Promise<void> {
  const { pool, config, classifier, routing } = deps;
  const id = payload.inboundMessageId;
  const mail = await withTransaction(pool, async (tx): Promise<(QueuedMail | null)[]> => {
    const msg = await lockInboundWithAttachments(tx, id);
    if (!msg) throw new PermanentError(`inbound message ${id} does not exist`, 'NO_SUCH_MESSAGE');
    if (msg.state !== 'parsed') return [];
    // Classification is pure CPU well under a millisecond: holding the row lock through it is cheaper
    // than reading the message twice.
    const c: Classification = classifier.classify({ subject: msg.subject ?? '', text: msg.textBody ?? '' });
    const reviewReasons = [...c.reviewReasons];
    if (msg.kind === 'unverified_reference') reviewReasons.push('unverified_reference');
    // No address we may write to (the From and Reply-To failed the address check at parse): staff see it, nobody is mailed.
    const residentEmail = msg.replyTo ?? msg.fromAddress;
    if (residentEmail === null) reviewReasons.push('no_valid_sender');
    // What the resident wrote (their name, their subject) is echoed only to an address that proved itself,
    // now or before; the Reply-To is not what the From's authentication covers.
    const residentVerified = residentEmail !== null
      && ((msg.senderVerified && residentEmail === msg.fromAddress) || (await addressProvedBefore(tx, residentEmail, id)));
    const needsReview = reviewReasons.length > 0;
    const place = c.street && !NO_DUPLICATES.has(c.category)
      ? { category: c.category, street: c.street, houseNumber: c.houseNumber, crossStreet: c.crossStreet }
      : null;
    const { trackingSequence, duplicate: earlier } = await prepareOpening(tx, place);
    // A sure classification is routed as the request opens: its history still reads received, then routed.
    const dept = earlier || needsReview ? null : routing.departmentFor(c.category);
    const firstStatus: Status = earlier ? 'duplicate' : needsReview ? 'needs_review' : 'received';
    const events: Omit<NewEvent, 'requestId'>[] = [
      {
        kind: 'classified',
        actor: `model:${c.modelVersion}`,
        details: { category: c.category, confidence: c.confidence, alternatives: c.alternatives, language: c.language, street: c.street, houseNumber: c.houseNumber, crossStreet: c.crossStreet, outsideTown: c.outsideTown, reviewReasons },
      },
      { kind: 'status', fromStatus: null, toStatus: firstStatus, actor: 'system' },
    ];
    if (msg.kind === 'follow_up' && msg.requestId !== null) {
      events.push({ kind: 'linked_follow_up', actor: 'system', details: { previousRequestId: msg.requestId } });
    }
    if (earlier) events.push({ kind: 'linked_duplicate', actor: 'system', details: { duplicateOf: earlier.id, trackingNumber: earlier.trackingNumber } });
    if (dept) events.push({ kind: 'status', fromStatus: 'received', toStatus: 'routed', actor: 'system', details: { department: dept.code } });
    const req = await openRequest(
      tx,
      {
        trackingNumber: formatTrackingNumber(config.trackingPrefix, trackingSequence),
        sourceMessageId: id,
        status: dept ? 'routed' : firstStatus,
        residentEmail,
        residentVerified,
        residentName: msg.fromName,
        subject: msg.subject,
        classification: { ...c, reviewReasons, needsReview },
        departmentCode: dept?.code ?? null,
        duplicateOf: earlier?.id ?? null,
      },
      events,
    );
    // Another worker opened it first: this message's request exists, and its mail is queued already.
    if (!req) return [];
    await setInboundOutcome(tx, id, { state: 'done', requestId: req.id });

    // A brand-new request's thread is known without asking: the resident's side is their message, the
    // department's side is empty.
    const residentSide = msg.messageId ? [msg.messageId] : [];
    if (earlier) return queueMails(tx, [duplicateNoticeRow(deps, req, earlier, residentSide)]);
    const rows: (NewOutboxRow | null)[] = [confirmationRow(deps, req, residentSide)];
    if (dept) {
      const source = { authored: msg.authoredText ?? msg.textBody ?? '', receivedAt: msg.receivedAt, attachments: msg.attachments, routings: 1 };
      rows.push(...routedTicketRows(deps, req, dept, source, []));
    }
    return queueMails(tx, rows);
  });
  await dispatchMail(deps.enqueue, mail);
}
