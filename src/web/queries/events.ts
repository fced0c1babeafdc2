// SQL for a request's event log (request_events), shown as its status history and decisions.
import type { Db } from '../../db/pool.ts';

export interface EventView {
  id: number;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  actor: string;
  note: string | null;
  publicNote: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

export async function eventsOf(db: Db, requestId: number): Promise<EventView[]> {
  const { rows } = await db.query<EventView>(
    `SELECT id, kind, from_status AS "fromStatus", to_status AS "toStatus", actor, note, public_note AS "publicNote", details, created_at AS "createdAt"
       FROM request_events WHERE request_id = $1 ORDER BY id`,
    [requestId],
  );
  return rows;
}
