// Sends through Microsoft Graph: POST /users/{mailbox}/sendMail with the whole MIME message,
// base64-encoded, as a text/plain body. The MIME is built by nodemailer exactly as for SMTP, so the
// Message-ID, In-Reply-To and References that threading depends on are ours, not Graph's.
// Throttling (429, or 503 with Retry-After) is waited out as Graph asks, within one send.
import nodemailer from 'nodemailer';
import type { GraphConfig } from '../config/index.ts';
import { PermanentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TokenSource } from '../oauth/index.ts';
import type { OutgoingMail } from './outgoing.ts';
import { messageOptions, type MailTransport } from './transport.ts';

export interface GraphTransportOptions {
  graph: GraphConfig;
  tokens: TokenSource;
  log?: Logger;
  /** Longest Retry-After waited out inside one send; a longer one fails the attempt (the job retries later). */
  maxRetryAfterMs?: number;
}

const REQUEST_TIMEOUT_MS = 60_000;
const MAX_THROTTLED_TRIES = 4;

/** A refused sign-in: the token, the app's Mail.Send permission, or its access to the mailbox. */
export class GraphSignInError extends Error {
  override name = 'GraphSignInError';
  readonly signInFailure = true;
}

/** Retry-After is seconds (what Graph sends) or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function graphError(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    // Graph's error body: {"error": {"code": "ErrorAccessDenied", "message": "..."}}
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    if (e) return [e.code, e.message].filter(Boolean).join(': ');
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 300) || res.statusText;
}

export function createGraphTransport(opts: GraphTransportOptions): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const endpoint = `${opts.graph.url}/users/${encodeURIComponent(opts.graph.mailbox)}/sendMail`;
  const maxWait = opts.maxRetryAfterMs ?? 120_000;

  async function post(mime: string, renewToken: boolean): Promise<Response> {
    const token = await opts.tokens.get({ renew: renewToken });
    return fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'text/plain' },
      body: mime,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  }

  return {
    kind: 'graph',
    async send(mail: OutgoingMail) {
      const what = `sending <${mail.messageId}> to ${mail.to} through Microsoft Graph`;
      const info = await builder.sendMail(messageOptions(mail));
      const mime = (info.message as Buffer).toString('base64');
      let renewed = false;
      for (let attempt = 1; ; attempt++) {
        let res: Response;
        try {
          res = await post(mime, renewed);
        } catch (err) {
          throw new Error(`${what} failed, will retry: ${(err as Error).message}`, { cause: err });
        }
        if (res.status === 202 || res.ok) return { response: `${res.status} accepted by Microsoft Graph` };
        const why = await graphError(res);
        if (res.status === 401 && !renewed) {
          // The token may have been revoked or lapsed early: one more try with a fresh one.
          renewed = true;
          continue;
        }
        if (res.status === 401 || res.status === 403) {
          throw new GraphSignInError(`${what}: Microsoft Graph refused the app (${res.status} ${why}): check the Mail.Send application permission, admin consent, and that the app may send as ${opts.graph.mailbox}`);
        }
        const wait = retryAfterMs(res.headers.get('retry-after'));
        if ((res.status === 429 || res.status === 503) && wait !== null && wait <= maxWait && attempt < MAX_THROTTLED_TRIES) {
          opts.log?.warn({ status: res.status, retryAfterMs: wait, messageId: mail.messageId }, 'Microsoft Graph is throttling; waiting as it asks');
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
        if (res.status === 429 || res.status >= 500 || res.status === 408) throw new Error(`${what} failed, will retry: ${res.status} ${why}`);
        // 400 (malformed MIME, a recipient Graph cannot read) and the like fail the same way every time.
        throw new PermanentError(`${what} was refused: ${res.status} ${why}`, 'GRAPH_REJECTED');
      }
    },
    async close() {},
  };
}
