// SQL for the status_proposals table: status changes a message asked for but could not be trusted to
// make (a department address without authentication or the ticket's reply address, a resident's From
// without our reply address). Staff accept or reject each one from the review queue.
import type { Db } from '../db/pool.ts';
import type { Status } from './status.ts';

export interface StatusProposal {
  id: number;
  requestId: number;
  inboundMessageId: number;
  toStatus: Status;
  note: string | null;
  claimedActor: string;
  reason: string;
  state: 'pending' | 'accepted' | 'rejected';
  createdAt: Date;
}

/** A pending proposal with what the review queue shows beside it. */
export interface PendingProposal extends StatusProposal {
  trackingNumber: string;
  currentStatus: Status;
  subject: string | null;
}

const COLUMNS = `p.id, p.request_id AS "requestId", p.inbound_message_id AS "inboundMessageId", p.to_status AS "toStatus", p.note,
  p.claimed_actor AS "claimedActor", p.reason, p.state, p.created_at AS "createdAt"`;

/** Records a proposal; a message proposes at most once (a retried parse adds nothing). */
export async function insertProposal(
  db: Db,
  p: { requestId: number; inboundMessageId: number; toStatus: Status; note: string | null; claimedActor: string; reason: string },
): Promise<void> {
  await db.query(
    `INSERT INTO status_proposals (request_id, inbound_message_id, to_status, note, claimed_actor, reason)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (inbound_message_id) DO NOTHING`,
    [p.requestId, p.inboundMessageId, p.toStatus, p.note, p.claimedActor, p.reason],
  );
}

export async function lockProposal(db: Db, id: number): Promise<StatusProposal | null> {
  const { rows } = await db.query<StatusProposal>(`SELECT ${COLUMNS} FROM status_proposals p WHERE p.id = $1 FOR UPDATE`, [id]);
  return rows[0] ?? null;
}

export async function decideProposal(db: Db, id: number, state: 'accepted' | 'rejected', by: string): Promise<void> {
  await db.query(`UPDATE status_proposals SET state = $2, decided_by = $3, decided_at = now() WHERE id = $1`, [id, state, by]);
}

export async function pendingProposals(db: Db, opts: { requestId?: number; limit: number }): Promise<PendingProposal[]> {
  const { rows } = await db.query<PendingProposal>(
    `SELECT ${COLUMNS}, r.tracking_number AS "trackingNumber", r.status AS "currentStatus", i.subject
       FROM status_proposals p JOIN requests r ON r.id = p.request_id JOIN inbound_messages i ON i.id = p.inbound_message_id
      WHERE p.state = 'pending' AND ($1::bigint IS NULL OR p.request_id = $1)
      ORDER BY p.created_at, p.id LIMIT $2`,
    [opts.requestId ?? null, opts.limit],
  );
  return rows;
}

export async function pendingProposalCount(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_proposals WHERE state = 'pending'`);
  return rows[0]?.n ?? 0;
}
