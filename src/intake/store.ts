// The first thing done with any message: store it raw, once, before it is acknowledged anywhere.
import { createHash } from 'node:crypto';
import type { Db } from '../db/pool.ts';
import { PermanentError } from '../errors.ts';
import { isRasterImage } from '../mail/raster-image.ts';

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
  /** What makes this message the same as another, when the caller knows better than its Message-ID (a form's channel and id). */
  dedupeKey?: string;
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
  const dedupeKey = input.dedupeKey ?? dedupeKeyOf(raw);
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

export interface InboundRow {
  id: number;
  source: IntakeSource;
  state: 'stored' | 'parsed' | 'done' | 'ignored' | 'failed';
  kind: string | null;
  requestId: number | null;
  messageId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  replyTo: string | null;
  subject: string | null;
  textBody: string | null;
  authoredText: string | null;
  receivedAt: Date;
  senderVerified: boolean;
}

const INBOUND_COLUMNS = `id, source, state, kind, request_id AS "requestId", message_id AS "messageId",
  from_address AS "fromAddress", from_name AS "fromName", reply_to AS "replyTo", subject, text_body AS "textBody",
  authored_text AS "authoredText", received_at AS "receivedAt", sender_verified AS "senderVerified"`;

export async function getInbound(db: Db, id: number): Promise<InboundRow | null> {
  const { rows } = await db.query<InboundRow>(`SELECT ${INBOUND_COLUMNS} FROM inbound_messages WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export interface KeptAttachment {
  id: number;
  filename: string | null;
  size: number;
  /** A raster image by its bytes: the only kind forwarded to a department. */
  forwardable: boolean;
}

/**
 * Locks a message for the stage that opens its request, with the attachments it kept (not dropped for size),
 * in message order: one round trip for everything a department's ticket quotes.
 */
export async function lockInboundWithAttachments(db: Db, id: number): Promise<(InboundRow & { attachments: KeptAttachment[] }) | null> {
  const { rows } = await db.query<InboundRow & { attachments: KeptAttachment[] }>(
    `SELECT ${INBOUND_COLUMNS},
            (SELECT coalesce(json_agg(json_build_object('id', a.id, 'filename', a.filename, 'size', a.size, 'forwardable', a.forwardable) ORDER BY a.part_index), '[]')
               FROM attachments a WHERE a.inbound_message_id = m.id AND a.content IS NOT NULL) AS attachments
       FROM inbound_messages m WHERE m.id = $1 FOR UPDATE OF m`,
    [id],
  );
  return rows[0] ?? null;
}

// bytea arrives as hex text: a value read in one piece costs about five times its size at once (the
// protocol message, the hex string, the Buffer). Larger values are read in pieces this size.
const PIECE_BYTES = 4 * 1024 * 1024;

/** A bytea value of known size read in pieces into one Buffer; piece(from, length) reads one (1-based). */
async function readInPieces(size: number, piece: (from: number, length: number) => Promise<Buffer | undefined>, what: string): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += PIECE_BYTES) {
    const part = await piece(at + 1, PIECE_BYTES);
    if (!part) throw new Error(`${what} changed while it was read`);
    part.copy(out, at);
  }
  return out;
}

/** The raw message and its state; a large message is read in pieces. */
export async function getRaw(db: Db, id: number): Promise<{ raw: Buffer; state: InboundRow['state'] } | null> {
  const { rows } = await db.query<{ raw: Buffer | null; state: InboundRow['state']; size: number }>(
    `SELECT CASE WHEN octet_length(raw) <= $2 THEN raw END AS raw, state, octet_length(raw) AS size FROM inbound_messages WHERE id = $1`,
    [id, PIECE_BYTES],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.raw) return { raw: row.raw, state: row.state };
  const raw = await readInPieces(row.size, async (from, length) =>
    (await db.query<{ part: Buffer }>('SELECT substring(raw FROM $2 FOR $3) AS part FROM inbound_messages WHERE id = $1', [id, from, length])).rows[0]?.part,
    `inbound message ${id}`);
  return { raw, state: row.state };
}

/** Kept attachments with their content, in id order; large ones are read in pieces. */
export async function attachmentContents(db: Db, ids: number[]): Promise<{ filename: string | null; contentType: string; content: Buffer }[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: number; filename: string | null; contentType: string; content: Buffer | null; size: number }>(
    `SELECT id, filename, content_type AS "contentType", CASE WHEN octet_length(content) <= $2 THEN content END AS content, octet_length(content) AS size
       FROM attachments WHERE id = ANY($1) AND content IS NOT NULL ORDER BY id`,
    [ids, PIECE_BYTES],
  );
  const out: { filename: string | null; contentType: string; content: Buffer }[] = [];
  for (const a of rows) {
    const content = a.content ?? await readInPieces(a.size, async (from, length) =>
      (await db.query<{ part: Buffer }>('SELECT substring(content FROM $2 FOR $3) AS part FROM attachments WHERE id = $1', [a.id, from, length])).rows[0]?.part,
      `attachment ${a.id}`);
    out.push({ filename: a.filename, contentType: a.contentType, content });
  }
  return out;
}

export interface ParsedFields {
  messageId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  replyTo: string | null;
  to: string[];
  subject: string;
  sentAt: Date | null;
  inReplyTo: string | null;
  references: string[];
  text: string;
  html: string | null;
  authoredText: string;
  headers: Record<string, unknown>;
  notes: string[];
}

/** The From proved itself (see migration 006); set once the parse stage knows how the message threads. */
export async function markSenderVerified(db: Db, id: number): Promise<void> {
  await db.query('UPDATE inbound_messages SET sender_verified = true WHERE id = $1', [id]);
}

/** Whether mail from this address has ever proved itself before (an earlier message other than `exceptId`). */
export async function addressProvedBefore(db: Db, address: string, exceptId: number): Promise<boolean> {
  const { rows } = await db.query<{ known: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM inbound_messages WHERE lower(from_address) = lower($1) AND sender_verified AND id <> $2) AS known`,
    [address, exceptId],
  );
  return rows[0]?.known ?? false;
}

