// Turns an email kind, a language and its data into subject, text and HTML, from the Handlebars
// templates in templates/<kind>/<language>.{subject,text,html}.hbs.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Category, Language } from '../classify/types.ts';
import { PermanentError } from '../errors.ts';
import { STATUS_COMMAND_VOCABULARY } from '../routing/commands.ts';
import type { Status } from '../requests/status.ts';
import { categoryLabel, statusLabel } from './labels.ts';
import type { SafetyNotice } from './safety.ts';

interface CityEmailData {
  /** The city's name as residents know it, e.g. "Danbury". */
  city: string;
  /** IANA zone for the dates shown; Danbury's by default. */
  timeZone?: string;
}

interface BaseEmailData extends CityEmailData {
  /** Always in the subject, e.g. "[DB-100A7] ...", so any reply can be tied back to the request. */
  trackingNumber: string;
}

export interface ConfirmationData extends BaseEmailData {
  residentName: string | null;
  category: Category;
  /** What we understood the place to be, e.g. "12 Padanaram Road"; null when none was found. */
  location: string | null;
  /** The subject the resident wrote. */
  subject: string;
  /** The department it was routed to; null when it waits for staff review or is a question. */
  department: string | null;
  /** For a question a person answers: the day the answer is due by; else null. */
  answerBy: Date | null;
  /** True when the classifier was unsure: the category is shown as a guess a person will check. */
  uncertain: boolean;
  /** The 311 phone number and when it is answered (null: no hours shown). */
  phone: string;
  phoneHours: { fromDay: number; toDay: number; opens: string; closes: string } | null;
  /** The public status page of this request; null when the app has no public address. */
  statusUrl: string | null;
  /** What to do about a present danger, shown before anything else; null for a routine request. */
  safety: SafetyNotice | null;
}

export interface RoutedTicketData extends BaseEmailData {
  department: string;
  category: Category;
  location: string | null;
  /** The classifier's confidence, 0 to 1. */
  confidence: number;
  residentName: string | null;
  residentEmail: string;
  receivedAt: Date;
  subject: string;
  /** What the resident wrote, without quoted replies or signatures. */
  residentText: string;
  attachments: { filename: string; size: number }[];
  /** Attachments not forwarded (not verified raster images): staff open them in the staff app. */
  withheld: { filename: string; size: number }[];
  residentLanguage: Language;
  /** A one-line English summary, given when the resident did not write in English. */
  englishSummary: string | null;
  /** The place on a map for crews; null without coordinates. */
  mapUrl: string | null;
  /** A present danger: the subject starts with URGENT and this leads the ticket; null for a routine request. */
  danger: TicketDanger | null;
}

export interface TicketDanger {
  /** 'EMERGENCY' or 'URGENT'. */
  level: string;
  hazard: string;
  /** What the resident was told to do, in English. */
  residentTold: string[];
}

export interface OncallAlertData extends BaseEmailData {
  /** 'EMERGENCY' or 'URGENT'. */
  level: string;
  hazard: string;
  /** The sentence the rule fired on, and the rule. */
  evidence: string | null;
  rule: string | null;
  /** True when a reply raised an open request, false for a new request. */
  raisedByReply: boolean;
  category: Category;
  location: string | null;
  residentName: string | null;
  residentEmail: string;
  residentLanguage: Language;
  receivedAt: Date;
  status: Status;
  department: string | null;
  subject: string;
  residentText: string;
  residentTold: string[];
}

export interface SafetyNoticeData extends BaseEmailData {
  residentName: string | null;
  category: Category;
  location: string | null;
  safety: SafetyNotice;
}

export interface StatusUpdateData extends BaseEmailData {
  residentName: string | null;
  category: Category;
  location: string | null;
  status: Status;
  note: string | null;
  /** Who wrote the note, e.g. "Highway" or "311 staff"; null when there is no note or it is unsigned. */
  noteFrom: string | null;
  /** The note's language when it is not the resident's (it is then introduced as such); else null. */
  noteLanguage: Language | null;
}

