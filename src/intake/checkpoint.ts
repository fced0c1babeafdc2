// Where the IMAP watcher got to in a mailbox. UIDs mean nothing without the UIDVALIDITY they belong to.
import type { Db } from '../db/pool.ts';

export interface Checkpoint {
  uidValidity: number;
  lastUid: number;
}

export async function readCheckpoint(db: Db, mailbox: string): Promise<Checkpoint | null> {
  const r = await db.query<{ uid_validity: number; last_uid: number }>(
    'SELECT uid_validity, last_uid FROM mailbox_checkpoints WHERE mailbox = $1',
    [mailbox],
  );
  const row = r.rows[0];
  return row ? { uidValidity: row.uid_validity, lastUid: row.last_uid } : null;
}

/** Starts the mailbox over under a new UIDVALIDITY (the old UIDs no longer name the same messages). */
export async function resetCheckpoint(db: Db, mailbox: string, uidValidity: number): Promise<void> {
  await db.query(
    `INSERT INTO mailbox_checkpoints (mailbox, uid_validity, last_uid) VALUES ($1, $2, 0)
     ON CONFLICT (mailbox) DO UPDATE SET uid_validity = EXCLUDED.uid_validity, last_uid = 0, updated_at = now()`,
    [mailbox, uidValidity],
  );
}

/** Moves the checkpoint forward, never back, and only under the UIDVALIDITY it was read with. */
export async function advanceCheckpoint(db: Db, mailbox: string, uidValidity: number, lastUid: number): Promise<void> {
  await db.query(
    `UPDATE mailbox_checkpoints SET last_uid = GREATEST(last_uid, $3), updated_at = now()
      WHERE mailbox = $1 AND uid_validity = $2`,
    [mailbox, uidValidity, lastUid],
  );
}
