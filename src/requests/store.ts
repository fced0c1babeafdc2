// SQL for the requests, request_events and thread_messages tables.
import type { Category, Classification, Language, Location } from '../classify/types.ts';
import type { Hazard, Urgency } from '../classify/urgency.ts';
import type { Db } from '../db/pool.ts';
import { DEPARTMENT_KINDS } from '../notify/outbox.ts';
import { FINISHED, OPEN, sqlList, type Status } from './status.ts';

export interface RequestRecord extends Location {
  id: number;
  trackingNumber: string;
  sourceMessageId: number | null;
  status: Status;
  residentEmail: string | null;
  residentName: string | null;
  language: Language;
  subject: string | null;
  category: Category;
  confidence: number;
  alternatives: { category: Category; confidence: number }[];
  modelVersion: string | null;
  reviewReasons: string[];
  /** The resident's address proved itself (authenticated, or answered through our reply address): see migration 006. */
  residentVerified: boolean;
  departmentCode: string | null;
  duplicateOf: number | null;
  createdAt: Date;
  updatedAt: Date;
  confirmedAt: Date | null;
  routedAt: Date | null;
  closedAt: Date | null;
  /** A present danger: flagged for staff, the resident told what to do, the department's ticket marked URGENT. */
  urgency: Urgency;
  hazard: Hazard | null;
  /** When its service target says it should be resolved; null for requests opened before targets. */
  dueAt: Date | null;
  /** How it reached us: email, web, chat, phone, walk_in, letter or open311. */
  channel: string;
  /** The staff account working it; null while unassigned. */
  assignedTo: number | null;
}

export const REQUEST_COLUMNS = `
  r.id, r.tracking_number AS "trackingNumber", r.source_message_id AS "sourceMessageId", r.status,
  r.resident_email AS "residentEmail", r.resident_name AS "residentName", r.language, r.subject, r.category,
  r.confidence, r.alternatives, r.model_version AS "modelVersion", r.street, r.house_number AS "houseNumber",
  r.cross_street AS "crossStreet", r.outside_town AS "outsideTown", r.lat, r.lon, r.review_reasons AS "reviewReasons",
  r.department_code AS "departmentCode", r.duplicate_of AS "duplicateOf", r.created_at AS "createdAt",
  r.updated_at AS "updatedAt", r.confirmed_at AS "confirmedAt", r.routed_at AS "routedAt", r.closed_at AS "closedAt",
  r.urgency, r.hazard, r.due_at AS "dueAt", r.channel, r.assigned_to AS "assignedTo", r.resident_verified AS "residentVerified"`;

