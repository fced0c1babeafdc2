// SQL for the department_replies table: a department's reply without a status line, and what became of it.
import type { Db } from '../db/pool.ts';

export type DepartmentReplyState = 'needs_attention' | 'forwarded' | 'dismissed';

export async function recordDepartmentReply(db: Db, r: { inboundMessageId: number; requestId: number; state: DepartmentReplyState; outboxId?: number | null; by?: string }): Promise<void> {
  await db.query(
    `INSERT INTO department_replies (inbound_message_id, request_id, state, outbox_id, decided_by, decided_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $3 <> 'needs_attention' THEN now() END) ON CONFLICT (inbound_message_id) DO NOTHING`,
    [r.inboundMessageId, r.requestId, r.state, r.outboxId ?? null, r.by ?? null],
  );
}

/** Locks a reply that still needs attention; null when it does not exist or was already decided. */
export async function lockPendingDepartmentReply(db: Db, inboundMessageId: number): Promise<{ requestId: number; text: string } | null> {
  const { rows } = await db.query<{ requestId: number; text: string }>(
    `SELECT d.request_id AS "requestId", coalesce(nullif(i.authored_text, ''), i.text_body, '') AS text
       FROM department_replies d JOIN inbound_messages i ON i.id = d.inbound_message_id
      WHERE d.inbound_message_id = $1 AND d.state = 'needs_attention' FOR UPDATE OF d`,
    [inboundMessageId],
  );
  return rows[0] ?? null;
}

export async function decideDepartmentReply(db: Db, inboundMessageId: number, d: { state: 'forwarded' | 'dismissed'; outboxId: number | null; by: string }): Promise<void> {
  await db.query(
    `UPDATE department_replies SET state = $2, outbox_id = $3, decided_by = $4, decided_at = now() WHERE inbound_message_id = $1`,
    [inboundMessageId, d.state, d.outboxId, d.by],
  );
}
