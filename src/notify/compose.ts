// Builds each kind of outbound email for a request as an outbox row: who it goes to, how it threads
// (Message-ID, In-Reply-To, References, a reply address that leads back to the request), and its text.
import type { Language } from '../classify/types.ts';
import type { Config } from '../config/index.ts';
import { messageIdFor, replyAddressFor } from '../mail/reply-token.ts';
import type { Department, Routing } from '../routing/rules.ts';
import type { Status } from '../requests/status.ts';
import type { RequestRecord } from '../requests/store.ts';
import { categoryLabel } from './labels.ts';
import type { NewOutboxRow, OutboxKind } from './outbox.ts';
import { renderEmail, type EmailData, type EmailKind } from './render.ts';

type Ctx = { config: Config; routing: Routing };

// RFC 3834: answers to a message are auto-replied, mail we start ourselves is auto-generated. Both tell
// well-behaved robots (and Exchange, via X-Auto-Response-Suppress) not to answer.
const AUTO_REPLIED: readonly OutboxKind[] = ['confirmation', 'duplicate_notice', 'status_answer', 'command_error'];

export function locationText(req: Pick<RequestRecord, 'street' | 'houseNumber' | 'crossStreet' | 'outsideTown'>): string | null {
  let place: string | null = null;
  if (req.street && req.crossStreet) place = `${req.street} and ${req.crossStreet}`;
  else if (req.street) place = req.houseNumber ? `${req.houseNumber} ${req.street}` : req.street;
  if (req.outsideTown) return place ? `${place}, ${req.outsideTown}` : req.outsideTown;
  return place;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

function base(ctx: Ctx, req: RequestRecord): { city: string; trackingNumber: string } {
  return { city: ctx.config.cityName, trackingNumber: req.trackingNumber };
}

function row<K extends EmailKind>(
  ctx: Ctx,
  req: RequestRecord,
  m: { kind: K & OutboxKind; dedupeKey: string; to: string; language: Language; data: EmailData[K]; attachmentIds?: number[] },
  references: string[],
): NewOutboxRow {
  const { config } = ctx;
  const rendered = renderEmail(m.kind, m.language, m.data);
  return {
    dedupeKey: m.dedupeKey,
    requestId: req.id,
    kind: m.kind,
    toAddress: m.to,
    replyTo: replyAddressFor(config.fromAddress, req.id, config.replySecret),
    subject: rendered.subject,
    messageId: messageIdFor(req.id, m.dedupeKey, config.replySecret, domainOf(config.fromAddress)),
    inReplyTo: references.at(-1) ?? null,
    references,
    language: m.language,
    text: rendered.text,
    html: rendered.html,
    attachmentIds: m.attachmentIds ?? [],
    headers: {
      'Auto-Submitted': AUTO_REPLIED.includes(m.kind) ? 'auto-replied' : 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-CityLine-Tracking-Number': req.trackingNumber,
    },
  };
}

/** What every email to the resident says about their request. */
function residentFields(ctx: Ctx, req: RequestRecord) {
  return { ...base(ctx, req), residentName: req.residentName, category: req.category, location: locationText(req) };
}

/**
 * Mail to the resident, in their language, threaded under `references` (their side of the conversation,
 * oldest first); null without an address.
 */
function toResident<K extends EmailKind>(
  ctx: Ctx,
  req: RequestRecord,
  m: { kind: K & OutboxKind; dedupeKey: string; data: EmailData[K] },
  references: string[],
): NewOutboxRow | null {
  if (!req.residentEmail) return null;
  return row(ctx, req, { ...m, to: req.residentEmail, language: req.language }, references);
}

/** The confirmation of a request, threaded under `references` (the resident's side of its conversation). */
export function confirmationRow(ctx: Ctx, req: RequestRecord, references: string[]): NewOutboxRow | null {
  const department = req.status === 'needs_review' ? null : ctx.routing.departmentFor(req.category).name;
  return toResident(ctx, req, {
    kind: 'confirmation',
    dedupeKey: `confirmation-${req.id}`,
    data: { ...residentFields(ctx, req), subject: req.subject ?? '', department },
  }, references);
}

export function duplicateNoticeRow(ctx: Ctx, req: RequestRecord, earlier: RequestRecord, references: string[]): NewOutboxRow | null {
  return toResident(ctx, req, {
    kind: 'duplicate_notice',
    dedupeKey: `duplicate-${req.id}`,
    data: { ...residentFields(ctx, req), earlierTrackingNumber: earlier.trackingNumber, earlierStatus: earlier.status },
  }, references);
}

/** What a department's ticket quotes from the resident's message. */
export interface TicketSource {
  authored: string;
  receivedAt: Date;
  /** Attachments kept (not dropped for size), in message order. */
  attachments: { id: number; filename: string | null; size: number }[];
  /** How many times the request has been routed, this time included. */
  routings: number;
}

/** The department's ticket, threaded under `references` (the department's side of the conversation). */
export function routedTicketRow(ctx: Ctx, req: RequestRecord, dept: Department, source: TicketSource, references: string[]): NewOutboxRow {
  const location = locationText(req);
  return row(ctx, req, {
    kind: 'routed_ticket',
    // A request routed again (after a reopen or a correction) is a new ticket for the department.
    dedupeKey: `ticket-${req.id}-${source.routings}`,
    to: dept.emails.join(', '),
    language: 'en',
    attachmentIds: source.attachments.map((f) => f.id),
    data: {
      ...base(ctx, req),
      department: dept.name,
      category: req.category,
      location,
      confidence: req.confidence,
      residentName: req.residentName,
      residentEmail: req.residentEmail ?? 'unknown',
      receivedAt: source.receivedAt,
      subject: req.subject ?? '',
      residentText: source.authored,
      attachments: source.attachments.map((f) => ({ filename: f.filename ?? 'attachment', size: f.size })),
      residentLanguage: req.language,
      englishSummary: req.language === 'en' ? null : `${categoryLabel(req.category, 'en')}${location ? ` at ${location}` : ''}.`,
      mapUrl: mapLink(req),
    },
  }, references);
}

/** For crews: the place on a map, when we know its coordinates (the street's, or the exact point). */
export function mapLink(req: Pick<RequestRecord, 'lat' | 'lon'>): string | null {
  if (req.lat === null || req.lon === null) return null;
  const lat = req.lat.toFixed(5);
  const lon = req.lon.toFixed(5);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
}

/** A status update for the resident, once per status event (`eventId`), threaded under the resident's side. */
export function statusUpdateRow(
  ctx: Ctx,
  req: RequestRecord,
  change: { status: Status; note: string | null; actor: string; eventId: number },
  references: string[],
): NewOutboxRow | null {
  const dept = req.departmentCode ? ctx.routing.departments.get(req.departmentCode) : undefined;
  const noteFrom = change.note ? (change.actor.startsWith('department:') ? (dept?.name ?? null) : `${ctx.config.cityName} 311`) : null;
  return toResident(ctx, req, {
    kind: 'status_update',
    dedupeKey: `status-${req.id}-${change.eventId}`,
    data: { ...residentFields(ctx, req), status: change.status, note: change.note, noteFrom },
  }, references);
}

/** The answer to a resident's "what is happening with my request?", with the request's status history. */
export function statusAnswerRow(
  ctx: Ctx,
  req: RequestRecord,
  q: { inboundMessageId: number; history: { at: Date; status: Status; note: string | null }[] },
  references: string[],
): NewOutboxRow | null {
  return toResident(ctx, req, {
    kind: 'status_answer',
    dedupeKey: `answer-${q.inboundMessageId}`,
    data: { ...residentFields(ctx, req), status: req.status, history: q.history },
  }, references);
}

/** Tells the department address that sent an unreadable or refused status line why; null without an address. */
export function commandErrorRow(
  ctx: Ctx,
  req: RequestRecord,
  e: { inboundMessageId: number; to: string | null; line: string; reason: string | null },
  references: string[],
): NewOutboxRow | null {
  if (!e.to) return null;
  return row(ctx, req, {
    kind: 'command_error',
    dedupeKey: `command-error-${e.inboundMessageId}`,
    to: e.to,
    language: 'en',
    data: { ...base(ctx, req), line: e.line, reason: e.reason },
  }, references);
}
