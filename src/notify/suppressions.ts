// Addresses we no longer mail (hard bounces) and the count of automatic replies per address, which
// caps how often a loop we failed to recognise can make us write to the same robot.
import type { Db } from '../db/pool.ts';
import { PermanentError } from '../errors.ts';
import { parseAddress } from '../mail/address.ts';

/**
 * Addresses are stored lower-cased: mail systems treat the case of a domain, and in practice the local part,
 * as noise. An invalid address is a permanent error: no retry will make it valid.
 */
export function normalizeAddress(address: string): string {
  const bare = parseAddress(address);
  if (bare === null) throw new PermanentError(`not an email address: "${address.slice(0, 200)}"`, 'INVALID_ADDRESS');
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
  return (await firstSuppressed(db, [address])) !== null;
}

/** The first of these addresses that must not be mailed, or null: one query for a whole recipient list. */
export async function firstSuppressed(db: Db, addresses: string[]): Promise<string | null> {
  const r = await db.query<{ address: string }>('SELECT address FROM mail_suppressions WHERE address = ANY($1) LIMIT 1', [addresses.map(normalizeAddress)]);
  return r.rows[0]?.address ?? null;
}

/**
 * SQL for the first address of a comma-separated recipient list (a text expression) that must not be mailed,
 * or NULL; addresses compared as normalizeAddress writes them. For a statement that claims a row and checks
 * it in one round trip.
 */
export function firstSuppressedSql(recipients: string): string {
  return `(SELECT s.address FROM mail_suppressions s
     WHERE s.address IN (SELECT lower(btrim(regexp_replace(btrim(a), '^<(.*)>$', '\\1'))) FROM unnest(string_to_array(${recipients}, ',')) a)
     LIMIT 1)`;
}

export interface Suppression {
  address: string;
  reason: string;
  createdAt: Date;
}

export async function listSuppressions(db: Db, search: string | null): Promise<Suppression[]> {
  const { rows } = await db.query<Suppression>(
    `SELECT address, reason, created_at AS "createdAt" FROM mail_suppressions
      WHERE $1::text IS NULL OR address ILIKE '%' || $1 || '%' ORDER BY created_at DESC LIMIT 500`,
    [search],
  );
  return rows;
}

/** Mail to the address may go again (the resident fixed their mailbox); returns false when it was not suppressed. */
export async function liftSuppression(db: Db, address: string): Promise<boolean> {
  return ((await db.query('DELETE FROM mail_suppressions WHERE address = $1', [normalizeAddress(address)])).rowCount ?? 0) > 0;
}
