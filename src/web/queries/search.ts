// SQL for the request search: every filter optional, combined with AND, newest first.
import type { Db } from '../../db/pool.ts';
import { REQUEST_COLUMNS, type RequestRecord } from '../../requests/store.ts';

export interface SearchFilters {
  /** A tracking number (exact, any case) or part of the resident's address or name. */
  q: string | null;
  street: string | null;
  category: string | null;
  status: string | null;
  department: string | null;
  /** Inclusive calendar dates (YYYY-MM-DD) in the city's time zone. */
  from: string | null;
  to: string | null;
  /** "me" for the signed-in user's requests, "none" for the unassigned ones. */
  assigned: string | null;
  /** A column of SORTS, and its direction. */
  sort: string | null;
  dir: string | null;
}

/** The columns a result can be sorted by, by name in the query string (the age column sorts by `received`). */
export const SORTS: Record<string, string> = {
  tracking: 'r.tracking_number',
  received: 'r.created_at',
  due: 'r.due_at',
  status: 'r.status',
  category: 'r.category',
  street: 'r.street',
  department: 'r.department_code',
  resident: 'r.resident_email',
  channel: 'r.channel',
};

export const PAGE_SIZE = 50;

export async function searchRequests(
  db: Db,
  f: SearchFilters,
  page: number,
  opts: { timeZone: string; userId: number; pageSize?: number },
): Promise<{ rows: RequestRecord[]; total: number }> {
  const { timeZone } = opts;
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (f.q) {
    // The resident's own words match as words (any order, any form "simple" keeps), the rest as substrings.
    add((p) => `(upper(r.tracking_number) = upper(${p}) OR r.resident_email ILIKE '%' || ${p} || '%' OR r.resident_name ILIKE '%' || ${p} || '%' OR r.subject ILIKE '%' || ${p} || '%'
      OR EXISTS (SELECT 1 FROM inbound_messages i WHERE i.id = r.source_message_id
                 AND to_tsvector('simple', coalesce(i.authored_text, i.text_body, '')) @@ websearch_to_tsquery('simple', ${p})))`, f.q);
  }
  if (f.street) add((p) => `(r.street ILIKE '%' || ${p} || '%' OR r.cross_street ILIKE '%' || ${p} || '%')`, f.street);
  if (f.category) add((p) => `r.category = ${p}`, f.category);
  if (f.status) add((p) => `r.status = ${p}`, f.status);
  if (f.department) add((p) => `r.department_code = ${p}`, f.department);
  if (f.assigned === 'me') add((p) => `r.assigned_to = ${p}`, opts.userId);
  if (f.assigned === 'none') where.push(`r.assigned_to IS NULL AND r.closed_at IS NULL`);
  if (f.from || f.to) {
    // Postgres refuses a parameter it cannot type, so the zone is only passed when a date uses it.
    values.push(timeZone);
    const tz = `$${values.length}::text`;
    if (f.from) add((p) => `r.created_at >= (${p}::date)::timestamp AT TIME ZONE ${tz}`, f.from);
    if (f.to) add((p) => `r.created_at < ((${p}::date) + 1)::timestamp AT TIME ZONE ${tz}`, f.to);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  values.push(pageSize, Math.max(0, page - 1) * pageSize);
  const column = SORTS[f.sort ?? ''] ?? 'r.created_at';
  const dir = f.dir === 'asc' ? 'ASC' : 'DESC';
  const { rows } = await db.query<RequestRecord & { total: number }>(
    `SELECT ${REQUEST_COLUMNS}, count(*) OVER ()::int AS total FROM requests r ${clause}
      ORDER BY ${column} ${dir} NULLS LAST, r.id ${dir} LIMIT $${values.length - 1} OFFSET $${values.length}`,
    values,
  );
  return { rows, total: rows[0]?.total ?? 0 };
}

export async function departmentList(db: Db): Promise<{ code: string; name: string }[]> {
  const { rows } = await db.query<{ code: string; name: string }>('SELECT code, name FROM departments ORDER BY name');
  return rows;
}

export async function departmentOf(db: Db, code: string): Promise<{ code: string; name: string; emails: string[] } | null> {
  const { rows } = await db.query<{ code: string; name: string; emails: string[] }>('SELECT code, name, emails FROM departments WHERE code = $1', [code]);
  return rows[0] ?? null;
}
