// SQL for what a request's thread shows: inbound_messages and outbox rows through thread_messages, and attachments.
import type { Db } from '../../db/pool.ts';

export interface InboundView {
  id: number;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  textBody: string | null;
  htmlBody: string | null;
  authoredText: string | null;
  receivedAt: Date;
  state: string;
  kind: string | null;
}

export interface OutboundView {
  id: number;
  kind: string;
  toAddress: string;
  subject: string;
  textBody: string;
  state: string;
  sentAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

export type ThreadEntry =
  | { direction: 'in'; author: string; at: Date; inbound: InboundView }
  | { direction: 'out'; author: string; at: Date; outbound: OutboundView };

const INBOUND = `i.id, i.from_address AS "fromAddress", i.from_name AS "fromName", i.subject, i.text_body AS "textBody",
  i.html_body AS "htmlBody", i.authored_text AS "authoredText", i.received_at AS "receivedAt", i.state, i.kind`;

export async function getInbound(db: Db, id: number): Promise<InboundView | null> {
  const { rows } = await db.query<InboundView>(`SELECT ${INBOUND} FROM inbound_messages i WHERE i.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function thread(db: Db, requestId: number): Promise<ThreadEntry[]> {
  const { rows } = await db.query<{ direction: 'in' | 'out'; author: string; at: Date; inbound: InboundView | null; outbound: OutboundView | null }>(
    `SELECT t.direction, t.author, coalesce(i.received_at, o.created_at) AS at,
            CASE WHEN i.id IS NOT NULL THEN json_build_object(
              'id', i.id, 'fromAddress', i.from_address, 'fromName', i.from_name, 'subject', i.subject,
              'textBody', i.text_body, 'htmlBody', i.html_body, 'authoredText', i.authored_text,
              'receivedAt', i.received_at, 'state', i.state, 'kind', i.kind) END AS inbound,
            CASE WHEN o.id IS NOT NULL THEN json_build_object(
              'id', o.id, 'kind', o.kind, 'toAddress', o.to_address, 'subject', o.subject, 'textBody', o.text_body,
              'state', o.state, 'sentAt', o.sent_at, 'lastError', o.last_error, 'createdAt', o.created_at) END AS outbound
       FROM thread_messages t
       LEFT JOIN inbound_messages i ON i.id = t.inbound_message_id
       LEFT JOIN outbox o ON o.id = t.outbox_id
      WHERE t.request_id = $1
      ORDER BY coalesce(i.received_at, o.created_at), t.id`,
    [requestId],
  );
  // json_build_object turns timestamps into strings; the views want Dates.
  return rows.map((r) =>
    r.inbound
      ? { direction: 'in' as const, author: r.author, at: r.at, inbound: { ...r.inbound, receivedAt: new Date(r.inbound.receivedAt) } }
      : {
          direction: 'out' as const,
          author: r.author,
          at: r.at,
          outbound: {
            ...(r.outbound as OutboundView),
            createdAt: new Date((r.outbound as OutboundView).createdAt),
            sentAt: (r.outbound as OutboundView).sentAt ? new Date((r.outbound as OutboundView).sentAt as Date) : null,
          },
        },
  );
}

export interface AttachmentMeta {
  id: number;
  inboundMessageId: number;
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  disposition: string | null;
  stored: boolean;
  droppedReason: string | null;
}

const ATTACHMENT = `id, inbound_message_id AS "inboundMessageId", filename, content_type AS "contentType", size,
  content_id AS "contentId", disposition, content IS NOT NULL AS stored, dropped_reason AS "droppedReason"`;

export async function attachmentsOf(db: Db, inboundMessageIds: number[]): Promise<AttachmentMeta[]> {
  if (inboundMessageIds.length === 0) return [];
  const { rows } = await db.query<AttachmentMeta>(
    `SELECT ${ATTACHMENT} FROM attachments WHERE inbound_message_id = ANY($1::bigint[]) ORDER BY inbound_message_id, part_index`,
    [inboundMessageIds],
  );
  return rows;
}

export async function attachmentContent(db: Db, id: number): Promise<(AttachmentMeta & { content: Buffer | null }) | null> {
  const { rows } = await db.query<AttachmentMeta & { content: Buffer | null }>(`SELECT ${ATTACHMENT}, content FROM attachments WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The phone number an agent took down when logging a call (kept with the entry's message, not on the request). */
export async function residentPhoneOf(db: Db, inboundMessageId: number): Promise<string | null> {
  const { rows } = await db.query<{ phone: string | null }>(
    `SELECT headers->>'x-cityline-resident-phone' AS phone FROM inbound_messages WHERE id = $1 AND source = 'http'`,
    [inboundMessageId],
  );
  return rows[0]?.phone ?? null;
}
