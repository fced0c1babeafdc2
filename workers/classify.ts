// Stage 2: a new resident message -> category and place -> a request with a tracking number, its
// confirmation queued, and (when the classifier is sure) its department's ticket queued, in one transaction.
import type { Classification } from '../src/classify/types.ts';
import { withTransaction } from '../src/db/pool.ts';
import { PermanentError } from '../src/errors.ts';
import { getInbound, setInboundOutcome } from '../src/intake/store.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { composeConfirmation, composeDuplicateNotice } from '../src/notify/compose.ts';
import type { ClassifyDeps } from '../src/pipeline/deps.ts';
import { dispatchMail, queueMail, routeInTransaction, type QueuedMail } from '../src/requests/actions.ts';
import { addEvent, addThreadMessage, findOpenDuplicate, insertRequest, nextTrackingSequence } from '../src/requests/store.ts';
import { formatTrackingNumber } from '../src/requests/tracking-number.ts';

// Categories where "the same street" says nothing about being the same problem.
const NO_DUPLICATES = new Set(['info_request', 'other']);

export async function handle(payload: Payloads['classify'], deps: ClassifyDeps): Promise<void> {
  const { pool, config, classifier } = deps;
  const id = payload.inboundMessageId;
  const mail = await withTransaction(pool, async (tx): Promise<(QueuedMail | null)[]> => {
    const msg = await getInbound(tx, id, { forUpdate: true });
    if (!msg) throw new PermanentError(`inbound message ${id} does not exist`, 'NO_SUCH_MESSAGE');
    if (msg.state !== 'parsed') return [];
    // Classification is pure CPU well under a millisecond: holding the row lock through it is cheaper
    // than reading the message twice.
    const c: Classification = classifier.classify({ subject: msg.subject ?? '', text: msg.textBody ?? '' });
    const reviewReasons = [...c.reviewReasons];
    if (msg.kind === 'unverified_reference') reviewReasons.push('unverified_reference');
    const needsReview = reviewReasons.length > 0;
    const earlier = c.street && !NO_DUPLICATES.has(c.category)
      ? await findOpenDuplicate(tx, { category: c.category, street: c.street, houseNumber: c.houseNumber, crossStreet: c.crossStreet })
      : null;
    const trackingNumber = formatTrackingNumber(config.trackingPrefix, await nextTrackingSequence(tx));
    const req = await insertRequest(tx, {
      trackingNumber,
      sourceMessageId: id,
      status: earlier ? 'duplicate' : needsReview ? 'needs_review' : 'received',
      residentEmail: msg.replyTo ?? msg.fromAddress,
      residentName: msg.fromName,
      subject: msg.subject,
      classification: { ...c, reviewReasons, needsReview },
      departmentCode: null,
      duplicateOf: earlier?.id ?? null,
    });
    // Another worker opened it first: this message's request exists, and its mail is queued already.
    if (!req) return [];
    await addEvent(tx, {
      requestId: req.id,
      kind: 'classified',
      actor: `model:${c.modelVersion}`,
      details: { category: c.category, confidence: c.confidence, alternatives: c.alternatives, language: c.language, street: c.street, houseNumber: c.houseNumber, crossStreet: c.crossStreet, outsideTown: c.outsideTown, reviewReasons },
    });
    await addEvent(tx, { requestId: req.id, kind: 'status', fromStatus: null, toStatus: req.status, actor: 'system' });
    await addThreadMessage(tx, { requestId: req.id, direction: 'in', author: 'resident', inboundMessageId: id });
    if (msg.kind === 'follow_up' && msg.requestId !== null) {
      await addEvent(tx, { requestId: req.id, kind: 'linked_follow_up', actor: 'system', details: { previousRequestId: msg.requestId } });
    }
    await setInboundOutcome(tx, id, { state: 'done', requestId: req.id });

    if (earlier) {
      await addEvent(tx, { requestId: req.id, kind: 'linked_duplicate', actor: 'system', details: { duplicateOf: earlier.id, trackingNumber: earlier.trackingNumber } });
      return [await queueMail(tx, await composeDuplicateNotice(deps, tx, req, earlier))];
    }
    const queued = [await queueMail(tx, await composeConfirmation(deps, tx, req))];
    if (!needsReview) queued.push(...(await routeInTransaction(tx, deps, req, 'system', { notifyResident: false })));
    return queued;
  });
  await dispatchMail(deps.enqueue, mail);
}