/**
 * Records what the parser read, only while the message is still `stored`; false when another worker
 * finished it meanwhile. The UPDATE locks the row and re-checks its state in one statement (a row being
 * changed is waited for, then checked again), so no SELECT ... FOR UPDATE comes first. With an opening
 * (the common case, a new request) the message is left waiting for it in the same statement; otherwise
 * the decision that follows sets its state and kind.
 */
export async function saveParsed(db: Db, id: number, p: ParsedFields, opening: Opening | null = null): Promise<boolean> {
  const next = opening ? openingOutcome(opening) : null;
  const { rowCount } = await db.query(
    `UPDATE inbound_messages SET message_id = coalesce(message_id, $2), from_address = $3, from_name = $4, reply_to = $5,
        to_addresses = $6, subject = $7, sent_at = $8, in_reply_to = $9, references_ids = $10, text_body = $11,
        html_body = $12, authored_text = $13, headers = $14, parse_notes = $15, parsed_at = now(),
        state = coalesce($16, state), kind = coalesce($17, kind), request_id = coalesce($18, request_id)
      WHERE id = $1 AND state = 'stored'`,
    [id, p.messageId, p.fromAddress, p.fromName, p.replyTo, p.to, p.subject, p.sentAt, p.inReplyTo, p.references,
      p.text, p.html, p.authoredText, JSON.stringify(p.headers), p.notes, next?.state ?? null, next?.kind ?? null, next?.requestId ?? null],
  );
  return rowCount === 1;
}

export async function insertAttachments(
  db: Db,
  inboundMessageId: number,
  parts: { partIndex: number; filename: string | null; contentType: string; size: number; contentId: string | null; disposition: string | null; sha256: string; content: Buffer | null; droppedReason: string | null }[],
): Promise<void> {
  for (const a of parts) {
    await db.query(
      `INSERT INTO attachments (inbound_message_id, part_index, filename, content_type, size, content_id, disposition, sha256, content, dropped_reason, forwardable)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (inbound_message_id, part_index) DO NOTHING`,
      [inboundMessageId, a.partIndex, a.filename, a.contentType, a.size, a.contentId, a.disposition, a.sha256, a.content, a.droppedReason, isRasterImage(a.content)],
    );
  }
}

