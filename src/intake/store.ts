// The first thing done with any message: store it raw, once, before it is acknowledged anywhere.
import { createHash } from 'node:crypto';
import type { Db } from '../db/pool.ts';
import { PermanentError } from '../errors.ts';

export type IntakeSource = 'imap' | 'drop' | 'pipe' | 'http' | 'bench';

export interface StoredMessage {
  id: number;
  /** False when this message (same Message-ID, same bytes, or same mailbox UID) was already stored. */
  created: boolean;
  state: string;
}

// Header block only: the Message-ID must come from the top-level headers, not an attached message's.
function headerBlock(raw: Buffer): string {
  const limit = Math.min(raw.length, 256 * 1024);
  let end = raw.indexOf('\r\n\r\n');
  if (end < 0 || end > limit) end = raw.indexOf('\n\n');
  if (end < 0 || end > limit) end = limit;
  return raw.subarray(0, end).toString('latin1');
}

/** The Message-ID header's value without angle brackets, or null when there is none. */
export function messageIdOf(raw: Buffer): string | null {
  const m = /^message-id:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/im.exec(headerBlock(raw));
  if (!m?.[1]) return null;
  const value = m[1].replace(/\r?\n[ \t]+/g, ' ').trim();
  const bracketed = /<([^<>\s]+)>/.exec(value);
  const id = bracketed?.[1] ?? value.split(/\s+/)[0] ?? '';
  return id.length > 0 && id.length <= 995 ? id : null;
}

export function dedupeKeyOf(raw: Buffer): string {
  const mid = messageIdOf(raw);
  return mid ? `mid:${mid}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export interface StoreInput {
  raw: Buffer;
  source: IntakeSource;
  sourceRef?: string | null;
  maxRawBytes: number;
}

/**
 * Stores a raw message and returns its id. Idempotent: a redelivery returns the existing row.
 * Throws PermanentError for input that can never be stored (empty, over the size cap).
 */
export async function storeRawMessage(db: Db, input: StoreInput): Promise<StoredMessage> {
  const { raw, source } = input;
  if (raw.length === 0) throw new PermanentError('message is empty', 'EMPTY_MESSAGE');
  if (raw.length > input.maxRawBytes) {
    throw new PermanentError(`message is ${raw.length} bytes, over the ${input.maxRawBytes}-byte cap (CITYLINE_MAX_RAW_BYTES)`, 'MESSAGE_TOO_LARGE');
  }
  const sourceRef = input.sourceRef ?? null;
  const dedupeKey = dedupeKeyOf(raw);
  const inserted = await db.query<{ id: number; state: string }>(
    `INSERT INTO inbound_messages (source, source_ref, dedupe_key, raw, raw_size, message_id)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING
     RETURNING id, state`,
    [source, sourceRef, dedupeKey, raw, raw.length, messageIdOf(raw)],
  );
  const row = inserted.rows[0];
  if (row) return { id: row.id, created: true, state: row.state };
  const existing = await db.query<{ id: number; state: string }>(
    `SELECT id, state FROM inbound_messages
      WHERE dedupe_key = $1 OR (source = $2 AND source_ref = $3)
      ORDER BY id LIMIT 1`,
    [dedupeKey, source, sourceRef],
  );
  const found = existing.rows[0];
  if (!found) throw new Error(`message ${dedupeKey} conflicted on insert but cannot be found`);
  return { id: found.id, created: false, state: found.state };
}
