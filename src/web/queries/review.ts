// SQL for the review queue: requests in needs_review, emergencies first, then urgent ones, then oldest first.
import type { Db } from '../../db/pool.ts';
import { REQUEST_COLUMNS, type RequestRecord } from '../../requests/store.ts';

// Queue order: (danger, arrival, id). A SQL expression over requests r.
const DANGER_FIRST = `CASE r.urgency WHEN 'emergency' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END`;

export async function reviewQueue(db: Db, limit: number): Promise<RequestRecord[]> {
  const { rows } = await db.query<RequestRecord>(
    `SELECT ${REQUEST_COLUMNS} FROM requests r WHERE r.status = 'needs_review' ORDER BY ${DANGER_FIRST}, r.created_at, r.id LIMIT $1`,
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
    `WITH me AS (SELECT ${DANGER_FIRST} AS danger, r.created_at, r.id FROM requests r WHERE r.id = $1)
     SELECT
       (SELECT r.id FROM requests r, me WHERE r.status = 'needs_review' AND (${DANGER_FIRST}, r.created_at, r.id) < (me.danger, me.created_at, me.id)
          ORDER BY ${DANGER_FIRST} DESC, r.created_at DESC, r.id DESC LIMIT 1) AS prev,
       (SELECT r.id FROM requests r, me WHERE r.status = 'needs_review' AND (${DANGER_FIRST}, r.created_at, r.id) > (me.danger, me.created_at, me.id)
          ORDER BY ${DANGER_FIRST}, r.created_at, r.id LIMIT 1) AS next,
       (SELECT r.id FROM requests r WHERE r.status = 'needs_review' AND r.id <> $1 ORDER BY ${DANGER_FIRST}, r.created_at, r.id LIMIT 1) AS "firstOther"`,
    [id],
  );
  return rows[0] ?? { prev: null, next: null, firstOther: null };
}

/** Open requests flagged as a danger, emergencies first, most recently raised first: the dashboard's top panel. */
export async function flaggedOpen(db: Db, limit: number): Promise<(RequestRecord & { raisedAt: Date })[]> {
  const { rows } = await db.query<RequestRecord & { raisedAt: Date }>(
    `SELECT ${REQUEST_COLUMNS}, r.urgency_raised_at AS "raisedAt" FROM requests r
      WHERE r.urgency <> 'routine' AND r.status IN ('received', 'needs_review', 'routed', 'in_progress')
      ORDER BY ${DANGER_FIRST}, r.urgency_raised_at DESC, r.id DESC LIMIT $1`,
    [limit],
  );
  return rows;
}
