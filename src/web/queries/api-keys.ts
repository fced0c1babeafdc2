// SQL for the open311_api_keys table: the keys civic apps file requests and updates with.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/pool.ts';

export interface ApiKey {
  id: number;
  name: string;
  keyPrefix: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
  /** Requests filed with the key. */
  filed: number;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates a key; the returned secret is shown once and never stored. */
export async function createApiKey(db: Db, input: { name: string; createdBy: string }): Promise<{ id: number; key: string }> {
  const key = `o311_${randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO open311_api_keys (name, key_hash, key_prefix, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
    [input.name, hashKey(key), key.slice(0, 9), input.createdBy],
  );
  return { id: (rows[0] as { id: number }).id, key };
}

export async function listApiKeys(db: Db): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKey>(
    `SELECT k.id, k.name, k.key_prefix AS "keyPrefix", k.created_by AS "createdBy", k.created_at AS "createdAt",
            k.revoked_at AS "revokedAt", k.revoked_by AS "revokedBy", k.last_used_at AS "lastUsedAt",
            (SELECT count(*)::int FROM open311_submissions s WHERE s.api_key_id = k.id) AS filed
       FROM open311_api_keys k ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC`,
  );
  return rows;
}

export async function revokeApiKey(db: Db, id: number, revokedBy: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE open311_api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL',
    [id, revokedBy],
  );
  return rowCount === 1;
}

/** The live key a client sent, marked as used; null for an unknown or revoked one. */
export async function useApiKey(db: Db, key: string): Promise<{ id: number; name: string } | null> {
  const { rows } = await db.query<{ id: number; name: string }>(
    `UPDATE open311_api_keys SET last_used_at = now() WHERE key_hash = $1 AND revoked_at IS NULL RETURNING id, name`,
    [hashKey(key)],
  );
  return rows[0] ?? null;
}
