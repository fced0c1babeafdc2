// Stage 3: send one outbox row, once. Suppressed addresses and the per-address cap on automatic
// mail are checked here, at the last moment (in the statement that claims the row), so nothing that
// queues mail has to remember them.
import type pg from 'pg';
import { describeError, isPermanent } from '../src/errors.ts';
import { attachmentContents } from '../src/intake/store.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { saysNoReplies } from '../src/mail/automated.ts';
import { AUTOMATIC_TO_RESIDENT, claimForSending, markOutboxState, markSent, type ClaimedRow } from '../src/notify/outbox.ts';
import type { OutgoingMail } from '../src/notify/outgoing.ts';
import { normalizeAddress } from '../src/notify/suppressions.ts';
import type { NotifyDeps } from '../src/pipeline/deps.ts';
import { markConfirmed } from '../src/requests/store.ts';

async function attachmentsFor(pool: pg.Pool, ids: number[]): Promise<OutgoingMail['attachments']> {
  const rows = await attachmentContents(pool, ids);
  return rows.map((a, i) => ({ filename: a.filename ?? `attachment-${i + 1}`, contentType: a.contentType, content: a.content }));
}

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

export async function handle(payload: Payloads['notify'], deps: NotifyDeps, ctx: { finalAttempt: boolean }): Promise<void> {
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
    attachments: await attachmentsFor(pool, row.attachmentIds),
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