export interface HistoryEntry {
  at: Date;
  status: Status;
  note: string | null;
}

export interface StatusAnswerData extends BaseEmailData {
  residentName: string | null;
  category: Category;
  location: string | null;
  status: Status;
  /** Oldest first. */
  history: HistoryEntry[];
}

export interface DuplicateNoticeData extends BaseEmailData {
  residentName: string | null;
  category: Category;
  location: string | null;
  /** The open request this report was linked to. */
  earlierTrackingNumber: string;
  earlierStatus: Status;
  safety: SafetyNotice | null;
}

export interface CommandErrorData extends BaseEmailData {
  /** The status line as the department wrote it. */
  line: string;
  /** Why it was refused, in English, e.g. 'unknown status "fixed"'; null to show only the vocabulary. */
  reason: string | null;
}

/** Tells a department that a request it was sent now belongs to another one. */
export interface TicketWithdrawnData extends BaseEmailData {
  department: string;
  /** The department that has it now. */
  newDepartment: string;
  subject: string;
  /** Why, as staff wrote it; null when they gave no reason. */
  reason: string | null;
}

export interface ResidentFollowUpData extends BaseEmailData {
  department: string;
  category: Category;
  location: string | null;
  /** True when these words reopened a finished request. */
  reopened: boolean;
  residentName: string | null;
  residentEmail: string;
  receivedAt: Date;
  /** What the resident wrote this time, without quotes or signature; empty for a photo on its own. */
  residentText: string;
  attachments: { filename: string; size: number }[];
  residentLanguage: Language;
}

export interface StaffReplyData extends BaseEmailData {
  residentName: string | null;
  /** What the staff member wrote, as written. */
  body: string;
  /** The request's subject as the resident wrote it. */
  subject: string;
}

export interface DepartmentNoteData extends BaseEmailData {
  residentName: string | null;
  category: Category;
  location: string | null;
  /** The department's name in the resident's language. */
  department: string;
  note: string;
  /** The note's language when it is not the resident's (it is then introduced as such); else null. */
  noteLanguage: Language | null;
}

export interface PublicUpdateData extends BaseEmailData {
  department: string;
  category: Category;
  location: string | null;
  /** The Open311 client (its API key's name) whose user posted the update. */
  client: string;
  /** Who wrote it, as the client names them; null when it does not. */
  author: string | null;
  text: string;
  mediaUrl: string | null;
}

export interface DigestRow {
  trackingNumber: string;
  category: Category;
  location: string | null;
  ageDays: number;
  dueAt: Date | null;
  /** "2.5 business days"; empty when not late. */
  lateBy: string;
}

/** A department's open requests on one day (not about one request: no tracking number). */
export interface DepartmentDigestData extends CityEmailData {
  department: string;
  /** The local day, e.g. "Wed, Dec 2, 2026". */
  day: string;
  open: number;
  overdue: number;
  overdueRows: DigestRow[];
  onTimeRows: DigestRow[];
  /** Rows left out of a long list. */
  more: number;
  /** When digests go out, e.g. "on weekdays at 07:00". */
  schedule: string;
}

export interface EscalationData extends BaseEmailData {
  department: string;
  category: Category;
  location: string | null;
  status: Status;
  openedAt: Date;
  dueAt: Date;
  lateBy: string;
}

export interface EmailData {
  confirmation: ConfirmationData;
  routed_ticket: RoutedTicketData;
  status_update: StatusUpdateData;
  status_answer: StatusAnswerData;
  duplicate_notice: DuplicateNoticeData;
  command_error: CommandErrorData;
  ticket_withdrawn: TicketWithdrawnData;
  resident_follow_up: ResidentFollowUpData;
  staff_reply: StaffReplyData;
  department_note: DepartmentNoteData;
  oncall_alert: OncallAlertData;
  safety_notice: SafetyNoticeData;
  department_digest: DepartmentDigestData;
  escalation: EscalationData;
  public_update: PublicUpdateData;
}
export type EmailKind = keyof EmailData;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const TEMPLATES_DIR = path.resolve(import.meta.dirname, '..', '..', 'templates');
export const DEFAULT_TIME_ZONE = 'America/New_York';
const LOCALES: Record<Language, string> = { en: 'en-US', es: 'es-US', pt: 'pt-BR' };
const LANGUAGE_NAMES: Record<Language, Record<Language, string>> = {
  en: { en: 'English', es: 'Spanish', pt: 'Portuguese' },
  es: { en: 'inglés', es: 'español', pt: 'portugués' },
  pt: { en: 'inglês', es: 'espanhol', pt: 'português' },
};