export async function getRequest(db: Db, id: number, opts: { forUpdate?: boolean } = {}): Promise<RequestRecord | null> {
  const { rows } = await db.query<RequestRecord>(
    `SELECT ${REQUEST_COLUMNS} FROM requests r WHERE r.id = $1 ${opts.forUpdate ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function getRequestByTrackingNumber(db: Db, trackingNumber: string): Promise<RequestRecord | null> {
  const { rows } = await db.query<RequestRecord>(`SELECT ${REQUEST_COLUMNS} FROM requests r WHERE r.tracking_number = $1`, [trackingNumber]);
  return rows[0] ?? null;
}

export interface NewRequest {
  trackingNumber: string;
  sourceMessageId: number;
  status: Status;
  residentEmail: string | null;
  residentName: string | null;
  subject: string | null;
  classification: Classification;
  departmentCode: string | null;
  duplicateOf: number | null;
  dueAt: Date | null;
  residentVerified?: boolean;
}

// The channel is the HTTP intake's own header on mail it composed itself; on mail from outside the
// same header means nothing.
const INSERT_REQUEST = `INSERT INTO requests AS r (tracking_number, source_message_id, status, resident_email, resident_name, language, subject,
    category, confidence, alternatives, model_version, street, house_number, cross_street, outside_town, lat, lon,
    review_reasons, department_code, duplicate_of, urgency, hazard, routed_at, closed_at, due_at, channel, urgency_raised_at, resident_verified)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
    CASE WHEN $3 = 'routed' THEN now() END, CASE WHEN $3 IN (${sqlList(FINISHED)}) THEN now() END, $23,
    coalesce((SELECT CASE WHEN i.source <> 'http' THEN 'email'
                          WHEN i.headers->>'x-cityline-channel' IN ('chat', 'phone', 'walk_in', 'letter', 'open311') THEN i.headers->>'x-cityline-channel'
                          ELSE 'web' END
                FROM inbound_messages i WHERE i.id = $2), 'email'),
    CASE WHEN $21 <> 'routine' THEN now() END, $24)
  ON CONFLICT (source_message_id) DO NOTHING
  RETURNING ${REQUEST_COLUMNS}`;

function requestValues(r: NewRequest): unknown[] {
  const c = r.classification;
  return [
    r.trackingNumber, r.sourceMessageId, r.status, r.residentEmail, r.residentName, c.language, r.subject,
    c.category, c.confidence, JSON.stringify(c.alternatives), c.modelVersion, c.street, c.houseNumber,
    c.crossStreet, c.outsideTown, c.lat, c.lon, c.reviewReasons, r.departmentCode, r.duplicateOf, c.urgency, c.hazard, r.dueAt, r.residentVerified ?? false,
  ];
}

/** Inserts the request opened by an inbound message; null when that message already opened one. */
export async function insertRequest(db: Db, r: NewRequest): Promise<RequestRecord | null> {
  const { rows } = await db.query<RequestRecord>(INSERT_REQUEST, requestValues(r));
  return rows[0] ?? null;
}

/**
 * Opens the request an inbound message asks for, with its first events (in order) and that message as the
 * first entry of its thread, in one statement; null when the message already opened one.
 */
export async function openRequest(db: Db, r: NewRequest, events: Omit<NewEvent, 'requestId'>[]): Promise<RequestRecord | null> {
  const { rows } = await db.query<RequestRecord>(
    `WITH opened AS (${INSERT_REQUEST}),
     events AS (
       INSERT INTO request_events (request_id, kind, from_status, to_status, actor, note, details)
       SELECT opened.id, e.kind, e.from_status, e.to_status, e.actor, e.note, e.details
         FROM opened, ROWS FROM (jsonb_to_recordset($25::jsonb) AS (kind text, from_status text, to_status text, actor text, note text, details jsonb))
              WITH ORDINALITY AS e(kind, from_status, to_status, actor, note, details, n)
        ORDER BY e.n),
     thread AS (
       INSERT INTO thread_messages (request_id, direction, author, inbound_message_id)
       SELECT id, 'in', 'resident', "sourceMessageId" FROM opened ON CONFLICT DO NOTHING)
     SELECT * FROM opened`,
    [
      ...requestValues(r),
      JSON.stringify(events.map((e) => ({
        kind: e.kind, from_status: e.fromStatus ?? null, to_status: e.toStatus ?? null, actor: e.actor, note: e.note ?? null, details: e.details ?? {},
      }))),
    ],
  );
  return rows[0] ?? null;
}

/** Only requests/actions.ts calls this, after checking the move against status.ts. */
export async function setStatus(db: Db, id: number, status: Status, fields: { departmentCode?: string | null; duplicateOf?: number | null } = {}): Promise<void> {
  await db.query(
    `UPDATE requests SET status = $2, updated_at = now(),
        routed_at = CASE WHEN $2 = 'routed' THEN now() ELSE routed_at END,
        closed_at = CASE WHEN $2 IN (${sqlList(FINISHED)}) THEN now() ELSE NULL END,
        department_code = CASE WHEN $3::boolean THEN $4 ELSE department_code END,
        duplicate_of = CASE WHEN $5::boolean THEN $6::bigint ELSE duplicate_of END
      WHERE id = $1`,
    [id, status, fields.departmentCode !== undefined, fields.departmentCode ?? null, fields.duplicateOf !== undefined, fields.duplicateOf ?? null],
  );
}

/** Only requests/actions.ts calls this: a re-route that keeps the status hands the request to another department. */
export async function setDepartment(db: Db, id: number, departmentCode: string): Promise<void> {
  await db.query('UPDATE requests SET department_code = $2, routed_at = now(), updated_at = now() WHERE id = $1', [id, departmentCode]);
}

/** Only requests/actions.ts calls this. */
export async function setAssignee(db: Db, id: number, userId: number | null): Promise<void> {
  await db.query('UPDATE requests SET assigned_to = $2, updated_at = now() WHERE id = $1', [id, userId]);
}

/** Adds a review reason once (a reason already there is not repeated). */
export async function addReviewReason(db: Db, id: number, reason: string): Promise<void> {
  await db.query(
    'UPDATE requests SET review_reasons = array_append(array_remove(review_reasons, $2::text), $2::text), updated_at = now() WHERE id = $1',
    [id, reason],
  );
}

/** What a department's ticket quotes from the message that opened a request, and how often it was routed. */
export async function ticketSourceOf(db: Db, requestId: number): Promise<{ authored: string; receivedAt: Date | null; routings: number }> {
  const { rows } = await db.query<{ authored: string; receivedAt: Date | null; routings: number }>(
    `SELECT coalesce(i.authored_text, i.text_body, '') AS authored, i.received_at AS "receivedAt",
            (SELECT count(*)::int FROM request_events e WHERE e.request_id = $1 AND (e.to_status = 'routed' OR e.kind = 'rerouted')) AS routings
       FROM requests r LEFT JOIN inbound_messages i ON i.id = r.source_message_id WHERE r.id = $1`,
    [requestId],
  );
  return rows[0] ?? { authored: '', receivedAt: null, routings: 0 };
}

/** The id of a request's latest status event (status mail is deduplicated per move). */
export async function lastStatusEventId(db: Db, requestId: number): Promise<number> {
  const { rows } = await db.query<{ id: number | null }>(`SELECT max(id) AS id FROM request_events WHERE request_id = $1 AND kind = 'status'`, [requestId]);
  return rows[0]?.id ?? 0;
}

export interface Reclassification extends Omit<Location, 'outsideTown'> {
  category: Category;
  dueAt: Date | null;
}

export async function updateClassification(db: Db, id: number, c: Reclassification): Promise<void> {
  await db.query(
    `UPDATE requests SET category = $2, street = $3, house_number = $4, cross_street = $5, lat = $6, lon = $7,
        outside_town = CASE WHEN $3::text IS NULL THEN outside_town END, due_at = $8, updated_at = now()
      WHERE id = $1`,
    [id, c.category, c.street, c.houseNumber, c.crossStreet, c.lat, c.lon, c.dueAt],
  );
}

/** The resident answered through our reply address (or authenticated): their address has proved itself. */
export async function markResidentVerified(db: Db, id: number): Promise<void> {
  await db.query('UPDATE requests SET resident_verified = true WHERE id = $1 AND NOT resident_verified', [id]);
}

/** Raises a request's urgency (never lowers it: staff do that by hand). */
export async function setUrgency(db: Db, id: number, urgency: Urgency, hazard: Hazard): Promise<void> {
  await db.query(`UPDATE requests SET urgency = $2, hazard = $3, urgency_raised_at = now(), updated_at = now() WHERE id = $1`, [id, urgency, hazard]);
}

/** Staff say a flagged request is no danger after all. */
export async function clearUrgency(db: Db, id: number): Promise<void> {
  await db.query(`UPDATE requests SET urgency = 'routine', hazard = NULL, updated_at = now() WHERE id = $1`, [id]);
}

export async function markConfirmed(db: Db, id: number): Promise<void> {
  await db.query('UPDATE requests SET confirmed_at = coalesce(confirmed_at, now()) WHERE id = $1', [id]);
}

export interface NewEvent {
  requestId: number;
  kind: 'status' | 'classified' | 'reclassified' | 'linked_duplicate' | 'unlinked_duplicate' | 'linked_follow_up' | 'reply' | 'bounce' | 'command_rejected' | 'staff_reply' | 'forwarded' | 'escalated'
    | 'urgency_raised' | 'urgency_cleared' | 'public_comment' | 'note' | 'assigned' | 'rerouted' | 'status_proposed' | 'status_proposal_rejected';
  fromStatus?: Status | null;
  toStatus?: Status | null;
  actor: string;
  note?: string | null;
  /** Published in Open311; the note above is for the resident and is never published. */
  publicNote?: string | null;
  details?: Record<string, unknown>;
}

export async function addEvent(db: Db, e: NewEvent): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO request_events (request_id, kind, from_status, to_status, actor, note, public_note, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [e.requestId, e.kind, e.fromStatus ?? null, e.toStatus ?? null, e.actor, e.note ?? null, e.publicNote ?? null, JSON.stringify(e.details ?? {})],
  );
  return (rows[0] as { id: number }).id;
}

/** Marks a request as changed now, for what leaves its status alone (a comment): clients poll by last update. */
export async function touchRequest(db: Db, id: number): Promise<void> {
  await db.query('UPDATE requests SET updated_at = now() WHERE id = $1', [id]);
}

export interface StatusHistoryEntry {
  at: Date;
  fromStatus: Status | null;
  toStatus: Status;
  actor: string;
  note: string | null;
}

export async function statusHistory(db: Db, requestId: number): Promise<StatusHistoryEntry[]> {
  const { rows } = await db.query<StatusHistoryEntry>(
    `SELECT created_at AS at, from_status AS "fromStatus", to_status AS "toStatus", actor, note
       FROM request_events WHERE request_id = $1 AND kind = 'status' ORDER BY id`,
    [requestId],
  );
  return rows;
}

export interface NewThreadMessage {
  requestId: number;
  direction: 'in' | 'out';
  author: 'resident' | 'department' | 'staff' | 'system' | 'other';
  inboundMessageId?: number;
  outboxId?: number;
}

export async function addThreadMessage(db: Db, m: NewThreadMessage): Promise<void> {
  await addThreadMessages(db, [m]);
}

/** Adds entries to threads in the order given (their ids order the conversation), in one statement. */
export async function addThreadMessages(db: Db, ms: NewThreadMessage[]): Promise<void> {
  if (ms.length === 0) return;
  await db.query(
    `INSERT INTO thread_messages (request_id, direction, author, inbound_message_id, outbox_id)
     VALUES ${ms.map((_, i) => `($${i * 5 + 1}::bigint, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}::bigint, $${i * 5 + 5}::bigint)`).join(', ')}
     ON CONFLICT DO NOTHING`,
    ms.flatMap((m) => [m.requestId, m.direction, m.author, m.inboundMessageId ?? null, m.outboxId ?? null]),
  );
}

export interface DuplicateQuery {
  category: Category;
  street: string;
  houseNumber: string | null;
  crossStreet: string | null;
}

// An open request of the same category at the same place, reported earlier: a new one duplicates it.
const OPEN_DUPLICATE = `r.category = $1 AND r.street = $2
    AND r.status IN (${sqlList(OPEN)})
    AND r.duplicate_of IS NULL
    AND ($3::text IS NULL OR r.house_number IS NULL OR r.house_number = $3)
    AND ($4::text IS NULL OR r.cross_street IS NULL OR r.cross_street = $4)`;

/**
 * What opening a request needs from the database, in one round trip: the next tracking sequence value and,
 * when a place is given, the open request the new one would duplicate.
 */
export async function prepareOpening(db: Db, place: DuplicateQuery | null): Promise<{ trackingSequence: number; duplicate: RequestRecord | null }> {
  const { rows } = await db.query<RequestRecord & { trackingSequence: number }>(
    `SELECT nextval('tracking_number_seq') AS "trackingSequence", d.*
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT ${REQUEST_COLUMNS} FROM requests r WHERE ${OPEN_DUPLICATE} ORDER BY r.id LIMIT 1) d ON true`,
    [place?.category ?? null, place?.street ?? null, place?.houseNumber ?? null, place?.crossStreet ?? null],
  );
  const { trackingSequence, ...duplicate } = rows[0] as RequestRecord & { trackingSequence: number };
  return { trackingSequence, duplicate: duplicate.id === null ? null : duplicate };
}

/**
 * Message-IDs of one side of a request's conversation (the resident's, or the department's), oldest
 * first: the References of the next message to that side, so it threads under what they already have.
 */
export async function conversationMessageIds(db: Db, requestId: number, side: 'resident' | 'department'): Promise<string[]> {
  const { rows } = await db.query<{ mid: string }>(
    `SELECT coalesce(i.message_id, o.message_id) AS mid
       FROM thread_messages t
       LEFT JOIN inbound_messages i ON i.id = t.inbound_message_id
       LEFT JOIN outbox o ON o.id = t.outbox_id
      WHERE t.request_id = $1
        AND (t.author = $2 OR (o.id IS NOT NULL AND (o.kind = ANY($3)) = ($2 = 'department')))
        AND coalesce(i.message_id, o.message_id) IS NOT NULL
      ORDER BY t.id`,
    [requestId, side, DEPARTMENT_KINDS],
  );
  return rows.map((r) => r.mid);
}

/** The resident now waits for a person's answer (the questions queue) (kept from the first time when they were already waiting). */
export async function markAwaitingAnswer(db: Db, requestId: number): Promise<void> {
  await db.query('UPDATE requests SET awaiting_answer_since = coalesce(awaiting_answer_since, now()) WHERE id = $1', [requestId]);
}

export async function clearAwaitingAnswer(db: Db, requestId: number): Promise<void> {
  await db.query('UPDATE requests SET awaiting_answer_since = NULL WHERE id = $1', [requestId]);
}
