// SQL for what accountability reads of requests: each department's open work, and the overdue requests
// that have not been escalated yet.
import type { Category } from '../classify/types.ts';
import type { Db } from '../db/pool.ts';
import type { Status } from '../requests/status.ts';

export interface OpenWork {
  id: number;
  trackingNumber: string;
  departmentCode: string;
  category: Category;
  status: Status;
  street: string | null;
  houseNumber: string | null;
  crossStreet: string | null;
  outsideTown: string | null;
  createdAt: Date;
  dueAt: Date | null;
}

const COLUMNS = `r.id, r.tracking_number AS "trackingNumber", r.department_code AS "departmentCode", r.category, r.status,
  r.street, r.house_number AS "houseNumber", r.cross_street AS "crossStreet", r.outside_town AS "outsideTown",
  r.created_at AS "createdAt", r.due_at AS "dueAt"`;

/** Open requests that sit with a department (routed or being worked), most urgent first. */
export async function openWorkByDepartment(db: Db, statuses: readonly Status[]): Promise<OpenWork[]> {
  const { rows } = await db.query<OpenWork>(
    `SELECT ${COLUMNS} FROM requests r
      WHERE r.closed_at IS NULL AND r.department_code IS NOT NULL AND r.status = ANY($1)
      ORDER BY r.department_code, r.due_at NULLS LAST, r.id`,
    [statuses],
  );
  return rows;
}

/** Open requests past their due time with no escalation yet. */
export async function overdueNotEscalated(db: Db, statuses: readonly Status[], limit = 500): Promise<OpenWork[]> {
  const { rows } = await db.query<OpenWork>(
    `SELECT ${COLUMNS} FROM requests r
      WHERE r.closed_at IS NULL AND r.due_at < now() AND r.status = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id AND e.kind = 'escalated')
      ORDER BY r.due_at LIMIT $2`,
    [statuses, limit],
  );
  return rows;
}
