// SQL for the review queue: requests in needs_review, oldest first.
import type { Db } from '../../db/pool.ts';
import { REQUEST_COLUMNS, type RequestRecord } from '../../requests/store.ts';

export async function reviewQueue(db: Db, limit: number): Promise<RequestRecord[]> {
  const { rows } = await db.query<RequestRecord>(
    `SELECT ${REQUEST_COLUMNS} FROM requests r WHERE r.status = 'needs_review' ORDER BY r.created_at, r.id LIMIT $1`,
    [limit],
  );
  return rows;
}

export async function reviewBacklog(db: Db): Promise<{ count: number; oldest: Date | null; oldestId: number | null }> {
  const { rows } = await db.query<{ count: number; oldest: Date | null; oldestId: number | null }>(
    `SELECT count(*)::int AS count, min(created_at) AS oldest,
            (SELECT id FROM requests WHERE status = 'needs_review' ORDER BY created_at, id LIMIT 1) AS "oldestId"
       FROM requests WHERE status = 'needs_review'`,
  );
  return rows[0] as { count: number; oldest: Date | null; oldestId: number | null };
}

/** The items before and after this one in queue order (for j/k), and the first other item (after a decision). */
export async function queueNeighbours(db: Db, id: number): Promise<{ prev: number | null; next: number | null; firstOther: number | null }> {
  const { rows } = await db.query<{ prev: number | null; next: number | null; firstOther: number | null }>(
    `WITH me AS (SELECT created_at, id FROM requests WHERE id = $1)
     SELECT
       (SELECT r.id FROM requests r, me WHERE r.status = 'needs_review' AND (r.created_at, r.id) < (me.created_at, me.id)
          ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS prev,
       (SELECT r.id FROM requests r, me WHERE r.status = 'needs_review' AND (r.created_at, r.id) > (me.created_at, me.id)
          ORDER BY r.created_at, r.id LIMIT 1) AS next,
       (SELECT r.id FROM requests r WHERE r.status = 'needs_review' AND r.id <> $1 ORDER BY r.created_at, r.id LIMIT 1) AS "firstOther"`,
    [id],
  );
  return rows[0] ?? { prev: null, next: null, firstOther: null };
}
