// SQL for the questions queue: requests whose resident waits for a person's answer, longest waiting first.
import type { Db } from '../../db/pool.ts';
import type { Language } from '../../classify/types.ts';

export interface WaitingQuestion {
  id: number;
  trackingNumber: string;
  subject: string | null;
  residentEmail: string | null;
  residentName: string | null;
  language: Language;
  category: string;
  status: string;
  waitingSince: Date;
  /** What the resident last wrote (their own words), for a glance in the list. */
  lastWords: string | null;
}

export async function questionsQueue(db: Db, limit: number): Promise<WaitingQuestion[]> {
  const { rows } = await db.query<WaitingQuestion>(
    `SELECT r.id, r.tracking_number AS "trackingNumber", r.subject, r.resident_email AS "residentEmail",
            r.resident_name AS "residentName", r.language, r.category, r.status, r.awaiting_answer_since AS "waitingSince",
            (SELECT left(coalesce(nullif(i.authored_text, ''), i.text_body), 300)
               FROM thread_messages t JOIN inbound_messages i ON i.id = t.inbound_message_id
              WHERE t.request_id = r.id AND t.author = 'resident' ORDER BY t.id DESC LIMIT 1) AS "lastWords"
       FROM requests r WHERE r.awaiting_answer_since IS NOT NULL
      ORDER BY r.awaiting_answer_since, r.id LIMIT $1`,
    [limit],
  );
  return rows;
}

export async function questionsWaiting(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM requests WHERE awaiting_answer_since IS NOT NULL');
  return rows[0]?.n ?? 0;
}

export async function isAwaitingAnswer(db: Db, requestId: number): Promise<boolean> {
  const { rows } = await db.query<{ waiting: boolean }>('SELECT awaiting_answer_since IS NOT NULL AS waiting FROM requests WHERE id = $1', [requestId]);
  return rows[0]?.waiting ?? false;
}

export interface PendingDepartmentReply {
  inboundMessageId: number;
  requestId: number;
  trackingNumber: string;
  departmentName: string | null;
  receivedAt: Date;
  text: string | null;
}

/** Department replies without a status line that staff have not decided on, oldest first. */
export async function pendingDepartmentReplies(db: Db, limit: number): Promise<PendingDepartmentReply[]> {
  const { rows } = await db.query<PendingDepartmentReply>(
    `SELECT d.inbound_message_id AS "inboundMessageId", r.id AS "requestId", r.tracking_number AS "trackingNumber",
            dep.name AS "departmentName", i.received_at AS "receivedAt", left(coalesce(nullif(i.authored_text, ''), i.text_body), 300) AS text
       FROM department_replies d JOIN requests r ON r.id = d.request_id JOIN inbound_messages i ON i.id = d.inbound_message_id
       LEFT JOIN departments dep ON dep.code = r.department_code
      WHERE d.state = 'needs_attention' ORDER BY d.created_at, d.inbound_message_id LIMIT $1`,
    [limit],
  );
  return rows;
}

/** What became of each department reply in a request's thread, by inbound message id. */
export async function departmentReplyStates(db: Db, requestId: number): Promise<Map<number, string>> {
  const { rows } = await db.query<{ id: number; state: string }>('SELECT inbound_message_id AS id, state FROM department_replies WHERE request_id = $1', [requestId]);
  return new Map(rows.map((r) => [Number(r.id), r.state]));
}
