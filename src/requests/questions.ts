// Which requests wait for a person's answer (requests.awaiting_answer_since).
import type { Db } from '../db/pool.ts';

/** The resident now waits for a person's answer (kept from the first time when they were already waiting). */
export async function markAwaitingAnswer(db: Db, requestId: number): Promise<void> {
  await db.query('UPDATE requests SET awaiting_answer_since = coalesce(awaiting_answer_since, now()) WHERE id = $1', [requestId]);
}

export async function clearAwaitingAnswer(db: Db, requestId: number): Promise<void> {
  await db.query('UPDATE requests SET awaiting_answer_since = NULL WHERE id = $1', [requestId]);
}
