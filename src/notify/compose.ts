// Builds each kind of outbound email for a request as an outbox row: who it goes to, how it threads
// (Message-ID, In-Reply-To, References, a reply address that leads back to the request), and its text.
import type { Language } from '../classify/types.ts';
import type { Config } from '../config/index.ts';
import { parseAddress } from '../mail/address.ts';
import { messageIdFor, replyAddressFor } from '../mail/reply-token.ts';
import type { Department, Routing } from '../routing/rules.ts';
import type { Status } from '../requests/status.ts';
import type { RequestRecord } from '../requests/store.ts';
import { detectLanguage } from '../classify/language.ts';
import { answerDueBy } from '../time/business-days.ts';
import { categoryLabel, hazardLabel } from './labels.ts';
import { ANSWERS_RESIDENT, isDepartmentMail, type NewOutboxRow, type OutboxKind } from './outbox.ts';
import { DEFAULT_TIME_ZONE, renderEmail, type EmailData, type EmailKind, type TicketDanger } from './render.ts';
import { safetyNotice, type SafetyNotice } from './safety.ts';

type Ctx = { config: Config; routing: Routing };

// RFC 3834: answers to a message are auto-replied, mail we start ourselves is auto-generated. Both tell
// well-behaved robots (and Exchange, via X-Auto-Response-Suppress) not to answer.
const AUTO_REPLIED: readonly OutboxKind[] = ['confirmation', 'duplicate_notice', 'status_answer', 'command_error', 'safety_notice'];

// What Outlook (Importance) and most other clients (X-Priority) show as high priority.
const HIGH_PRIORITY_HEADERS = { Importance: 'high', 'X-Priority': '1 (Highest)' };

export function locationText(req: Pick<RequestRecord, 'street' | 'houseNumber' | 'crossStreet' | 'outsideTown'>): string | null {
  let place: string | null = null;
  if (req.street && req.crossStreet) place = `${req.street} and ${req.crossStreet}`;
  else if (req.street) place = req.houseNumber ? `${req.houseNumber} ${req.street}` : req.street;
  if (req.outsideTown) return place ? `${place}, ${req.outsideTown}` : req.outsideTown;
  return place;
}

/** A department's name in the resident's language (`names` in config/routing.json), else its own. */
export function departmentName(dept: Department, language: Language): string {
  return dept.names[language] ?? dept.name;
}

/** The language a note is written in when it is not the resident's, so the email can say so; else null. */
function otherLanguage(note: string | null, residentLanguage: Language): Language | null {
  if (!note) return null;
  const written = detectLanguage(note);
  return written === residentLanguage ? null : written;
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
  m: { kind: K & OutboxKind; dedupeKey: string; to: string; language: Language; data: EmailData[K]; attachmentIds?: number[]; urgent?: boolean; subjectPrefix?: string },
  references: string[],
): NewOutboxRow {
  const { config } = ctx;
  const rendered = renderEmail(m.kind, m.language, m.data);
  return {
    urgent: m.urgent ?? false,
    dedupeKey: m.dedupeKey,
    requestId: req.id,
    kind: m.kind,
    // Stored normalised so the cap counts per address; an invalid one is kept as given, and notify fails it with that reason.
    toAddress: parseAddress(m.to) ?? m.to,
    // The department's reply address differs from the resident's: only it (or the ticket's Message-ID)
    // proves a status command came from someone who holds the ticket.
    replyTo: replyAddressFor(config.fromAddress, req.id, config.replySecret, isDepartmentMail(m.kind) ? 'department' : 'resident'),
    subject: `${m.subjectPrefix ?? ''}${rendered.subject}`,
    messageId: messageIdFor(req.id, m.dedupeKey, config.replySecret, domainOf(config.fromAddress)),
    inReplyTo: references.at(-1) ?? null,
    references,
    language: m.language,
    text: rendered.text,
    html: rendered.html,
    attachmentIds: m.attachmentIds ?? [],
    headers: {
      // A person wrote a staff reply: it is not automatic, and the resident's answer to it should reach us.
      ...(m.kind === 'staff_reply' ? {} : { 'Auto-Submitted': AUTO_REPLIED.includes(m.kind) ? 'auto-replied' : 'auto-generated' }),
      'X-Auto-Response-Suppress': 'All',
      'X-CityLine-Tracking-Number': req.trackingNumber,
      ...(m.urgent ? HIGH_PRIORITY_HEADERS : {}),
    },
  };
}

