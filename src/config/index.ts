// The only module that reads process.env: everything else receives a frozen Config.
import path from 'node:path';
import { parseAddress } from '../mail/address.ts';
import { isHazard, type Hazard } from '../hazards.ts';

export interface Config {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** BullMQ key prefix; tests set a random one so parallel files never share queues. */
  readonly queuePrefix: string;
  readonly imap: ImapConfig | null;
  readonly smtpUrl: string | null;
  /** How IMAP and SMTP users without a password in their URL sign in; null when every URL has one. */
  readonly oauth: OAuthConfig | null;
  /** Where outgoing mail goes: SMTP_URL, Microsoft Graph sendMail, or .eml files in the outbox folder. */
  readonly mailTransport: 'smtp' | 'graph' | 'file';
  readonly graph: GraphConfig | null;
  /** Told by email (at most once an hour) when a mailbox sign-in fails; null: dashboard and /healthz only. */
  readonly adminEmail: string | null;
  readonly dropDir: string;
  readonly outboxDir: string;
  readonly webPort: number;
  readonly webHost: string;
  /** Bearer token for the HTTP intake (web form, chat); null leaves that endpoint switched off. */
  readonly inboundToken: string | null;
  readonly fromAddress: string;
  readonly fromName: string;
  readonly cityName: string;
  /** Outbound messages per minute the relay accepts; 0 = no limit. */
  readonly sendRatePerMinute: number;
  readonly maxAttachmentBytes: number;
  readonly maxRawBytes: number;
  readonly reviewThreshold: number;
  readonly trackingPrefix: string;
  readonly replySecret: string;
  readonly replySecretIsDefault: boolean;
  /**
   * authserv-ids (RFC 8601) of the city's own receiving mail servers, lower-cased: only their
   * Authentication-Results headers are believed. Empty: no header is believed, so no sender is authenticated.
   */
  readonly trustedAuthservIds: readonly string[];
  /** fastify's trustProxy: false, true, a hop count, or the proxy's addresses (comma-separated). */
  readonly trustProxy: boolean | number | string;
  readonly routingFile: string;
  /** Service targets per category and the city's business calendar. */
  readonly targetsFile: string;
  readonly autoReplyCapPer24h: number;
  readonly reopenWindowDays: number;
  readonly reopenMode: 'reopen' | 'new';
  /** Business days (Monday to Friday, city time) within which a person answers a question; 0 = the same day. */
  readonly answerBusinessDays: number;
  /** The 311 phone number as residents dial it, shown in every confirmation. */
  readonly phone: string;
  /** When the phone is answered, e.g. Monday to Friday 08:00-16:30; null shows no hours. */
  readonly phoneHours: PhoneHours | null;
  /** Public address of the web app, for the status page link in emails; null leaves the link out. */
  readonly publicUrl: string | null;
  readonly concurrency: Readonly<Record<'parse' | 'classify' | 'notify', number>>;
  readonly logLevel: LogLevel;
  readonly modelFile: string;
  /** How long a job may run unseen before BullMQ presumes its worker dead and hands the job to another. */
  readonly jobLockMs: number;
  /** Open311: the service definitions (attributes per category, notices, keywords). */
  readonly open311ServicesFile: string;
  /** How long POST requests waits for the pipeline to open the request before answering with a token instead. */
  readonly open311WaitMs: number;
  /** Open311 reads each client (API key, else IP address) may make per minute. */
  readonly open311ReadsPerMinute: number;
  /** Where an emergency or urgent request is announced at once; null: staff see it only in the app. */
  readonly oncallEmail: string | null;
  /** The utility lines an emergency's confirmation gives, per hazard (besides 911). */
  readonly emergencyLines: Readonly<Partial<Record<Hazard, EmergencyLine>>>;
}

export interface EmergencyLine {
  readonly name: string;
  readonly phone: string;
}

export interface ImapConfig {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly user: string;
  /** null: sign in with an OAuth2 access token (CITYLINE_OAUTH_PROVIDER). */
  readonly password: string | null;
  readonly mailbox: string;
  readonly processedFolder: string;
  readonly pollSeconds: number;
  readonly batchSize: number;
  /** imapflow waits this long after a command before it starts IDLE (its default of 15 s leaves the box deaf). */
  readonly idleDelayMs: number;
  /** IDLE that has heard nothing for this long is presumed dead and the connection is rebuilt. */
  readonly idleWatchdogSeconds: number;
}

