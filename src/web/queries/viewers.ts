// SQL for request_viewers: who has had a request's page open lately, so a second agent knows someone else is on it.
import type { Db } from '../../db/pool.ts';

/** How long an opened page counts as "on it": long enough to read and act, short enough to forget a closed tab. */
const ON_IT_MINUTES = 10;

export interface Viewer {
  email: string;
  seenAt: Date;
}

/** Records that this user opened the request now, and returns the others who opened it lately, most recent first. */
export async function noteViewer(db: Db, requestId: number, userId: number): Promise<Viewer[]> {
  const { rows } = await db.query<Viewer>(
    `WITH seen AS (
       INSERT INTO request_viewers (request_id, user_id) VALUES ($1, $2)
       ON CONFLICT (request_id, user_id) DO UPDATE SET seen_at = now())
     SELECT u.email, v.seen_at AS "seenAt"
       FROM request_viewers v JOIN staff_users u ON u.id = v.user_id
      WHERE v.request_id = $1 AND v.user_id <> $2 AND v.seen_at > now() - make_interval(mins => $3)
      ORDER BY v.seen_at DESC`,
    [requestId, userId, ON_IT_MINUTES],
  );
  return rows;
}