function isFlagged(req: Pick<RequestRecord, 'urgency'>): boolean {
  return req.urgency !== 'routine';
}

/** What the resident is told to do about the request's hazard, in their language; null when routine. */
function safetyFor(ctx: Ctx, req: RequestRecord, language: Language = req.language): SafetyNotice | null {
  return safetyNotice(req, language, ctx.config.emergencyLines);
}

/** The same advice in English, for staff and departments. */
function residentTold(ctx: Ctx, req: RequestRecord): string[] {
  const notice = safetyFor(ctx, req, 'en');
  return notice ? [notice.heading, ...notice.lines] : [];
}

function ticketDanger(ctx: Ctx, req: RequestRecord): TicketDanger | null {
  if (!isFlagged(req) || req.hazard === null) return null;
  return { level: req.urgency.toUpperCase(), hazard: hazardLabel(req.hazard, 'en'), residentTold: residentTold(ctx, req) };
}

/**
 * What every email to the resident says about their request. The name they gave is echoed only to an
 * address that has proved itself (see RequestRecord.residentVerified): otherwise anyone could make us
 * mail a stranger a text of their choosing in the display name, from the city's own address.
 */
function residentFields(ctx: Ctx, req: RequestRecord) {
  return { ...base(ctx, req), residentName: req.residentVerified ? req.residentName : null, category: req.category, location: locationText(req) };
}

/**
 * Mail to the resident, in their language, threaded under `references` (their side of the conversation,
 * oldest first); null without an address.
 */
function toResident<K extends EmailKind>(
  ctx: Ctx,
  req: RequestRecord,
  m: { kind: K & OutboxKind; dedupeKey: string; data: EmailData[K]; urgent?: boolean },
  references: string[],
): NewOutboxRow | null {
  if (!req.residentEmail) return null;
  const mail = row(ctx, req, { ...m, to: req.residentEmail, language: req.language }, references);
  // Answering a known resident's own message is not what a mail loop looks like: it must not be held.
  return { ...mail, capExempt: req.residentVerified && ANSWERS_RESIDENT.includes(m.kind) };
}

/** The confirmation of a request, threaded under `references` (the resident's side of its conversation). */
export function confirmationRow(ctx: Ctx, req: RequestRecord, references: string[]): NewOutboxRow | null {
  const { config, routing } = ctx;
  const uncertain = req.status === 'needs_review';
  const question = !uncertain && routing.isQuestion(req.category);
  return toResident(ctx, req, {
    kind: 'confirmation',
    dedupeKey: `confirmation-${req.id}`,
    urgent: isFlagged(req),
    data: {
      ...residentFields(ctx, req),
      subject: req.residentVerified ? (req.subject ?? '') : '',
      department: uncertain || question ? null : departmentName(routing.departmentFor(req.category), req.language),
      answerBy: question ? answerDueBy(req.createdAt, config.answerBusinessDays, DEFAULT_TIME_ZONE) : null,
      uncertain,
      phone: config.phone,
      phoneHours: config.phoneHours,
      statusUrl: statusPageUrl(ctx, req),
      safety: safetyFor(ctx, req),
    },
  }, references);
}

/** The public status page of a request, when the app has a public address. */
export function statusPageUrl(ctx: Ctx, req: Pick<RequestRecord, 'trackingNumber'>): string | null {
  return ctx.config.publicUrl ? `${ctx.config.publicUrl}/status/${encodeURIComponent(req.trackingNumber)}` : null;
}

export function duplicateNoticeRow(ctx: Ctx, req: RequestRecord, earlier: RequestRecord, references: string[]): NewOutboxRow | null {
  return toResident(ctx, req, {
    kind: 'duplicate_notice',
    dedupeKey: `duplicate-${req.id}`,
    urgent: isFlagged(req),
    data: { ...residentFields(ctx, req), earlierTrackingNumber: earlier.trackingNumber, earlierStatus: earlier.status, safety: safetyFor(ctx, req) },
  }, references);
}

