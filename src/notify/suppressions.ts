// Addresses we no longer mail (hard bounces) and the count of automatic replies per address, which
// caps how often a loop we failed to recognise can make us write to the same robot.
import type { Db } from '../db/pool.ts';

/** Addresses are stored lower-cased: mail systems treat the case of a domain, and in practice the local part, as noise. */
export function normalizeAddress(address: string): string {
  const bare = address.trim().replace(/^<(.*)>$/, '$1').trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(bare)) throw new RangeError(`not an email address: "${address}"`);
  return bare;
}

/** Stops all mail to the address. The first reason is kept: it is the evidence. Returns true when newly suppressed. */
export async function suppressAddress(db: Db, address: string, reason: string, outboxId: number | null): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO mail_suppressions (address, reason, outbox_id) VALUES ($1, $2, $3)
     ON CONFLICT (address) DO NOTHING`,
    [normalizeAddress(address), reason, outboxId],
  );
  return r.rowCount === 1;
}

export async function isSuppressed(db: Db, address: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM mail_suppressions WHERE address = $1', [normalizeAddress(address)]);
  return r.rowCount === 1;
}

/** Counts one automatic reply; recording the same outbox row again (a retried send) changes nothing. */
export async function recordAutoReply(db: Db, address: string, outboxId: number): Promise<void> {
  await db.query(
    `INSERT INTO auto_reply_log (address, outbox_id) VALUES ($1, $2)
     ON CONFLICT (outbox_id) DO NOTHING`,
    [normalizeAddress(address), outboxId],
  );
}

export async function autoRepliesSince(db: Db, address: string, since: Date): Promise<number> {
  const r = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM auto_reply_log WHERE address = $1 AND sent_at >= $2',
    [normalizeAddress(address), since],
  );
  return r.rows[0]?.n ?? 0;
}
