// SQL for the outbox table: rows are queued inside the transaction that causes them, and sent once.
import type { Language } from '../classify/types.ts';
import type pg from 'pg';
import { withTransaction, type Db } from '../db/pool.ts';
import { firstSuppressedSql } from './suppressions.ts';

export type OutboxKind =
  | 'confirmation' | 'routed_ticket' | 'status_update' | 'status_answer' | 'duplicate_notice' | 'command_error'
  /** A resident's later words or photos, sent on to the department in its ticket's thread. */
  | 'resident_follow_up'
  /** Words a staff member wrote to the resident. */
  | 'staff_reply'
  /** A department's reply without a status line, passed on to the resident. */
  | 'department_note'
  /** Tells the department a request was re-routed away from it. */
  | 'ticket_withdrawn'
  | 'department_digest' | 'escalation' | 'oncall_alert' | 'safety_notice' | 'public_update';

/** The priority of every email about a present danger: ahead of everything else, whatever the send rate. */
export const URGENT_PRIORITY = 1;

/** BullMQ priorities (lower goes first): on a storm day residents hear from us before departments get copies. */
const PRIORITY: Record<OutboxKind, number> = {
  oncall_alert: URGENT_PRIORITY,
  safety_notice: URGENT_PRIORITY,
  confirmation: 2,
  duplicate_notice: 2,
  status_answer: 3,
  status_update: 3,
  staff_reply: 3,
  department_note: 3,
  command_error: 4,
  routed_ticket: 5,
  ticket_withdrawn: 5,
  resident_follow_up: 5,
  public_update: 5,
  escalation: 5,
  department_digest: 6,
};

export function priorityOf(row: Pick<NewOutboxRow, 'kind' | 'urgent'>): number {
  return row.urgent ? URGENT_PRIORITY : PRIORITY[row.kind];
}

/** Mail to residents that a robot could answer, and so counts against the per-address cap. */
export const AUTOMATIC_TO_RESIDENT: readonly OutboxKind[] = ['confirmation', 'duplicate_notice', 'status_answer', 'status_update'];

/** Mail that answers the resident's own message: exempt from the cap when the resident's address proved itself. */
export const ANSWERS_RESIDENT: readonly OutboxKind[] = ['confirmation', 'duplicate_notice', 'status_answer'];

/**
 * Exempt mail still stops at this many times the cap: a robot at an authenticated domain that answers
 * every confirmation with a new message would otherwise be answered for ever.
 */
export const EXEMPT_CEILING_FACTOR = 5;

export interface NewOutboxRow {
  dedupeKey: string;
  requestId: number | null;
  kind: OutboxKind;
  toAddress: string;
  replyTo: string | null;
  subject: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  language: Language;
  text: string;
  html: string | null;
  attachmentIds: number[];
  headers: Record<string, string>;
  /** Answers a verified resident's own message: not counted against the cap (see ANSWERS_RESIDENT). */
  capExempt?: boolean;
  /** About a present danger: sent ahead of all other mail. */
  urgent?: boolean;
}

export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'held';