/** What a department's ticket quotes from the resident's message. */
export interface TicketSource {
  authored: string;
  receivedAt: Date;
  /** Attachments kept (not dropped for size), in message order; only the forwardable ones are attached. */
  attachments: { id: number; filename: string | null; size: number; forwardable: boolean }[];
  /** How many times the request has been routed, this time included. */
  routings: number;
  /** Set when the ticket is not a routing but a danger a reply reported: the message that did. */
  raisedBy?: number;
}

/**
 * The department's ticket, one email per address on its list (every email has exactly one recipient),
 * threaded under `references` (the department's side of the conversation).
 */
export function routedTicketRows(ctx: Ctx, req: RequestRecord, dept: Department, source: TicketSource, references: string[]): NewOutboxRow[] {
  return dept.emails.map((to, i) => routedTicketRow(ctx, req, dept, source, references, to, i));
}

function routedTicketRow(ctx: Ctx, req: RequestRecord, dept: Department, source: TicketSource, references: string[], to: string, index: number): NewOutboxRow {
  const location = locationText(req);
  return row(ctx, req, {
    kind: 'routed_ticket',
    // A request routed again (after a reopen or a correction) is a new ticket for the department.
    dedupeKey: source.raisedBy === undefined
      ? `ticket-${req.id}-${source.routings}${index === 0 ? '' : `-${index}`}`
      : `ticket-${req.id}-raised-${source.raisedBy}${index === 0 ? '' : `-${index}`}`,
    to,
    language: 'en',
    // Only verified raster images leave with the city's name on them; the rest stay in the staff app.
    attachmentIds: source.attachments.filter((f) => f.forwardable).map((f) => f.id),
    urgent: isFlagged(req),
    // Departments sort and filter on the subject: a danger says so first.
    subjectPrefix: isFlagged(req) ? 'URGENT: ' : '',
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
      attachments: source.attachments.filter((f) => f.forwardable).map((f) => ({ filename: f.filename ?? 'attachment', size: f.size })),
      withheld: source.attachments.filter((f) => !f.forwardable).map((f) => ({ filename: f.filename ?? 'attachment', size: f.size })),
      residentLanguage: req.language,
      englishSummary: req.language === 'en' ? null : `${categoryLabel(req.category, 'en')}${location ? ` at ${location}` : ''}.`,
      mapUrl: mapLink(req),
      danger: ticketDanger(ctx, req),
    },
  }, references);
}

/** What the on-call alert quotes: the message that showed the danger. */
export interface AlertSource {
  inboundMessageId: number;
  authored: string;
  subject: string | null;
  receivedAt: Date;
  evidence: string | null;
  rule: string | null;
  raisedByReply: boolean;
}

/** The alert to the on-call address about a flagged request; null when none is configured or the request is routine. */
export function oncallAlertRow(ctx: Ctx, req: RequestRecord, source: AlertSource): NewOutboxRow | null {
  const to = ctx.config.oncallEmail;
  if (!to || !isFlagged(req) || req.hazard === null) return null;
  const dept = req.departmentCode ? ctx.routing.departments.get(req.departmentCode) : undefined;
  return row(ctx, req, {
    kind: 'oncall_alert',
    dedupeKey: `alert-${req.id}-${source.inboundMessageId}`,
    to,
    language: 'en',
    urgent: true,
    data: {
      ...base(ctx, req),
      level: req.urgency.toUpperCase(),
      hazard: hazardLabel(req.hazard, 'en'),
      evidence: source.evidence,
      rule: source.rule,
      raisedByReply: source.raisedByReply,
      category: req.category,
      location: locationText(req),
      residentName: req.residentName,
      residentEmail: req.residentEmail ?? 'unknown',
      residentLanguage: req.language,
      receivedAt: source.receivedAt,
      status: req.status,
      department: dept?.name ?? null,
      subject: source.subject ?? '',
      residentText: source.authored,
      residentTold: residentTold(ctx, req),
    },
  }, []);
}

