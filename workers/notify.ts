// Stage 3: send one outbox row, once. Suppressed addresses and the per-address cap on automatic
// mail are checked here, at the last moment (in the statement that claims the row), so nothing that
// queues mail has to remember them.
import { describeError, isPermanent } from '../src/errors.ts';
import { attachmentContents } from '../src/intake/store.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { defineStage, type Attempt } from '../src/jobs/define-stage.ts';
import { parseAddress } from '../src/mail/address.ts';
import { saysNoReplies } from '../src/mail/automated.ts';
import { AUTOMATIC_TO_RESIDENT, claimForSending, EXEMPT_CEILING_FACTOR, markOutboxState, markSent, type ClaimedRow } from '../src/notify/outbox.ts';
import { createMailTransport } from '../src/notify/mail-transport.ts';
import type { OutgoingMail } from '../src/notify/outgoing.ts';
import type { NotifyDeps } from '../src/pipeline/deps.ts';
import { markConfirmed } from '../src/requests/store.ts';

/**
 * Why this row must not be sent now: 'failed' for good (not exactly one valid recipient), 'suppressed'
 * (hard-bounced address, or a no-reply sender for automatic mail to residents), 'held' by the cap until staff release it; or null. The cap counts only mail a
 * robot could answer (claimForSending counts 0 for the rest).
 */
function holdBack(deps: NotifyDeps, row: ClaimedRow): { state: 'failed' | 'suppressed' | 'held'; reason: string } | null {
  // One valid addr-spec, never a list: a list is how one inbound message would mail many strangers.
  if (parseAddress(row.toAddress) === null) return { state: 'failed', reason: `not exactly one valid recipient address: "${row.toAddress.slice(0, 200)}"` };
  if (AUTOMATIC_TO_RESIDENT.includes(row.kind) && saysNoReplies(row.toAddress)) return { state: 'suppressed', reason: `${row.toAddress} takes no replies; not mailed` };
  if (row.suppressedAddress) return { state: 'suppressed', reason: `${row.suppressedAddress} hard-bounced earlier; not mailed again` };
  if (row.capReleased) return null;
  const cap = deps.config.autoReplyCapPer24h;
  if (row.capExempt && row.allAutomaticSentToday >= cap * EXEMPT_CEILING_FACTOR) {
    return { state: 'held', reason: `held: automatic-mail limit (${cap * EXEMPT_CEILING_FACTOR} in 24 h to ${row.toAddress}, even for a known resident)` };
  }
  if (!row.capExempt && row.automaticSentToday >= cap) {
    return { state: 'held', reason: `held: automatic-mail limit (${cap} in 24 h to ${row.toAddress}; a mail loop, or a busy resident?)` };
  }
  return null;
}

export async function handle(payload: Payloads['notify'], deps: NotifyDeps, ctx: Pick<Attempt, 'finalAttempt'>): Promise<void> {
  const { pool, config, transport, log } = deps;
  const row = await claimForSending(pool, payload.outboxId);
  if (!row) return;
  const held = holdBack(deps, row);
  if (held) {
    await markOutboxState(pool, row.id, held.state, held.reason);
    log.warn({ outboxId: row.id, kind: row.kind, state: held.state }, held.reason);
    return;
  }
  const mail: OutgoingMail = {
    from: { name: config.fromName, address: config.fromAddress },
    to: row.toAddress,
    replyTo: row.replyTo,
    subject: row.subject,
    messageId: row.messageId,
    inReplyTo: row.inReplyTo,
    references: row.references,
    text: row.text,
    html: row.html,
    headers: row.headers,
    attachments: (await attachmentContents(pool, row.attachmentIds)).map((a, i) => ({ ...a, filename: a.filename ?? `attachment-${i + 1}` })),
    queuedAt: row.createdAt,
    kind: row.kind,
  };
  try {
    await transport.send(mail);
  } catch (err) {
    const permanent = isPermanent(err);
    await markOutboxState(pool, row.id, permanent || ctx.finalAttempt ? 'failed' : 'pending', describeError(err));
    throw err;
  }
  await markSent(pool, row.id);
  // The resident has heard from us: what the dashboard's arrival-to-confirmation time measures.
  if ((row.kind === 'confirmation' || row.kind === 'duplicate_notice') && row.requestId !== null) await markConfirmed(pool, row.requestId);
}

export const notifyStage = defineStage('notify', {
  handle,
  deps: async (shared): Promise<NotifyDeps> => ({
    ...shared,
    transport: createMailTransport(shared.config, { log: shared.log.child({ part: 'smtp' }), ...(shared.signIn ? { signIn: shared.signIn } : {}) }),
  }),
  close: (deps) => deps.transport.close(),
  deadLetter: (shared, p, error) => markOutboxState(shared.pool, p.outboxId, 'failed', error),
  concurrency: (config) => config.concurrency.notify,
  // One message every 60/rate seconds rather than the whole minute's allowance at once: relays such as
  // Exchange Online count per minute but throttle bursts.
  limiter: (config) => (config.sendRatePerMinute > 0 ? { max: 1, duration: Math.ceil(60_000 / config.sendRatePerMinute) } : null),
});