interface RenderOptions {
  language: Language;
  timeZone: string;
}

function optionsOf(helperOptions: Handlebars.HelperOptions): RenderOptions {
  return (helperOptions.data as { render: RenderOptions }).render;
}

function toDate(value: unknown): Date {
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new TypeError(`template got an invalid date: ${String(value)}`);
  return d;
}

// Building a DateTimeFormat costs far more than using one.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat({ language, timeZone }: RenderOptions): Intl.DateTimeFormat {
  const key = `${language} ${timeZone}`;
  let format = dateFormats.get(key);
  if (!format) {
    // Brazil writes 09:00, not 9:00; and pt-BR has no short name for US zones ("GMT-5" reads worse than none).
    format = new Intl.DateTimeFormat(LOCALES[language], {
      year: 'numeric', month: 'short', day: 'numeric', minute: '2-digit', timeZone,
      ...(language === 'pt' ? { hour: '2-digit' } : { hour: 'numeric', timeZoneName: 'short' }),
    });
    dateFormats.set(key, format);
  }
  return format;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat({ language, timeZone }: RenderOptions): Intl.DateTimeFormat {
  const key = `${language} ${timeZone}`;
  let format = dayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], { weekday: 'long', month: 'long', day: 'numeric', timeZone });
    dayFormats.set(key, format);
  }
  return format;
}

const HOURS_WORDS: Record<Language, { to: string; through: string }> = {
  en: { to: 'to', through: 'to' },
  es: { to: 'a', through: 'a' },
  pt: { to: 'às', through: 'a' },
};