export type OAuthConfig =
  | {
      readonly provider: 'microsoft';
      readonly tenant: string;
      readonly clientId: string;
      readonly clientSecret: string | null;
      readonly certificateFile: string | null;
      readonly authorityHost: string;
      readonly scope: string;
    }
  | { readonly provider: 'google'; readonly keyFile: string; readonly scope: string }
  | { readonly provider: 'generic'; readonly tokenUrl: string; readonly clientId: string; readonly clientSecret: string; readonly scope: string };

export interface GraphConfig {
  /** https://graph.microsoft.com/v1.0, or a national cloud's endpoint. */
  readonly url: string;
  /** The mailbox mail is sent as: /users/{mailbox}/sendMail. */
  readonly mailbox: string;
  readonly scope: string;
}

export interface PhoneHours {
  /** ISO weekdays, 1 = Monday ... 7 = Sunday, first to last. */
  readonly fromDay: number;
  readonly toDay: number;
  /** "08:00" */
  readonly opens: string;
  readonly closes: string;
}

/** pino's levels; 'silent' switches logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DEFAULT_REPLY_SECRET = 'cityline-development-secret-change-me';

type Env = Readonly<Record<string, string | undefined>>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function optional(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function fraction(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new ConfigError(`${name} must be a number from 0 to 1, got "${raw}"`);
  }
  return n;
}

function email(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  const address = parseAddress(v);
  if (address === null || v.startsWith('<')) {
    throw new ConfigError(`${name} must be a bare email address like cityline311@danbury.example, got "${v}"`);
  }
  return address;
}

function url(env: Env, name: string, fallback: string | null, protocols: readonly string[]): string | null {
  const v = fallback === null ? optional(env, name) : str(env, name, fallback);
  if (v === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${redact(v)}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return v;
}

/** Hides the password of a URL so it can be printed in errors and logs. */
export function redact(u: string): string {
  try {
    const parsed = new URL(u);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return u.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

function imapConfig(env: Env): ImapConfig | null {
  const raw = url(env, 'IMAP_URL', null, ['imap:', 'imaps:']);
  if (raw === null) return null;
  const u = new URL(raw);
  const secure = u.protocol === 'imaps:';
  const mailbox = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX';
  if (!u.username) throw new ConfigError('IMAP_URL must name a user, e.g. imaps://user:pass@host:993/INBOX');
  return Object.freeze({
    url: raw,
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(u.username),
    password: u.password ? decodeURIComponent(u.password) : null,
    mailbox,
    processedFolder: str(env, 'IMAP_PROCESSED_FOLDER', 'Processed'),
    pollSeconds: int(env, 'IMAP_POLL_SECONDS', 60, 1, 3600),
    batchSize: int(env, 'IMAP_BATCH_SIZE', 100, 1, 5000),
    idleDelayMs: int(env, 'IMAP_IDLE_DELAY_MS', 200, 0, 60_000),
    idleWatchdogSeconds: int(env, 'IMAP_IDLE_WATCHDOG_SECONDS', 300, 5, 3600),
  });
}

function authservIds(env: Env): readonly string[] {
  const raw = optional(env, 'CITYLINE_TRUSTED_AUTHSERV_ID');
  if (raw === null) return Object.freeze([]);
  const ids = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const id of ids) {
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(id)) throw new ConfigError(`CITYLINE_TRUSTED_AUTHSERV_ID must be host names separated by commas, got "${id}"`);
  }
  return Object.freeze(ids);
}

function trustProxy(env: Env): boolean | number | string {
  const raw = optional(env, 'CITYLINE_TRUST_PROXY');
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return int(env, 'CITYLINE_TRUST_PROXY', 0, 1, 100);
  const parts = raw.split(',').map((s) => s.trim());
  if (!parts.every((p) => /^[0-9a-f.:]+(\/\d{1,3})?$/i.test(p) || /^(loopback|linklocal|uniquelocal)$/.test(p))) {
    throw new ConfigError(`CITYLINE_TRUST_PROXY must be true, a hop count, or the proxy's addresses (e.g. 10.0.0.5 or 10.0.0.0/8), got "${raw}"`);
  }
  return parts.join(',');
}

function required(env: Env, name: string, why: string): string {
  const v = optional(env, name);
  if (v === null) throw new ConfigError(`${name} must be set ${why}`);
  return v;
}

