// A stand-in for Microsoft Graph's sendMail, served over real HTTP by the test, with the request and
// response shapes Microsoft documents (learn.microsoft.com/graph/api/user-sendmail, "Send messages
// with MIME content", "Microsoft Graph throttling guidance"): POST /v1.0/users/{id}/sendMail with
// Content-Type text/plain and the base64 MIME message as the body answers 202 with no body; errors
// are {"error": {"code", "message"}}; throttling is 429 with Retry-After in seconds. Microsoft's
// service itself cannot be reached from here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface GraphSent {
  mailbox: string;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface GraphServer {
  /** http://127.0.0.1:PORT/v1.0, for CITYLINE_GRAPH_URL. */
  url: string;
  sent: GraphSent[];
  /** Every POST, answered or not, with when it came. */
  posts: { at: number; status: number }[];
  /** The next `times` sendMail calls answer with this status (429 and 503 carry Retry-After). */
  failNext(status: number, opts?: { times?: number; retryAfterSeconds?: number; code?: string }): void;
  close(): Promise<void>;
}

export async function startGraphServer(opts: { isValidToken: (token: string) => boolean }): Promise<GraphServer> {
  const sent: GraphSent[] = [];
  const posts: GraphServer['posts'] = [];
  const failures: { status: number; times: number; retryAfterSeconds: number; code: string }[] = [];

  const error = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { code, message } }));
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const m = /^\/v1\.0\/users\/([^/]+)\/sendMail$/.exec(req.url ?? '');
      const answer = (status: number, f: () => void): void => {
        posts.push({ at: Date.now(), status });
        f();
      };
      if (req.method !== 'POST' || !m) return error(res, 404, 'ResourceNotFound', 'Resource not found for the segment');
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !opts.isValidToken(token)) return answer(401, () => error(res, 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'));
      const f = failures[0];
      if (f) {
        f.times -= 1;
        if (f.times <= 0) failures.shift();
        const headers: Record<string, string> = f.status === 429 || f.status === 503 ? { 'retry-after': String(f.retryAfterSeconds) } : {};
        return answer(f.status, () => error(res, f.status, f.code, `test failure ${f.status}`, headers));
      }
      if (req.headers['content-type'] !== 'text/plain') return answer(400, () => error(res, 400, 'RequestBodyRead', 'Content-Type must be text/plain for MIME'));
      const body = Buffer.concat(chunks).toString('ascii').trim();
      if (!/^[A-Za-z0-9+/]+=*$/.test(body)) return answer(400, () => error(res, 400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.'));
      const raw = Buffer.from(body, 'base64');
      sent.push({ mailbox: decodeURIComponent(m[1] as string), raw, parsed: await simpleParser(raw) });
      answer(202, () => res.writeHead(202).end());
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`,
    sent,
    posts,
    failNext(status, o = {}) {
      const code = o.code ?? (status === 429 ? 'ApplicationThrottled' : status === 403 ? 'ErrorAccessDenied' : status === 503 ? 'ServiceUnavailable' : 'ErrorInvalidRecipients');
      failures.push({ status, times: o.times ?? 1, retryAfterSeconds: o.retryAfterSeconds ?? 1, code });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
