// SQL for the public status page: a request's category, status and status history, nothing personal.
import type { Db } from '../../db/pool.ts';
import type { Category, Language } from '../../classify/types.ts';
import type { Status } from '../../requests/status.ts';

export interface PublicStatus {
  trackingNumber: string;
  category: Category;
  status: Status;
  createdAt: Date;
  history: { at: Date; status: Status }[];
}

export async function publicStatus(db: Db, trackingNumber: string): Promise<PublicStatus | null> {
  const { rows } = await db.query<PublicStatus & { language: Language }>(
    `SELECT r.tracking_number AS "trackingNumber", r.category, r.status, r.created_at AS "createdAt",
            coalesce((SELECT json_agg(json_build_object('at', e.created_at, 'status', e.to_status) ORDER BY e.id)
                        FROM request_events e WHERE e.request_id = r.id AND e.kind = 'status'), '[]') AS history
       FROM requests r WHERE r.tracking_number = $1`,
    [trackingNumber],
  );
  const r = rows[0];
  return r ? { ...r, history: r.history.map((h) => ({ at: new Date(h.at), status: h.status })) } : null;
}