/** "Monday to Friday, 8:00 AM to 4:30 PM" / "lunes a viernes, 8:00 a 16:30" / "segunda-feira a sexta-feira, 08:00 às 16:30". */
function hoursText(h: { fromDay: number; toDay: number; opens: string; closes: string }, language: Language): string {
  const weekday = new Intl.DateTimeFormat(LOCALES[language], { weekday: 'long', timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  const dayName = (iso: number) => weekday.format(new Date(Date.UTC(2024, 0, iso)));
  const time = new Intl.DateTimeFormat(LOCALES[language], { hour: language === 'pt' ? '2-digit' : 'numeric', minute: '2-digit', timeZone: 'UTC' });
  const at = (hhmm: string) => {
    const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
    return time.format(new Date(Date.UTC(2024, 0, 1, hh, mm)));
  };
  const words = HOURS_WORDS[language];
  const days = h.fromDay === h.toDay ? dayName(h.fromDay) : `${dayName(h.fromDay)} ${words.through} ${dayName(h.toDay)}`;
  return `${days}, ${at(h.opens)} ${words.to} ${at(h.closes)}`;
}

function createEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('categoryLabel', (code: Category, o: Handlebars.HelperOptions) => categoryLabel(code, optionsOf(o).language));
  hb.registerHelper('statusLabel', (code: Status, o: Handlebars.HelperOptions) => statusLabel(code, optionsOf(o).language));
  hb.registerHelper('languageName', (code: Language, o: Handlebars.HelperOptions) => LANGUAGE_NAMES[optionsOf(o).language][code]);
  hb.registerHelper('date', (value: unknown, o: Handlebars.HelperOptions) => dateFormat(optionsOf(o)).format(toDate(value)));
  hb.registerHelper('weekdayDate', (value: unknown, o: Handlebars.HelperOptions) => dayFormat(optionsOf(o)).format(toDate(value)));
  hb.registerHelper('hours', (value: Parameters<typeof hoursText>[0], o: Handlebars.HelperOptions) => hoursText(value, optionsOf(o).language));
  hb.registerHelper('percent', (value: number) => `${Math.round(value * 100)}%`);
  hb.registerHelper('size', (bytes: number) => {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  });
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // Phone numbers in safety instructions become tap-to-call links. The text is escaped first; only the
  // digits and dashes matched here go into the link.
  hb.registerHelper('telLinks', (text: string) =>
    new hb.SafeString(hb.escapeExpression(text).replace(/\b(911|\d{3}-\d{3}-\d{4})\b/g, (n) => `<a href="tel:${n.replace(/-/g, '')}" style="color:inherit;font-weight:bold;">${n}</a>`)));
  // The statuses a department may write come from the parser that reads them, so the help cannot drift.
  hb.registerHelper('statusCommands', () => Object.keys(STATUS_COMMAND_VOCABULARY).join(', '));
  const partialsDir = path.join(TEMPLATES_DIR, 'partials');
  for (const file of fs.readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    // Without its final newline a partial can end a line of the template that includes it.
    const source = fs.readFileSync(path.join(partialsDir, file), 'utf8').replace(/\n$/, '');
    hb.registerPartial(file.slice(0, -'.hbs'.length), source);
  }
  return hb;
}

interface Compiled {
  /** The language the templates are written in, which labels and dates must follow. */
  language: Language;
  parts: Record<keyof RenderedEmail, Handlebars.TemplateDelegate>;
}

let env: typeof Handlebars | null = null;
// One entry per kind and requested language; a language without its own templates maps to English's.
const cache = new Map<string, Compiled>();

function templatesFor(kind: EmailKind, language: Language): Compiled {
  const key = `${kind}/${language}`;
  const cached = cache.get(key);
  if (cached) return cached;
  env ??= createEnvironment();
  const read = (lang: Language, part: keyof RenderedEmail): string | null => {
    const file = path.join(TEMPLATES_DIR, kind, `${lang}.${part}.hbs`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  };
  // A language is used only when all three of its parts exist, so one email never mixes languages.
  const pick = (lang: Language) => {
    const subject = read(lang, 'subject');
    const text = read(lang, 'text');
    const html = read(lang, 'html');
    return subject !== null && text !== null && html !== null ? { language: lang, subject, text, html } : null;
  };
  const sources = pick(language) ?? (language === 'en' ? null : pick('en'));
  if (!sources) throw new PermanentError(`no complete templates for "${kind}" in ${language} or English under ${TEMPLATES_DIR}`, 'TEMPLATE_MISSING');
  const compiled: Compiled = {
    language: sources.language,
    parts: {
      subject: env.compile(sources.subject, { noEscape: true, strict: true }),
      text: env.compile(sources.text, { noEscape: true, strict: true }),
      html: env.compile(sources.html, { strict: true }),
    },
  };
  cache.set(key, compiled);
  return compiled;
}

export function renderEmail<K extends EmailKind>(kind: K, language: Language, data: EmailData[K]): RenderedEmail {
  const { language: written, parts } = templatesFor(kind, language);
  const render: RenderOptions = { language: written, timeZone: data.timeZone ?? DEFAULT_TIME_ZONE };
  const run = (t: Handlebars.TemplateDelegate) => {
    try {
      return t(data, { data: { render } });
    } catch (err) {
      // Rendering is deterministic: data that fails once fails on every retry.
      throw new PermanentError(`rendering the ${kind} email in ${written} failed`, 'TEMPLATE_FAILED', { cause: err });
    }
  };
  return {
    // A header is one line: whatever the data held, newlines and runs of spaces become one space.
    subject: run(parts.subject).replace(/\s+/g, ' ').trim(),
    text: `${run(parts.text).trim()}\n`,
    html: run(parts.html),
  };
}
