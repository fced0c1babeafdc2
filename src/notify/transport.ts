// Hands a finished OutgoingMail to the world: over SMTP when SMTP_URL is set, else as an .eml file in
// the outbox folder. nodemailer builds the MIME message in both cases, so both carry the same headers.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import nodemailer, { type NodemailerError, type SendMailOptions } from 'nodemailer';
import { PermanentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TokenSource } from '../oauth/index.ts';
import type { OutgoingMail } from './outgoing.ts';

export interface MailTransport {
  readonly kind: 'smtp' | 'file' | 'graph';
  /**
   * Resolves with the relay's reply (or where the file was written). Rejects with
   * PermanentError(code 'SMTP_REJECTED') when the relay refused the message for good, and with a
   * plain Error for anything worth retrying (4xx replies, connection failures, timeouts, disk errors).
   */
  send(mail: OutgoingMail): Promise<{ response: string }>;
  /** SMTP only: connects and signs in, sending nothing (`cityline mailbox check`). */
  verify?(): Promise<void>;
  /** Safe to call more than once. */
  close(): Promise<void>;
}

export interface TransportOptions {
  smtpUrl: string | null;
  outboxDir: string;
  /** Told about connection trouble that happens between sends (a pooled connection dropping), and nodemailer's own log. */
  log: Logger;
  /** Access tokens for an SMTP_URL user without a password (SASL XOAUTH2). */
  tokens?: TokenSource;
}

// A few connections keep a burst moving without looking like a flood to the city's relay.
const MAX_CONNECTIONS = 3;
const MESSAGES_PER_CONNECTION = 100;

export function createTransport(opts: TransportOptions): MailTransport {
  return opts.smtpUrl === null ? fileTransport(opts.outboxDir) : smtpTransport(opts.smtpUrl, opts.log, opts.tokens);
}

const bracketed = (id: string): string => `<${id}>`;

export function messageOptions(mail: OutgoingMail): SendMailOptions {
  return {
    from: { name: mail.from.name, address: mail.from.address },
    to: mail.to,
    replyTo: mail.replyTo ?? undefined,
    subject: mail.subject,
    messageId: bracketed(mail.messageId),
    inReplyTo: mail.inReplyTo === null ? undefined : bracketed(mail.inReplyTo),
    references: mail.references.length > 0 ? mail.references.map(bracketed) : undefined,
    text: mail.text,
    html: mail.html ?? undefined,
    headers: mail.headers,
    attachments: mail.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      ...(a.cid ? { cid: a.cid } : {}),
    })),
    // Nothing we send names a file or URL for nodemailer to fetch; refuse if something ever does.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * A user in the URL without a password signs in with XOAUTH2. nodemailer would read the URL's user
 * as a password login, so the credentials are taken out of the URL and given as OAuth2 auth.
 */
function oauthSignIn(url: string, tokens: TokenSource | undefined): { url: string; auth?: object } {
  const u = new URL(url);
  if (!u.username || u.password) return { url };
  if (!tokens) throw new Error(`SMTP user ${decodeURIComponent(u.username)} has no password and no OAuth2 token source`);
  const user = decodeURIComponent(u.username);
  u.username = '';
  return {
    url: u.toString(),
    auth: {
      type: 'OAuth2',
      user,
      // nodemailer asks again with renew=true when the server refused the token it was given.
      provisionCallback: (_user: string, renew: boolean, done: (err: Error | null, token?: string, expires?: number) => void) => {
        tokens.get({ renew }).then(
          (t) => done(null, t.token, t.expiresAt),
          (err: Error) => done(err),
        );
      },
    },
  };
}

function smtpTransport(smtpUrl: string, log: Logger, tokens: TokenSource | undefined): MailTransport {
  const { url, auth } = oauthSignIn(smtpUrl, tokens);
  const transporter = nodemailer.createTransport({
    url,
    ...(auth ? { auth } : {}),
    pool: true,
    maxConnections: MAX_CONNECTIONS,
    maxMessages: MESSAGES_PER_CONNECTION,
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
    // nodemailer logs every connection and recipient at info: kept for debugging, otherwise only its warnings.
    logger: log.isLevelEnabled('debug') ? log : log.child({}, { level: 'warn' }),
  });
  // A failure during a send reaches its caller; this only hears about trouble between sends.
  transporter.on('error', (err) => log.warn({ err }, 'SMTP transport error outside a send'));
  let closed = false;
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        const info = await transporter.sendMail(messageOptions(mail));
        // Some recipients of a department list refused while others accepted: the message is sent.
        return { response: info.rejected.length > 0 ? `${info.response} (refused: ${info.rejected.join(', ')})` : info.response };
      } catch (err) {
        throw classifySmtpError(err, mail);
      }
    },
    async verify() {
      await transporter.verify();
    },
    async close() {
      if (closed) return;
      closed = true;
      transporter.close();
    },
  };
}

