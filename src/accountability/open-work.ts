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

export interface DepartmentWork {
  departmentCode: string;
  /** All its open requests, and of them those past due. */
  open: number;
  overdue: number;
  /** The first `limit` of them, earliest due first (so the overdue lead). */
  first: OpenWork[];
}

/**
 * Each department's open requests (routed or being worked): the counts, and the first few by due time.
 * Only those few leave the database, however large the backlog.
 */
export async function openWorkByDepartment(db: Db, statuses: readonly Status[], now: Date, limit: number): Promise<DepartmentWork[]> {
  const { rows } = await db.query<OpenWork & { open: number; overdue: number }>(
    `SELECT * FROM (
       SELECT ${COLUMNS},
              row_number() OVER (PARTITION BY r.department_code ORDER BY r.due_at NULLS LAST, r.id) AS rank,
              count(*) OVER (PARTITION BY r.department_code)::int AS open,
              count(*) FILTER (WHERE r.due_at < $2) OVER (PARTITION BY r.department_code)::int AS overdue
         FROM requests r
        WHERE r.closed_at IS NULL AND r.department_code IS NOT NULL AND r.status = ANY($1)) t
      WHERE t.rank <= $3
      ORDER BY t."departmentCode", t.rank`,
    [statuses, now, limit],
  );
  const out = new Map<string, DepartmentWork>();
  for (const { open, overdue, rank: _rank, ...w } of rows as (OpenWork & { open: number; overdue: number; rank: number })[]) {
    const d = out.get(w.departmentCode) ?? { departmentCode: w.departmentCode, open, overdue, first: [] };
    d.first.push(w);
    out.set(w.departmentCode, d);
  }
  return [...out.values()];
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