function oauthConfig(env: Env): OAuthConfig | null {
  const provider = optional(env, 'CITYLINE_OAUTH_PROVIDER');
  if (provider === null) return null;
  const why = `when CITYLINE_OAUTH_PROVIDER is ${provider}`;
  switch (provider) {
    case 'microsoft': {
      const clientSecret = optional(env, 'CITYLINE_OAUTH_CLIENT_SECRET');
      const certificateFile = optional(env, 'CITYLINE_OAUTH_CERTIFICATE_FILE');
      if ((clientSecret === null) === (certificateFile === null)) {
        throw new ConfigError('set one of CITYLINE_OAUTH_CLIENT_SECRET or CITYLINE_OAUTH_CERTIFICATE_FILE (a PEM with the certificate and its key) for CITYLINE_OAUTH_PROVIDER=microsoft');
      }
      return Object.freeze({
        provider,
        tenant: required(env, 'CITYLINE_OAUTH_TENANT', `${why} (the directory (tenant) id or domain, e.g. danbury-ct.gov)`),
        clientId: required(env, 'CITYLINE_OAUTH_CLIENT_ID', `${why} (the app registration's application (client) id)`),
        clientSecret,
        certificateFile: certificateFile === null ? null : path.resolve(certificateFile),
        authorityHost: url(env, 'CITYLINE_OAUTH_AUTHORITY_HOST', 'https://login.microsoftonline.com', ['https:']) as string,
        scope: str(env, 'CITYLINE_OAUTH_SCOPE', 'https://outlook.office365.com/.default'),
      });
    }
    case 'google':
      return Object.freeze({
        provider,
        keyFile: path.resolve(required(env, 'CITYLINE_OAUTH_KEY_FILE', `${why} (the service account's JSON key)`)),
        scope: str(env, 'CITYLINE_OAUTH_SCOPE', 'https://mail.google.com/'),
      });
    case 'generic':
      return Object.freeze({
        provider,
        tokenUrl: url(env, 'CITYLINE_OAUTH_TOKEN_URL', null, ['https:', 'http:']) ?? required(env, 'CITYLINE_OAUTH_TOKEN_URL', why),
        clientId: required(env, 'CITYLINE_OAUTH_CLIENT_ID', why),
        clientSecret: required(env, 'CITYLINE_OAUTH_CLIENT_SECRET', why),
        scope: required(env, 'CITYLINE_OAUTH_SCOPE', why),
      });
    default:
      throw new ConfigError(`CITYLINE_OAUTH_PROVIDER must be microsoft, google or generic, got "${provider}"`);
  }
}

function mailTransport(env: Env, smtpUrl: string | null, oauth: OAuthConfig | null, fromAddress: string): { kind: Config['mailTransport']; graph: GraphConfig | null } {
  const kind = str(env, 'CITYLINE_MAIL_TRANSPORT', smtpUrl === null ? 'file' : 'smtp');
  if (kind === 'file' || kind === 'smtp') {
    if (kind === 'smtp' && smtpUrl === null) throw new ConfigError('CITYLINE_MAIL_TRANSPORT=smtp needs SMTP_URL');
    return { kind, graph: null };
  }
  if (kind !== 'graph') throw new ConfigError(`CITYLINE_MAIL_TRANSPORT must be smtp, graph or file, got "${kind}"`);
  if (smtpUrl !== null) throw new ConfigError('CITYLINE_MAIL_TRANSPORT=graph sends through Microsoft Graph: unset SMTP_URL');
  if (oauth === null || oauth.provider === 'google') {
    throw new ConfigError('CITYLINE_MAIL_TRANSPORT=graph needs CITYLINE_OAUTH_PROVIDER=microsoft (or generic) for its access token');
  }
  const graph = Object.freeze({
    url: (url(env, 'CITYLINE_GRAPH_URL', 'https://graph.microsoft.com/v1.0', ['https:', 'http:']) as string).replace(/\/$/, ''),
    mailbox: email(env, 'CITYLINE_GRAPH_MAILBOX', fromAddress),
    scope: str(env, 'CITYLINE_GRAPH_SCOPE', 'https://graph.microsoft.com/.default'),
  });
  return { kind, graph };
}

