// SQL for training_examples: staff decisions kept as labelled text for `cityline train`.
import type { Category } from '../classify/types.ts';
import type { Db } from '../db/pool.ts';

/** Stores (or replaces) the labelled example a reviewed request gives, from its source message's text. */
export async function recordTrainingExample(
  db: Db,
  e: { requestId: number; category: Category; street: string | null; createdBy: string },
): Promise<void> {
  await db.query(
    `INSERT INTO training_examples (request_id, subject, body, category, street, source, created_by)
     SELECT r.id, coalesce(i.subject, ''), coalesce(i.authored_text, i.text_body, ''), $2, $3, 'staff', $4
       FROM requests r JOIN inbound_messages i ON i.id = r.source_message_id
      WHERE r.id = $1
     ON CONFLICT (request_id) DO UPDATE
       SET category = EXCLUDED.category, street = EXCLUDED.street, created_by = EXCLUDED.created_by, created_at = now()`,
    [e.requestId, e.category, e.street, e.createdBy],
  );
}
