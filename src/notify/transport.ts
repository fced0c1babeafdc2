// Hands a finished OutgoingMail to the world: over SMTP when SMTP_URL is set, else as an .eml file in
// the outbox folder. nodemailer builds the MIME message in both cases, so both carry the same headers.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type NodemailerError, type SendMailOptions } from 'nodemailer';
import { PermanentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { OutgoingMail } from './outgoing.ts';

export interface MailTransport {
  readonly kind: 'smtp' | 'file';
  /**
   * Resolves with the relay's reply (or where the file was written). Rejects with
   * PermanentError(code 'SMTP_REJECTED') when the relay refused the message for good, and with a
   * plain Error for anything worth retrying (4xx replies, connection failures, timeouts, disk errors).
   */
  send(mail: OutgoingMail): Promise<{ response: string }>;
  /** Safe to call more than once. */
  close(): Promise<void>;
}

export interface TransportOptions {
  smtpUrl: string | null;
  outboxDir: string;
  /** Told about connection trouble that happens between sends (a pooled connection dropping), and nodemailer's own log. */
  log: Logger;
}

// A few connections keep a burst moving without looking like a flood to the city's relay.
const MAX_CONNECTIONS = 3;
const MESSAGES_PER_CONNECTION = 100;

export function createTransport(opts: TransportOptions): MailTransport {
  return opts.smtpUrl === null ? fileTransport(opts.outboxDir) : smtpTransport(opts.smtpUrl, opts.log);
}

const bracketed = (id: string): string => `<${id}>`;

function messageOptions(mail: OutgoingMail): SendMailOptions {
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

function smtpTransport(url: string, log: Logger): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
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

function fileTransport(dir: string): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'file',
    async send(mail) {
      const info = await builder.sendMail(messageOptions(mail));
      const file = path.join(dir, `${fileTimestamp(new Date())}-${fileSafe(mail.messageId)}.eml`);
      // Readers of the folder (people, tests, a pickup script) look for *.eml: the dot-prefixed
      // temporary name keeps a half-written file out of their sight until the rename.
      const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        await fs.mkdir(dir, { recursive: true });
        await fs.writeFile(tmp, info.message as Buffer, { flag: 'wx' });
        await fs.rename(tmp, file);
      } catch (err) {
        // Cleaning up can fail for the same reason the write did; the write's error is the one to report.
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        throw new Error(`writing <${mail.messageId}> to ${file} failed`, { cause: err });
      }
      return { response: `written to ${file}` };
    },
    async close() {},
  };
}

/** 20261126T105159123Z: sorts by time, and has nothing a file system objects to. */
function fileTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

function fileSafe(messageId: string): string {
  return messageId.replace(/[^A-Za-z0-9._@-]+/g, '_').slice(0, 150);
}