/** A user in IMAP_URL or SMTP_URL without a password signs in with OAuth2, which must then be configured. */
function checkSignIn(imap: ImapConfig | null, smtpUrl: string | null, oauth: OAuthConfig | null): void {
  if (oauth !== null) return;
  if (imap !== null && imap.password === null) {
    throw new ConfigError('IMAP_URL names a user but no password: set CITYLINE_OAUTH_PROVIDER (microsoft, google or generic) to sign in with OAuth2, or put the password in the URL');
  }
  if (smtpUrl !== null) {
    const u = new URL(smtpUrl);
    if (u.username && !u.password) {
      throw new ConfigError('SMTP_URL names a user but no password: set CITYLINE_OAUTH_PROVIDER (microsoft, google or generic) to sign in with OAuth2, or put the password in the URL');
    }
  }
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function phoneHours(env: Env): PhoneHours | null {
  const raw = optional(env, 'CITYLINE_PHONE_HOURS');
  if (raw === null) return null;
  const m = /^([a-z]{3})(?:-([a-z]{3}))?\s+([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/i.exec(raw);
  const fromDay = m ? WEEKDAYS.indexOf(m[1]!.toLowerCase()) + 1 : 0;
  const toDay = m ? WEEKDAYS.indexOf((m[2] ?? m[1]!).toLowerCase()) + 1 : 0;
  if (!m || fromDay === 0 || toDay < fromDay) {
    throw new ConfigError(`CITYLINE_PHONE_HOURS must look like "mon-fri 08:00-16:30", got "${raw}"`);
  }
  return Object.freeze({ fromDay, toDay, opens: `${m[3]}:${m[4]}`, closes: `${m[5]}:${m[6]}` });
}

// Danbury's utilities; another city sets CITYLINE_EMERGENCY_LINES (or "none").
const DEFAULT_EMERGENCY_LINES = 'downed_wire=Eversource:800-286-2000,gas_leak=Eversource:877-944-5325';

function emergencyLines(env: Env): Partial<Record<Hazard, EmergencyLine>> {
  const raw = str(env, 'CITYLINE_EMERGENCY_LINES', DEFAULT_EMERGENCY_LINES);
  const lines: Partial<Record<Hazard, EmergencyLine>> = {};
  if (raw.toLowerCase() === 'none') return lines;
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=([^:]+):([0-9+()\-. ]{3,})$/.exec(entry);
    if (!m || !isHazard(m[1])) {
      throw new ConfigError(`CITYLINE_EMERGENCY_LINES must be "hazard=Name:phone,..." with hazards such as downed_wire or gas_leak, got "${entry}"`);
    }
    lines[m[1]] = Object.freeze({ name: m[2]!.trim(), phone: m[3]!.trim() });
  }
  return lines;
}

function logLevel(env: Env): LogLevel {
  const v = str(env, 'CITYLINE_LOG_LEVEL', 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(v)) {
    throw new ConfigError(`CITYLINE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${v}"`);
  }
  return v as LogLevel;
}

function inboundToken(env: Env): string | null {
  const token = optional(env, 'CITYLINE_INBOUND_TOKEN');
  if (token !== null && token.length < 24) throw new ConfigError('CITYLINE_INBOUND_TOKEN must be at least 24 characters');
  return token;
}

export function loadConfig(env: Env = process.env): Config {
  const replySecret = str(env, 'CITYLINE_REPLY_SECRET', DEFAULT_REPLY_SECRET);
  if (replySecret.length < 16) {
    throw new ConfigError('CITYLINE_REPLY_SECRET must be at least 16 characters');
  }
  const reopenMode = str(env, 'CITYLINE_REOPEN_MODE', 'reopen');
  if (reopenMode !== 'reopen' && reopenMode !== 'new') {
    throw new ConfigError(`CITYLINE_REOPEN_MODE must be "reopen" or "new", got "${reopenMode}"`);
  }
  const trackingPrefix = str(env, 'CITYLINE_TRACKING_PREFIX', 'DB').toUpperCase();
  if (!/^[A-Z]{1,4}$/.test(trackingPrefix)) {
    throw new ConfigError(`CITYLINE_TRACKING_PREFIX must be 1 to 4 letters, got "${trackingPrefix}"`);
  }
  const imap = imapConfig(env);
  const smtpUrl = url(env, 'SMTP_URL', null, ['smtp:', 'smtps:']);
  const oauth = oauthConfig(env);
  checkSignIn(imap, smtpUrl, oauth);
  const fromAddress = email(env, 'CITYLINE_FROM', 'cityline311@danbury.example');
  const transport = mailTransport(env, smtpUrl, oauth, fromAddress);
  const adminEmail = optional(env, 'CITYLINE_ADMIN_EMAIL') === null ? null : email(env, 'CITYLINE_ADMIN_EMAIL', '');
  const token = inboundToken(env);
  // With the public default anyone can compute reply addresses and Message-IDs that thread into any
  // request; that is only harmless while no real mail or web form can reach the system.
  if (replySecret === DEFAULT_REPLY_SECRET && (imap || smtpUrl || token)) {
    const what = [imap && 'IMAP_URL', smtpUrl && 'SMTP_URL', token && 'CITYLINE_INBOUND_TOKEN'].filter(Boolean).join(', ');
    throw new ConfigError(`CITYLINE_REPLY_SECRET must be set to a long random string of your own when ${what} is set: the development default is public`);
  }
  return Object.freeze({
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/cityline311', [
      'postgres:',
      'postgresql:',
    ]) as string,
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']) as string,
    queuePrefix: str(env, 'CITYLINE_QUEUE_PREFIX', 'cityline'),
    imap,
    smtpUrl,
    oauth,
    mailTransport: transport.kind,
    graph: transport.graph,
    adminEmail,
    dropDir: path.resolve(str(env, 'CITYLINE_DROP_DIR', './var/inbox')),
    outboxDir: path.resolve(str(env, 'CITYLINE_OUTBOX_DIR', './var/outbox')),
    webPort: int(env, 'CITYLINE_WEB_PORT', 3311, 0, 65535),
    webHost: str(env, 'CITYLINE_WEB_HOST', '127.0.0.1'),
    inboundToken: token,
    fromAddress,
    fromName: str(env, 'CITYLINE_FROM_NAME', 'CityLine 311, City of Danbury'),
    cityName: str(env, 'CITYLINE_CITY_NAME', 'Danbury'),
    sendRatePerMinute: int(env, 'CITYLINE_SEND_RATE_PER_MINUTE', 0, 0, 1_000_000),
    maxAttachmentBytes: int(env, 'CITYLINE_MAX_ATTACHMENT_BYTES', 10 * 1024 * 1024, 0, 2 ** 31 - 1),
    maxRawBytes: int(env, 'CITYLINE_MAX_RAW_BYTES', 60 * 1024 * 1024, 1024, 2 ** 31 - 1),
    reviewThreshold: fraction(env, 'CITYLINE_REVIEW_THRESHOLD', 0.86),
    trackingPrefix,
    replySecret,
    replySecretIsDefault: replySecret === DEFAULT_REPLY_SECRET,
    trustedAuthservIds: authservIds(env),
    trustProxy: trustProxy(env),
    routingFile: path.resolve(str(env, 'CITYLINE_ROUTING_FILE', path.join(ROOT, 'config', 'routing.json'))),
    targetsFile: path.resolve(str(env, 'CITYLINE_TARGETS_FILE', path.join(ROOT, 'config', 'service-targets.json'))),
    autoReplyCapPer24h: int(env, 'CITYLINE_AUTO_REPLY_CAP', 10, 1, 10_000),
    reopenWindowDays: int(env, 'CITYLINE_REOPEN_WINDOW_DAYS', 30, 0, 3650),
    reopenMode,
    answerBusinessDays: int(env, 'CITYLINE_ANSWER_BUSINESS_DAYS', 1, 0, 30),
    phone: str(env, 'CITYLINE_PHONE', '311'),
    phoneHours: phoneHours(env),
    publicUrl: url(env, 'CITYLINE_PUBLIC_URL', null, ['http:', 'https:'])?.replace(/\/+$/, '') ?? null,
    concurrency: Object.freeze({
      parse: int(env, 'CITYLINE_PARSE_CONCURRENCY', 8, 1, 256),
      classify: int(env, 'CITYLINE_CLASSIFY_CONCURRENCY', 8, 1, 256),
      notify: int(env, 'CITYLINE_NOTIFY_CONCURRENCY', 8, 1, 256),
    }),
    logLevel: logLevel(env),
    jobLockMs: int(env, 'CITYLINE_JOB_LOCK_SECONDS', 10, 2, 3600) * 1000,
    oncallEmail: optional(env, 'CITYLINE_ONCALL_EMAIL') === null ? null : email(env, 'CITYLINE_ONCALL_EMAIL', ''),
    emergencyLines: Object.freeze(emergencyLines(env)),
    modelFile: path.resolve(str(env, 'CITYLINE_MODEL_FILE', path.join(ROOT, 'data', 'model', 'model.json'))),
    open311ServicesFile: path.resolve(str(env, 'CITYLINE_OPEN311_SERVICES_FILE', path.join(ROOT, 'config', 'open311-services.json'))),
    open311WaitMs: int(env, 'CITYLINE_OPEN311_WAIT_MS', 3000, 0, 30_000),
    open311ReadsPerMinute: int(env, 'CITYLINE_OPEN311_READS_PER_MINUTE', 120, 1, 1_000_000),
  });
}

export const PROJECT_ROOT = ROOT;
