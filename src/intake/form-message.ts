// Web-form and chat submissions become ordinary RFC 822 messages, so that one pipeline (parsing,
// threading, classification, confirmations) serves every channel and the raw record looks the same.
import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { PermanentError } from '../errors.ts';
import { parseAddress } from '../mail/address.ts';

export interface FormSubmission {
  email: string;
  name: string | null;
  subject: string;
  body: string;
  channel: 'web' | 'chat';
  /** The caller's own id for the submission: sending it again is recognised as the same message. */
  submissionId: string | null;
}

const MAX_BODY_CHARS = 20_000;

function text(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new PermanentError(`"${field}" must be a string`, 'BAD_SUBMISSION');
  const v = value.trim();
  if (v.length > max) throw new PermanentError(`"${field}" is longer than ${max} characters`, 'BAD_SUBMISSION');
  return v === '' ? null : v;
}

/** Checks a JSON body from the inbound endpoint; throws PermanentError('...', 'BAD_SUBMISSION') saying what is wrong. */
export function parseFormSubmission(input: unknown): FormSubmission {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new PermanentError('expected a JSON object with "email" and "body"', 'BAD_SUBMISSION');
  }
  const o = input as Record<string, unknown>;
  const email = text(o.email, 'email', 254);
  if (!email || parseAddress(email) === null) {
    throw new PermanentError('"email" must be the resident\'s email address', 'BAD_SUBMISSION');
  }
  const body = text(o.body, 'body', MAX_BODY_CHARS);
  if (!body) throw new PermanentError('"body" must say what the problem is', 'BAD_SUBMISSION');
  const channel = text(o.channel, 'channel', 10) ?? 'web';
  if (channel !== 'web' && channel !== 'chat') throw new PermanentError('"channel" must be "web" or "chat"', 'BAD_SUBMISSION');
  const submissionId = text(o.id, 'id', 100);
  if (submissionId !== null && !/^[\w.-]+$/.test(submissionId)) {
    throw new PermanentError('"id" may hold letters, digits, ".", "_" and "-" only', 'BAD_SUBMISSION');
  }
  return { email, name: text(o.name, 'name', 200), subject: text(o.subject, 'subject', 300) ?? '', body, channel, submissionId };
}

export async function formToMessage(form: FormSubmission, opts: { to: string; now?: Date }): Promise<Buffer> {
  const domain = opts.to.slice(opts.to.lastIndexOf('@') + 1);
  const composer = new MailComposer({
    from: form.name ? { name: form.name, address: form.email } : form.email,
    to: opts.to,
    subject: form.subject,
    text: form.body,
    date: opts.now ?? new Date(),
    // Random, so no email can claim a submission's Message-ID in advance; the same submission is
    // recognised by its (channel, id) when stored.
    messageId: `<${form.channel}-${form.submissionId ?? 'anon'}.${randomBytes(9).toString('hex')}@${domain}>`,
    headers: { 'X-CityLine-Channel': form.channel },
  });
  return composer.compile().build();
}
