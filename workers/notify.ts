// Stage 3: send one outbox row, once. Suppressed addresses and the per-address cap on automatic
// mail are checked here, at the last moment (in the statement that claims the row), so nothing that
// queues mail has to remember them.
import type pg from 'pg';
import { describeError, isPermanent } from '../src/errors.ts';
import type { Payloads } from '../src/jobs/catalog.ts';
import { claimForSending, EXEMPT_CEILING_FACTOR, markOutboxState, markSent, type ClaimedRow } from '../src/notify/outbox.ts';
import type { OutgoingMail } from '../src/notify/outgoing.ts';
import { parseAddress } from '../src/mail/address.ts';
import type { NotifyDeps } from '../src/pipeline/deps.ts';
import { markConfirmed } from '../src/requests/store.ts';

async function attachmentsFor(pool: pg.Pool, ids: number[]): Promise<OutgoingMail['attachments']> {
  if (ids.length === 0) return [];
  const { rows } = await pool.query<{ filename: string | null; contentType: string; content: Buffer; contentId: string | null }>(
    `SELECT filename, content_type AS "contentType", content, content_id AS "contentId"
       FROM attachments WHERE id = ANY($1) AND content IS NOT NULL ORDER BY id`,
    [ids],
  );
  return rows.map((a, i) => ({ filename: a.filename ?? `attachment-${i + 1}`, contentType: a.contentType, content: a.content }));
}

/**
 * Why this row must not be sent now: 'failed' for good (not exactly one valid recipient), 'suppressed'
 * (hard-bounced address), 'held' by the cap until staff release it; or null. The cap counts only mail a
 * robot could answer (claimForSending counts 0 for the rest).
 */
function holdBack(deps: NotifyDeps, row: ClaimedRow): { state: 'failed' | 'suppressed' | 'held'; reason: string } | null {
  // One valid addr-spec, never a list: a list is how one inbound message would mail many strangers.
  if (parseAddress(row.toAddress) === null) return { state: 'failed', reason: `not exactly one valid recipient address: "${row.toAddress.slice(0, 200)}"` };
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

export async function handle(payload: Payloads['notify'], deps: NotifyDeps, ctx: { finalAttempt: boolean }): Promise<void> {
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
    attachments: await attachmentsFor(pool, row.attachmentIds),
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
