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
