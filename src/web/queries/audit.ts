// SQL for staff_audit: what each staff member did in the app, for admins to search.
import type { Db } from '../../db/pool.ts';

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

export async function recordAudit(db: Db, e: { actor: string; action: string; target: string | null; details?: Record<string, unknown> }): Promise<void> {
  await db.query('INSERT INTO staff_audit (actor, action, target, details) VALUES ($1, $2, $3, $4)', [e.actor, e.action, e.target, JSON.stringify(e.details ?? {})]);
}

/** The latest entries whose actor, action, target or details contain the text; all of the latest without one. */
export async function searchAudit(db: Db, q: string | null, limit = 200): Promise<AuditEntry[]> {
  const { rows } = await db.query<AuditEntry>(
    `SELECT id, at, actor, action, target, details FROM staff_audit
      WHERE $1::text IS NULL OR actor ILIKE '%' || $1 || '%' OR action ILIKE '%' || $1 || '%' OR target ILIKE '%' || $1 || '%' OR details::text ILIKE '%' || $1 || '%'
      ORDER BY id DESC LIMIT $2`,
    [q, limit],
  );
  return rows;
}