/** Tells the resident what to do when their reply raised a request to urgent or emergency, threaded under their side. */
export function safetyNoticeRow(ctx: Ctx, req: RequestRecord, q: { inboundMessageId: number }, references: string[]): NewOutboxRow | null {
  const safety = safetyFor(ctx, req);
  if (!safety) return null;
  return toResident(ctx, req, {
    kind: 'safety_notice',
    dedupeKey: `safety-${q.inboundMessageId}`,
    urgent: true,
    data: { ...residentFields(ctx, req), safety },
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
  const fromDept = dept ? departmentName(dept, req.language) : null;
  const noteFrom = change.note ? (change.actor.startsWith('department:') ? fromDept : `${ctx.config.cityName} 311`) : null;
  return toResident(ctx, req, {
    kind: 'status_update',
    dedupeKey: `status-${req.id}-${change.eventId}`,
    data: { ...residentFields(ctx, req), status: change.status, note: change.note, noteFrom, noteLanguage: otherLanguage(change.note, req.language) },
  }, references);
}

/** A public update an Open311 client posted, sent on to the request's department in its ticket thread. */
export function publicUpdateRow(
  ctx: Ctx,
  req: RequestRecord,
  dept: Department,
  u: { eventId: number; client: string; author: string | null; text: string; mediaUrl: string | null },
  references: string[],
): NewOutboxRow {
  return row(ctx, req, {
    kind: 'public_update',
    dedupeKey: `public-update-${u.eventId}`,
    to: dept.emails.join(', '),
    language: 'en',
    data: { ...base(ctx, req), department: dept.name, category: req.category, location: locationText(req), client: u.client, author: u.author, text: u.text, mediaUrl: u.mediaUrl },
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

/**
 * Tells the department a request was taken away from that it need not act, threaded under the ticket it has
 * (`references`, the department's side); one per re-route (`routings`, the count the new ticket carries).
 */
export function ticketWithdrawnRow(
  ctx: Ctx,
  req: RequestRecord,
  w: { from: Department; to: Department; routings: number; reason: string | null },
  references: string[],
): NewOutboxRow {
  return row(ctx, req, {
    kind: 'ticket_withdrawn',
    dedupeKey: `withdrawn-${req.id}-${w.routings}`,
    to: w.from.emails.join(', '),
    language: 'en',
    data: { ...base(ctx, req), department: w.from.name, newDepartment: w.to.name, subject: req.subject ?? '', reason: w.reason },
  }, references);
}

/**
 * A resident's later message sent on to the department, threaded under `references` (the department's
 * side): their new words and attachments, and whether they reopened the request.
 */
export function residentFollowUpRows(
  ctx: Ctx,
  req: RequestRecord,
  dept: Department,
  m: { inboundMessageId: number; authored: string; receivedAt: Date; reopened: boolean; attachments: { id: number; filename: string | null; size: number; forwardable: boolean }[] },
  references: string[],
): NewOutboxRow[] {
  // One email per address on the department's list, as for its ticket.
  return dept.emails.map((to, index) => row(ctx, req, {
    kind: 'resident_follow_up',
    dedupeKey: `follow-up-${m.inboundMessageId}${index === 0 ? '' : `-${index}`}`,
    to,
    language: 'en',
    // Only verified raster images leave with the city's name on them, as with the ticket.
    attachmentIds: m.attachments.filter((f) => f.forwardable).map((f) => f.id),
    data: {
      ...base(ctx, req),
      department: dept.name,
      category: req.category,
      location: locationText(req),
      reopened: m.reopened,
      residentName: req.residentName,
      residentEmail: req.residentEmail ?? 'unknown',
      receivedAt: m.receivedAt,
      residentText: m.authored,
      attachments: m.attachments.map((f) => ({ filename: f.filename ?? 'attachment', size: f.size })),
      residentLanguage: req.language,
    },
  }, references));
}

/** Words a staff member wrote to the resident, threaded under `references` (the resident's side). */
export function staffReplyRow(ctx: Ctx, req: RequestRecord, r: { replyId: string; body: string }, references: string[]): NewOutboxRow | null {
  return toResident(ctx, req, {
    kind: 'staff_reply',
    dedupeKey: `staff-reply-${r.replyId}`,
    data: { ...base(ctx, req), residentName: req.residentName, body: r.body, subject: req.subject ?? '' },
  }, references);
}

/** A department's reply without a status line, passed on to the resident in their language. */
export function departmentNoteRow(ctx: Ctx, req: RequestRecord, dept: Department, n: { inboundMessageId: number; note: string }, references: string[]): NewOutboxRow | null {
  return toResident(ctx, req, {
    kind: 'department_note',
    dedupeKey: `department-note-${n.inboundMessageId}`,
    data: { ...residentFields(ctx, req), department: departmentName(dept, req.language), note: n.note, noteLanguage: otherLanguage(n.note, req.language) },
  }, references);
}