export interface OutboxRow extends Omit<NewOutboxRow, 'urgent'> {
  id: number;
  priority: number;
  state: OutboxState;
  /** Staff released it after the cap held it. */
  capReleased: boolean;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

const COLUMNS = `id, dedupe_key AS "dedupeKey", request_id AS "requestId", kind, priority, to_address AS "toAddress",
  reply_to AS "replyTo", subject, message_id AS "messageId", in_reply_to AS "inReplyTo", references_ids AS "references",
  language, text_body AS text, html_body AS html, attachment_ids AS "attachmentIds", headers, state, attempts,
  last_error AS "lastError", created_at AS "createdAt", sent_at AS "sentAt", cap_exempt AS "capExempt", cap_released AS "capReleased"`;

const INSERTED_COLUMNS = 16;

/** Queues messages in one statement; returns their ids in order, null for each already queued (a retry). */
export async function insertOutboxRows(db: Db, rows: NewOutboxRow[]): Promise<(number | null)[]> {
  if (rows.length === 0) return [];
  const placeholders = rows.map((_, r) => `(${Array.from({ length: INSERTED_COLUMNS }, (_, c) => `$${r * INSERTED_COLUMNS + c + 1}`).join(', ')})`);
  const { rows: inserted } = await db.query<{ id: number; dedupeKey: string }>(
    `INSERT INTO outbox (dedupe_key, request_id, kind, priority, to_address, reply_to, subject, message_id, in_reply_to,
        references_ids, language, text_body, html_body, attachment_ids, headers, cap_exempt)
     VALUES ${placeholders.join(', ')}
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key AS "dedupeKey"`,
    rows.flatMap((row) => [
      row.dedupeKey, row.requestId, row.kind, priorityOf(row), row.toAddress, row.replyTo, row.subject, row.messageId,
      row.inReplyTo, row.references, row.language, row.text, row.html, row.attachmentIds, JSON.stringify(row.headers), row.capExempt ?? false,
    ]),
  );
  const ids = new Map(inserted.map((r) => [r.dedupeKey, r.id]));
  return rows.map((row) => ids.get(row.dedupeKey) ?? null);
}

export interface ClaimedRow extends OutboxRow {
  /** The first recipient that must not be mailed (hard-bounced), or null. */
  suppressedAddress: string | null;
  /**
   * For mail a robot could answer: automatic mail sent to the same address in the last 24 hours that
   * counts against the cap (cap-exempt mail does not); else 0.
   */
  automaticSentToday: number;
  /** The same, exempt mail included: what the ceiling on exempt mail counts. */
  allAutomaticSentToday: number;
}

// SQL counting automatic mail to residents sent to an address since a time (text expressions): what the
// loop cap counts. Every row has one normalised recipient, so the count is per address, not per list.
// Mail being sent right now counts too: several notify workers may take mail to one address at once.
const automaticSentTo = (address: string, since: string, kinds: string, filter: string): string => `(SELECT count(*)::int FROM outbox o
    WHERE lower(o.to_address) = lower(btrim(${address})) AND o.kind = ANY(${kinds}) AND ${filter}
      AND ((o.state = 'sent' AND o.sent_at >= ${since}) OR o.state = 'sending'))`;

/**
 * Takes a row for sending and, in the same transaction, learns what may hold it back: its first suppressed
 * recipient and its address's count against the cap on automatic mail. Mail a robot could answer is
 * claimed under a lock on its address, so concurrent workers count each other's sends and a burst cannot
 * slip past the cap. A row left in 'sending' by a crash is taken again. The file transport then finds the file it wrote and
 * writes nothing; SMTP gives no way to ask whether the relay got it, so a crash in that window can send twice (with the same Message-ID, which mail
 * clients use to fold the copies).
 */
export async function claimForSending(pool: pg.Pool, id: number): Promise<ClaimedRow | null> {
  return withTransaction(pool, async (tx) => {
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtext('cityline outbox cap'), hashtext(lower(to_address)))
         FROM outbox WHERE id = $1 AND kind = ANY($2) AND state IN ('pending', 'sending')`,
      [id, AUTOMATIC_TO_RESIDENT],
    );
    const { rows } = await tx.query<ClaimedRow>(
      `WITH claimed AS (
         UPDATE outbox SET state = 'sending', attempts = attempts + 1
          WHERE id = $1 AND state IN ('pending', 'sending') RETURNING ${COLUMNS})
       SELECT claimed.*, ${firstSuppressedSql('claimed."toAddress"')} AS "suppressedAddress",
              CASE WHEN claimed.kind = ANY($2) THEN ${automaticSentTo('claimed."toAddress"', `now() - interval '24 hours'`, '$2', 'NOT o.cap_exempt AND o.id <> claimed.id')} ELSE 0 END AS "automaticSentToday",
              CASE WHEN claimed.kind = ANY($2) THEN ${automaticSentTo('claimed."toAddress"', `now() - interval '24 hours'`, '$2', 'o.id <> claimed.id')} ELSE 0 END AS "allAutomaticSentToday"
         FROM claimed`,
      [id, AUTOMATIC_TO_RESIDENT],
    );
    return rows[0] ?? null;
  });
}

export async function markSent(db: Db, id: number): Promise<void> {
  await db.query(`UPDATE outbox SET state = 'sent', sent_at = now(), last_error = NULL WHERE id = $1`, [id]);
}

/** How much automatic mail to residents went to this address since a time: what the loop cap counts. */
export async function automaticMailSentSince(db: Db, address: string, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT ${automaticSentTo('$1', '$2', '$3', 'NOT o.cap_exempt')} AS n`, [address, since, AUTOMATIC_TO_RESIDENT]);
  return rows[0]?.n ?? 0;
}

export async function markOutboxState(db: Db, id: number, state: 'pending' | 'failed' | 'suppressed' | 'held', error: string): Promise<void> {
  await db.query(`UPDATE outbox SET state = $2, last_error = $3 WHERE id = $1 AND state <> 'sent'`, [id, state, error]);
}

export async function findOutboxByMessageId(db: Db, messageId: string): Promise<OutboxRow | null> {
  const { rows } = await db.query<OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE message_id = $1`, [messageId]);
  return rows[0] ?? null;
}

/** Mail to a department (its ticket, answers to its commands, the resident's follow-ups), as opposed to mail to the resident. */
export const DEPARTMENT_KINDS: readonly OutboxKind[] = ['routed_ticket', 'command_error', 'resident_follow_up', 'public_update', 'ticket_withdrawn'];

export function isDepartmentMail(kind: OutboxKind): boolean {
  return DEPARTMENT_KINDS.includes(kind);
}
export async function pendingOutboxIds(db: Db, olderThanSeconds: number, limit: number): Promise<{ id: number; kind: OutboxKind; priority: number }[]> {
  const { rows } = await db.query<{ id: number; kind: OutboxKind; priority: number }>(
    `SELECT id, kind, priority FROM outbox WHERE state IN ('pending', 'sending')
        AND created_at < now() - make_interval(secs => $1) ORDER BY priority, id LIMIT $2`,
    [olderThanSeconds, limit],
  );
  return rows;
}

/** Staff release mail the cap held: it is sent whatever the count. False when it is not held. */
export async function releaseHeldOutbox(db: Db, id: number): Promise<{ id: number; kind: OutboxKind; requestId: number | null } | null> {
  const { rows } = await db.query<{ id: number; kind: OutboxKind; requestId: number | null }>(
    `UPDATE outbox SET state = 'pending', cap_released = true, last_error = NULL WHERE id = $1 AND state = 'held'
     RETURNING id, kind, request_id AS "requestId"`,
    [id],
  );
  return rows[0] ?? null;
}

export interface HeldMail {
  id: number;
  requestId: number | null;
  trackingNumber: string | null;
  kind: OutboxKind;
  toAddress: string;
  reason: string | null;
  createdAt: Date;
}

/** Mail the cap is holding, oldest first (all of it, or one request's). */
export async function heldMail(db: Db, opts: { requestId?: number; limit: number }): Promise<HeldMail[]> {
  const { rows } = await db.query<HeldMail>(
    `SELECT o.id, o.request_id AS "requestId", r.tracking_number AS "trackingNumber", o.kind, o.to_address AS "toAddress",
            o.last_error AS reason, o.created_at AS "createdAt"
       FROM outbox o LEFT JOIN requests r ON r.id = o.request_id
      WHERE o.state = 'held' AND ($1::bigint IS NULL OR o.request_id = $1)
      ORDER BY o.created_at, o.id LIMIT $2`,
    [opts.requestId ?? null, opts.limit],
  );
  return rows;
}

/** Makes a failed email sendable again; false when it is not failed. */
export async function resetFailedOutbox(db: Db, id: number): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE outbox SET state = 'pending', last_error = NULL WHERE id = $1 AND state = 'failed'`, [id]);
  return rowCount === 1;
}
