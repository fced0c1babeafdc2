// A real SMTP server inside the test process (the smtp-server package) that keeps every message it
// accepts, so tests can check what the system really put on the wire.
//
//   const peer = await startSmtpPeer();            // smtp://127.0.0.1:<free port>, no TLS, no auth
//   ... configure the system under test with SMTP_URL = peer.url ...
//   const mail = await peer.waitFor((m) => m.envelopeTo.includes('maria@example.com'));
//   expect(mail.parsed.subject).toContain('DB-');
//   peer.failNext(451, 'Try again later');          // the next message gets 451 at the end of DATA
//   peer.failNext(550, 'No such user', 1, 'rcpt');  // the next recipient is refused at RCPT TO
//   await peer.close();                             // in afterAll
//
// A message is in `messages` before the server answers 250, so once a send has resolved, the mail is
// already there. Refused messages (failNext) are not captured.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface Captured {
  /** MAIL FROM, '' for a null sender (<>). */
  envelopeFrom: string;
  /** RCPT TO, in the order given. */
  envelopeTo: string[];
  /** The message exactly as received, for byte-level checks or re-parsing. */
  raw: Buffer;
  parsed: ParsedMail;
}

export type FailStage = 'data' | 'rcpt';

export interface SmtpPeer {
  /** smtp://127.0.0.1:PORT, ready for SMTP_URL. */
  url: string;
  port: number;
  /** Every accepted message, oldest first. Tests may clear it (`peer.messages.length = 0`). */
  messages: Captured[];
  /** Resolves with the first message, already received or still to come, that matches. */
  waitFor(predicate: (m: Captured) => boolean, timeoutMs?: number): Promise<Captured>;
  /** Resolves with the messages once at least n have been received. */
  waitForCount(n: number, timeoutMs?: number): Promise<Captured[]>;
  /**
   * Makes the next `times` (default 1) messages fail with this reply: 4xx to test retries, 5xx to test
   * permanent failures. Stage 'data' (default) refuses the message after its content; 'rcpt' refuses
   * each recipient at RCPT TO, so a one-recipient message has all its recipients rejected.
   */
  failNext(code: number, message: string, times?: number, stage?: FailStage): void;
  /** Stops listening and drops open connections (pooled clients included). Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

interface Failure {
  code: number;
  message: string;
  remaining: number;
}

function smtpError(f: Failure): Error {
  return Object.assign(new Error(f.message), { responseCode: f.code });
}

export interface SmtpPeerOptions {
  port?: number;
  /**
   * Accept only SASL XOAUTH2, with a token this says is currently valid (test/helpers/token-server.ts):
   * no mail without signing in, no password login.
   */
  xoauth2?: (user: string, token: string) => boolean;
}

export async function startSmtpPeer(opts: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const messages: Captured[] = [];
  const listeners = new Set<() => void>();
  const failures: Record<FailStage, Failure[]> = { data: [], rcpt: [] };

  const takeFailure = (stage: FailStage): Failure | null => {
    const f = failures[stage][0];
    if (!f) return null;
    f.remaining -= 1;
    if (f.remaining <= 0) failures[stage].shift();
    return f;
  };

  const capture = async (raw: Buffer, session: SMTPServerSession): Promise<void> => {
    const { mailFrom, rcptTo } = session.envelope;
    messages.push({
      envelopeFrom: mailFrom ? mailFrom.address : '',
      envelopeTo: rcptTo.map((r) => r.address),
      raw,
      parsed: await simpleParser(raw),
    });
    for (const notify of [...listeners]) notify();
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    ...(opts.xoauth2
      ? {
          authMethods: ['XOAUTH2'],
          authOptional: false,
          // No TLS on the test loopback; the token is what is being tested.
          allowInsecureAuth: true,
          onAuth(auth: { method: string; username?: string; accessToken?: string }, _session: SMTPServerSession, callback: (err: Error | null, response?: { user?: string; data?: Record<string, string> }) => void) {
            if (auth.method === 'XOAUTH2' && auth.username && auth.accessToken && opts.xoauth2?.(auth.username, auth.accessToken)) return callback(null, { user: auth.username });
            // RFC 7628 section 3.2.2: a JSON error challenge, then 535.
            callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.test/.default' } });
          },
        }
      : { authOptional: true }),
    logger: false,
    banner: 'CityLine test SMTP peer',
    // Pooled clients keep idle connections open; without a short grace close() would wait 30 s for them.
    closeTimeout: 200,
    onRcptTo(_address, _session, callback) {
      const f = takeFailure('rcpt');
      callback(f ? smtpError(f) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        const f = takeFailure('data');
        if (f) return callback(smtpError(f));
        capture(Buffer.concat(chunks), session).then(
          () => callback(null, `OK: captured as message ${messages.length}`),
          (err: unknown) => callback(Object.assign(new Error(`test peer could not parse the message: ${String(err)}`), { responseCode: 451 })),
        );
      });
    },
  });
  // Clients that drop their connection (a test closing its transport mid-session) surface here;
  // they are part of normal test life, not failures of the peer.
  server.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error(`SMTP peer is not listening on a TCP port: ${String(address)}`);
  const port = address.port;

  let closed: Promise<void> | null = null;

  function until<T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const onMessage = () => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        listeners.delete(onMessage);
        resolve(v);
      };
      const timer = setTimeout(() => {
        listeners.delete(onMessage);
        const seen = messages.map((m) => `"${m.parsed.subject ?? ''}" to ${m.envelopeTo.join(', ')}`).join('; ') || 'none';
        reject(new Error(`SMTP peer: timed out after ${timeoutMs} ms waiting for ${what()}; received so far: ${seen}`));
      }, timeoutMs);
      listeners.add(onMessage);
    });
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor(predicate, timeoutMs = DEFAULT_TIMEOUT_MS) {
      return until(() => messages.find(predicate), timeoutMs, () => 'a matching message');
    },
    waitForCount(n, timeoutMs = DEFAULT_TIMEOUT_MS) {
      return until(() => (messages.length >= n ? [...messages] : undefined), timeoutMs, () => `${n} messages`);
    },
    failNext(code, message, times = 1, stage = 'data') {
      if (!Number.isInteger(code) || code < 400 || code > 599) throw new RangeError(`failNext needs a 4xx or 5xx code, got ${code}`);
      failures[stage].push({ code, message, remaining: times });
    },
    close() {
      closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closed;
    },
  };
}