/** Permanent when the relay refused this message with a 5xx reply; anything else is worth retrying. */
export function classifySmtpError(err: unknown, mail: Pick<OutgoingMail, 'messageId' | 'to'>): Error {
  const e = err as NodemailerError;
  const what = `sending <${mail.messageId}> to ${mail.to}`;
  // A refused login is the relay refusing us, not this message: once an operator fixes the
  // credentials the same message goes through, so it must stay queued.
  const refusedLogin = e.code === 'EAUTH' || e.code === 'ENOAUTH';
  // nodemailer reads the reply class (RFC 5321): 5yz is permanent except 503, a session-state
  // error that a new connection clears; an error with no reply at all (socket, timeout) is not.
  const permanent = e.permanent ?? (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode !== 503);
  if (permanent && !refusedLogin) {
    return new PermanentError(`${what} was refused: ${e.response ?? e.message}`, 'SMTP_REJECTED', { cause: err });
  }
  return new Error(`${what} failed, will retry: ${e.message}`, { cause: err });
}

/**
 * One file per outbox row, written so that no crash can make two: the message is written under a
 * hidden temporary name, then hard-linked to its final name, which fails if that name exists. A row
 * left 'sending' by a crash after the link is sent again after the restart, finds its file there and
 * counts as sent; a crash before the link leaves only a hidden temporary file, and the retry writes
 * the message once. Readers of the folder (people, tests, a pickup script) look for *.eml, so they
 * never see a half-written file.
 */
function fileTransport(dir: string): MailTransport {
  // Streamed to the file as it is built: a ticket with several large photos is never whole in memory.
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: false, newline: 'windows' });
  return {
    kind: 'file',
    async send(mail) {
      const file = path.join(dir, `${filePrefix(mail)}${fileTimestamp(mail.queuedAt)}-${fileName(mail.messageId)}.eml`);
      if (await exists(file)) return { response: `already written to ${file}` };
      const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        await fs.mkdir(dir, { recursive: true });
        const info = await builder.sendMail(messageOptions(mail));
        await pipeline(info.message as Readable, createWriteStream(tmp, { flags: 'wx' }));
        try {
          await fs.link(tmp, file);
        } catch (err) {
          // Another attempt at the same row got there first: the message is in the folder once.
          if ((err as { code?: string }).code === 'EEXIST') return { response: `already written to ${file}` };
          throw err;
        }
      } catch (err) {
        throw new Error(`writing <${mail.messageId}> to ${file} failed`, { cause: err });
      } finally {
        // Cleaning up can fail for the same reason the write did; the write's outcome is the one to report.
        await fs.rm(tmp, { force: true }).catch(() => undefined);
      }
      return { response: `written to ${file}` };
    },
    async close() {},
  };
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

/**
 * The Message-ID itself when it is safe as a file name (ours always are); otherwise a safe version
 * with a hash of the original, so two Message-IDs never share a file.
 */
function fileName(messageId: string): string {
  const safe = messageId.replace(/[^A-Za-z0-9._@+-]+/g, '_').replace(/^\./, '_').slice(0, 150);
  return safe === messageId ? safe : `${safe}-${createHash('sha256').update(messageId).digest('hex').slice(0, 12)}`;
}

/** "DB-0101W.confirmation.": a person looking for a request's mail finds it at a glance. */
function filePrefix(mail: Pick<OutgoingMail, 'headers' | 'kind'>): string {
  const tracking = mail.headers['X-CityLine-Tracking-Number'];
  const kind = mail.kind.replace(/[^a-z0-9_]/gi, '_');
  return tracking && /^[A-Z0-9-]{1,24}$/.test(tracking) ? `${tracking}.${kind}.` : `${kind}.`;
}

/** 20261126T105159123Z: sorts by time, and has nothing a file system objects to. */
function fileTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}
