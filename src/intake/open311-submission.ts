// Open311 POST requests become ordinary RFC 822 messages, like web-form submissions, so one pipeline
// (store first, parse, classify, confirm, route, thread) serves every channel. What the client states as
// fact (the service, the point on the map) is kept beside the message in open311_submissions and wins
// over the classifier's reading of the text.
import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { TAXONOMY } from '../classify/taxonomy.ts';
import type { Category, Classification } from '../classify/types.ts';
import { withTransaction, type Db } from '../db/pool.ts';
import type pg from 'pg';
import { storeRawMessage } from './store.ts';

export interface Submission {
  apiKeyId: number;
  apiKeyName: string;
  serviceCode: Category;
  serviceName: string;
  description: string;
  lat: number | null;
  lon: number | null;
  addressString: string | null;
  addressId: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  mediaUrl: string | null;
  /** Checked answers: the question as asked, and the names of the values given. */
  attributes: { code: string; description: string; values: string[]; names: string[] }[];
  files: { filename: string; contentType: string; content: Buffer }[];
}

/** The message a submission becomes: what the resident wrote first, then the facts the department needs. */
export async function submissionToMessage(s: Submission, opts: { to: string; now?: Date }): Promise<Buffer> {
  const name = [s.firstName, s.lastName].filter(Boolean).join(' ') || null;
  const facts = [
    s.addressString ? `Location: ${s.addressString}` : null,
    s.addressId ? `Address id: ${s.addressId}` : null,
    s.lat !== null && s.lon !== null ? `Coordinates: ${s.lat}, ${s.lon}` : null,
    ...s.attributes.map((a) => `${a.description} ${a.names.join(', ')}`),
    s.mediaUrl ? `Photo: ${s.mediaUrl}` : null,
    s.phone ? `Phone: ${s.phone}` : null,
  ].filter((l): l is string => l !== null);
  const composer = new MailComposer({
    ...(s.email ? { from: name ? { name, address: s.email } : s.email } : {}),
    to: opts.to,
    subject: s.serviceName,
    text: `${s.description}\n\n${facts.join('\n')}${facts.length ? '\n\n' : ''}Filed through Open311 by ${s.apiKeyName}.\n`,
    date: opts.now ?? new Date(),
    headers: { 'X-CityLine-Channel': 'open311' },
    attachments: s.files.map((f) => ({ filename: f.filename, contentType: f.contentType, content: f.content })),
  });
  return composer.compile().build();
}

/** Stores the message and its submission in one transaction; returns the token the client may poll. */
export async function storeSubmission(pool: pg.Pool, s: Submission, opts: { to: string; maxRawBytes: number }): Promise<{ token: string; inboundMessageId: number }> {
  const raw = await submissionToMessage(s, opts);
  const token = randomBytes(16).toString('hex');
  return withTransaction(pool, async (tx) => {
    const stored = await storeRawMessage(tx, { raw, source: 'http', sourceRef: `open311:${token}`, maxRawBytes: opts.maxRawBytes });
    await tx.query(
      `INSERT INTO open311_submissions (token, api_key_id, inbound_message_id, service_code, lat, lon, address_string, address_id, attributes, media_url, phone)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [token, s.apiKeyId, stored.id, s.serviceCode, s.lat, s.lon, s.addressString, s.addressId,
        JSON.stringify(Object.fromEntries(s.attributes.map((a) => [a.code, a.values.length === 1 ? a.values[0] : a.values]))), s.mediaUrl, s.phone],
    );
    return { token, inboundMessageId: stored.id };
  });
}

/** What a token stands for: the request once the pipeline opened it, else how far its message got. */
export async function submissionByToken(db: Db, token: string): Promise<{ trackingNumber: string | null; state: string } | null> {
  const { rows } = await db.query<{ trackingNumber: string | null; state: string }>(
    `SELECT r.tracking_number AS "trackingNumber", m.state
       FROM open311_submissions s JOIN inbound_messages m ON m.id = s.inbound_message_id
       LEFT JOIN requests r ON r.source_message_id = m.id
      WHERE s.token = $1`,
    [token],
  );
  return rows[0] ?? null;
}

/** True when the message came in through Open311: it opens a request of its own, whatever it quotes. */
export async function isSubmission(db: Db, inboundMessageId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM open311_submissions WHERE inbound_message_id = $1', [inboundMessageId]);
  return rows.length > 0;
}

/**
 * The classification of a submitted message with the client's facts put first: the service it chose is
 * the category, and its point on the map is the place when the text names no street.
 */
export async function withSubmittedFacts(db: Db, inboundMessageId: number, c: Classification): Promise<Classification> {
  const { rows } = await db.query<{ serviceCode: Category; lat: number | null; lon: number | null }>(
    'SELECT service_code AS "serviceCode", lat, lon FROM open311_submissions WHERE inbound_message_id = $1',
    [inboundMessageId],
  );
  const s = rows[0];
  if (!s) return c;
  const point = s.lat !== null && s.lon !== null;
  const reviewReasons = c.reviewReasons.filter((r) => r !== 'low_confidence' && r !== 'no_location');
  if (TAXONOMY[s.serviceCode].needsLocation && c.street === null && !point) reviewReasons.push('no_location');
  return {
    ...c,
    category: s.serviceCode,
    confidence: 1,
    alternatives: [{ category: s.serviceCode, confidence: 1 }],
    lat: point ? s.lat : c.lat,
    lon: point ? s.lon : c.lon,
    reviewReasons,
    needsReview: reviewReasons.length > 0,
  };
}

export interface SubmittedUpdate {
  trackingNumber: string;
  apiKeyName: string;
  description: string;
  mediaUrl: string | null;
  email: string | null;
  name: string | null;
}

/** A comment posted to servicerequestupdates, as the message kept in the request's thread. */
export async function updateToMessage(u: SubmittedUpdate, opts: { to: string; now?: Date }): Promise<Buffer> {
  const composer = new MailComposer({
    ...(u.email ? { from: u.name ? { name: u.name, address: u.email } : u.email } : {}),
    to: opts.to,
    subject: `Update on ${u.trackingNumber}`,
    text: `${u.description}\n\n${u.mediaUrl ? `Photo: ${u.mediaUrl}\n\n` : ''}Posted through Open311 by ${u.apiKeyName}.\n`,
    date: opts.now ?? new Date(),
    headers: { 'X-CityLine-Channel': 'open311' },
  });
  return composer.compile().build();
}
