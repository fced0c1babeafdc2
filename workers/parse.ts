// Stage 1: raw MIME -> parsed message -> what it is (new request, a reply in a thread, robot mail) -> next step.
import { withTransaction } from '../src/db/pool.ts';
import { describeError, PermanentError } from '../src/errors.ts';
import { isSubmission } from '../src/intake/open311-submission.ts';
import { awaitOpening, getRaw, insertAttachments, markSenderVerified, saveParsed, setInboundOutcome, type Opening } from '../src/intake/store.ts';
import { extractAuthoredText } from '../src/mail/authored-text.ts';
import { detectAutomated } from '../src/mail/automated.ts';
import { parseMessage } from '../src/mail/parse.ts';
import { requestIdFromMessageId } from '../src/mail/reply-token.ts';
import type { ParsedMessage } from '../src/mail/types.ts';
import type { PipelineDeps } from '../src/pipeline/deps.ts';
import { dispatchMail } from '../src/requests/actions.ts';
import { handleReply, recordBounce } from '../src/requests/replies.ts';
import { findThread, fromAuthenticated } from '../src/requests/threading.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { defineStage } from '../src/jobs/define-stage.ts';

export async function handle(payload: Payloads['parse'], deps: PipelineDeps): Promise<void> {
  const { pool, config, enqueue } = deps;
  const id = payload.inboundMessageId;
  const row = await getRaw(pool, id);
  if (!row) throw new PermanentError(`inbound message ${id} does not exist`, 'NO_SUCH_MESSAGE');
  if (row.state === 'parsed') {
    // Parsed before a crash, but the classify job may never have been queued.
    await enqueue('classify', { inboundMessageId: id });
    return;
  }
  if (row.state !== 'stored') return;

  let parsed: ParsedMessage;
  try {
    parsed = await parseMessage(row.raw, { maxAttachmentBytes: config.maxAttachmentBytes });
  } catch (err) {
    if (!(err instanceof PermanentError)) throw err;
    await setInboundOutcome(pool, id, { state: 'failed', kind: 'unreadable', error: describeError(err) });
    deps.log.warn({ inboundMessageId: id, err: describeError(err) }, 'message cannot be read; kept with its error for staff');
    return;
  }
  const authored = extractAuthoredText(parsed.text).authored;
  const verdict = detectAutomated(
    { raw: row.raw, parsed },
    {
      ourAddresses: [config.fromAddress],
      isOurMessageId: (mid) => requestIdFromMessageId(mid, config.replySecret, config.fromAddress.slice(config.fromAddress.indexOf('@') + 1)) !== null,
    },
  );

  const outcome = await withTransaction(pool, async (tx) => {
    // The thread is looked up first (it reads other messages and requests, never this one) so that a new
    // request's verdict is saved with the parsed fields, in one statement. An Open311 submission is a new
    // request by definition, whatever tracking number its text quotes; the header only saves other mail the
    // lookup (anyone can write it), the submissions table decides.
    const submitted = parsed.headers['x-cityline-channel'] === 'open311' && (await isSubmission(tx, id));
    const thread = submitted ? ({ kind: 'none' } as const) : await findThread(tx, parsed, deps);
    // A tracking number from a stranger opens a request of its own, which staff review.
    const opening: Opening | null = verdict || thread.kind === 'thread' ? null : { kind: thread.kind === 'unverified_reference' ? 'unverified_reference' : 'new_request' };
    // Another worker may have finished this message while we parsed it: then nothing is saved.
    const saved = await saveParsed(tx, id, {
      messageId: parsed.messageId,
      fromAddress: parsed.from?.address.toLowerCase() ?? null,
      fromName: parsed.from?.name ?? null,
      replyTo: parsed.replyTo?.toLowerCase() ?? null,
      to: [...parsed.to, ...parsed.cc],
      subject: parsed.subject,
      sentAt: parsed.date,
      inReplyTo: parsed.inReplyTo,
      references: parsed.references,
      text: parsed.text,
      html: parsed.html,
      authoredText: authored,
      headers: parsed.headers,
      notes: parsed.notes,
    }, opening);
    if (!saved) return { next: 'none' as const, mail: [] };
    await insertAttachments(tx, id, parsed.attachments);

    // Authenticated, or answering mail we sent to this very address: the From is who it says.
    const tokenFromResident = thread.kind === 'thread' && thread.proof === 'token' && thread.role === 'resident';
    if (tokenFromResident || fromAuthenticated(parsed, config)) await markSenderVerified(tx, id);
    if (verdict) {
      const requestId = thread.kind === 'none' ? null : thread.request.id;
      if (verdict.kind === 'bounce') await recordBounce(tx, { inboundMessageId: id, verdict, requestId });
      await setInboundOutcome(tx, id, { state: 'ignored', kind: verdict.kind, requestId, error: verdict.reason });
      return { next: 'none' as const, mail: [] };
    }
    // Saved above with its opening.
    if (thread.kind !== 'thread') return { next: 'classify' as const, mail: [] };
    const reply = await handleReply(tx, deps, { inboundMessageId: id, parsed, authored, thread });
    if (reply.next === 'classify') {
      await awaitOpening(tx, id, { kind: 'follow_up', previousRequestId: reply.followUpOf });
      return { next: 'classify' as const, mail: [] };
    }
    await setInboundOutcome(tx, id, { state: 'done', kind: reply.kind, requestId: reply.requestId });
    return { next: 'none' as const, mail: reply.queued };
  });
  await dispatchMail(enqueue, outcome.mail);
  if (outcome.next === 'classify') await enqueue('classify', { inboundMessageId: id });
}

export const parseStage = defineStage('parse', {
  handle,
  deps: async (shared) => shared,
  deadLetter: (shared, p, error) => setInboundOutcome(shared.pool, p.inboundMessageId, { state: 'failed', error }),
  concurrency: (config) => config.concurrency.parse,
});