/**
 * Why a parsed message should open a request: the parse stage's verdict, kept on the message so that the
 * classify stage (or the sweeper, after a crash) can act on it with nothing but the message's id.
 */
export type Opening = { kind: 'new_request' } | { kind: 'unverified_reference' } | { kind: 'follow_up'; previousRequestId: number };

/** Leaves a message parsed, waiting for the stage that opens its request. */
export async function awaitOpening(db: Db, id: number, opening: Opening): Promise<void> {
  await setInboundOutcome(db, id, openingOutcome(opening));
}

function openingOutcome(opening: Opening): { state: 'parsed'; kind: Opening['kind']; requestId: number | null } {
  return { state: 'parsed', kind: opening.kind, requestId: opening.kind === 'follow_up' ? opening.previousRequestId : null };
}

/** The verdict awaitOpening left on a message. */
export function openingOf(msg: Pick<InboundRow, 'kind' | 'requestId'>): Opening {
  if (msg.kind === 'follow_up' && msg.requestId !== null) return { kind: 'follow_up', previousRequestId: msg.requestId };
  return msg.kind === 'unverified_reference' ? { kind: 'unverified_reference' } : { kind: 'new_request' };
}

export async function setInboundOutcome(
  db: Db,
  id: number,
  outcome: { state: InboundRow['state']; kind?: string | null; requestId?: number | null; error?: string | null },
): Promise<void> {
  await db.query(
    `UPDATE inbound_messages SET state = $2, kind = coalesce($3, kind), request_id = coalesce($4, request_id), error = $5 WHERE id = $1`,
    [id, outcome.state, outcome.kind ?? null, outcome.requestId ?? null, outcome.error ?? null],
  );
}

/** The request opened by one of these messages, when that message came from `sender`. */
export async function requestOfMessageFrom(db: Db, messageIds: string[], sender: string): Promise<number | null> {
  const { rows } = await db.query<{ requestId: number }>(
    `SELECT request_id AS "requestId" FROM inbound_messages
      WHERE message_id = ANY($1) AND request_id IS NOT NULL AND lower(from_address) = lower($2)
      ORDER BY id LIMIT 1`,
    [messageIds, sender],
  );
  return rows[0]?.requestId ?? null;
}

export async function attachmentsOf(db: Db, inboundMessageId: number): Promise<{ id: number; filename: string | null; contentType: string; size: number; dropped: boolean; forwardable: boolean }[]> {
  const { rows } = await db.query<{ id: number; filename: string | null; contentType: string; size: number; dropped: boolean; forwardable: boolean }>(
    `SELECT id, filename, content_type AS "contentType", size, content IS NULL AS dropped, forwardable
       FROM attachments WHERE inbound_message_id = $1 ORDER BY part_index`,
    [inboundMessageId],
  );
  return rows;
}

/** Messages a stage should have taken but has not (its job was lost with Redis, or never queued). */
export async function stalledInbound(db: Db, olderThanSeconds: number, limit: number): Promise<{ id: number; state: 'stored' | 'parsed' }[]> {
  const { rows } = await db.query<{ id: number; state: 'stored' | 'parsed' }>(
    `SELECT id, state FROM inbound_messages WHERE state IN ('stored', 'parsed')
        AND received_at < now() - make_interval(secs => $1) ORDER BY id LIMIT $2`,
    [olderThanSeconds, limit],
  );
  return rows;
}

/** Puts a failed message back at the start of the pipeline (it is parsed again); false when it is not failed. */
export async function resetFailedInbound(db: Db, id: number): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE inbound_messages SET state = 'stored', error = NULL WHERE id = $1 AND state = 'failed'`, [id]);
  return rowCount === 1;
}
