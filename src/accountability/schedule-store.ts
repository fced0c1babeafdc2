// SQL for digest_schedule: the one row saying when department digests go out and where escalations go.
import type { Db } from '../db/pool.ts';

export interface DigestSchedule {
  enabled: boolean;
  /** Local time of day, "07:00". */
  sendAt: string;
  /** ISO weekdays, 1 = Monday. */
  weekdays: number[];
  escalationEnabled: boolean;
  supervisorEmail: string | null;
  updatedBy: string | null;
  updatedAt: Date;
}

export async function getDigestSchedule(db: Db): Promise<DigestSchedule> {
  const { rows } = await db.query<DigestSchedule>(
    `SELECT enabled, to_char(send_at, 'HH24:MI') AS "sendAt", weekdays::int[] AS weekdays, escalation_enabled AS "escalationEnabled",
            supervisor_email AS "supervisorEmail", updated_by AS "updatedBy", updated_at AS "updatedAt"
       FROM digest_schedule WHERE id = 1`,
  );
  const row = rows[0];
  if (!row) throw new Error('digest_schedule has no row: migration 014 inserts it');
  return row;
}

export async function saveDigestSchedule(db: Db, s: Omit<DigestSchedule, 'updatedAt'>): Promise<void> {
  await db.query(
    `UPDATE digest_schedule SET enabled = $1, send_at = $2::time, weekdays = $3::smallint[], escalation_enabled = $4,
            supervisor_email = $5, updated_by = $6, updated_at = now() WHERE id = 1`,
    [s.enabled, s.sendAt, s.weekdays, s.escalationEnabled, s.supervisorEmail, s.updatedBy],
  );
}
