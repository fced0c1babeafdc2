// Stage 3: send one outbox row, once. Suppressed addresses and the per-address cap on automatic
// mail are checked here, at the last moment (in the statement that claims the row), so nothing that
// queues mail has to remember them.
import { describeError, isPermanent } from '../src/errors.ts';
import { attachmentContents } from '../src/intake/store.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { defineStage, type Attempt } from '../src/jobs/define-stage.ts';
import { saysNoReplies } from '../src/mail/automated.ts';
import { AUTOMATIC_TO_RESIDENT, claimForSending, markOutboxState, markSent, type ClaimedRow } from '../src/notify/outbox.ts';
import { createMailTransport } from '../src/notify/mail-transport.ts';
import type { OutgoingMail } from '../src/notify/outgoing.ts';
import { normalizeAddress } from '../src/notify/suppressions.ts';
import type { NotifyDeps } from '../src/pipeline/deps.ts';
import { markConfirmed } from '../src/requests/store.ts';

/** Why this row must not be sent, or null. The cap counts only mail a robot could answer (claimForSending counts 0 for the rest). */
function holdBack(deps: NotifyDeps, row: ClaimedRow): string | null {
  // Each recipient must read as an address (throws otherwise), as it did when it was checked alone.
  row.toAddress.split(',').map((a) => a.trim()).filter(Boolean).forEach(normalizeAddress);
  if (AUTOMATIC_TO_RESIDENT.includes(row.kind) && saysNoReplies(row.toAddress)) return `${row.toAddress} takes no replies; not mailed`;
  if (row.suppressedAddress) return `${row.suppressedAddress} hard-bounced earlier; not mailed again`;
  if (row.automaticSentToday >= deps.config.autoReplyCapPer24h) {
    return `cap of ${deps.config.autoReplyCapPer24h} automatic emails per 24 h reached for ${row.toAddress} (a mail loop?)`;
  }
  return null;
}

export async function handle(payload: Payloads['notify'], deps: NotifyDeps, ctx: Pick<Attempt, 'finalAttempt'>): Promise<void> {
  const { pool, config, transport, log } = deps;
  const row = await claimForSending(pool, payload.outboxId);
  if (!row) return;
  const reason = holdBack(deps, row);
  if (reason) {
    await markOutboxState(pool, row.id, 'suppressed', reason);
    log.warn({ outboxId: row.id, kind: row.kind }, reason);
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
