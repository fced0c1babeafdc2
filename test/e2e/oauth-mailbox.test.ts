// OAuth2 sign-in end to end on real servers: a Dovecot whose oauth2 passdb asks a token server this
// test runs (RFC 7662 introspection, so an expired or unknown token is really refused), and an SMTP
// peer that accepts only XOAUTH2 with a token that is valid right now. Tokens expire during the test;
// a relay in front of Dovecot ends the session the way Exchange does (`* BYE Session invalidated -
// AccessTokenExpired`). The token endpoint is this project's stand-in for Microsoft Entra ID or any
// other OAuth2 server (the generic provider); a real Microsoft tenant cannot be reached from here.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSystem, type System } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startByeProxy, type ByeProxy } from '../helpers/bye-proxy.ts';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.ts';
import { startDovecot, type Dovecot } from '../helpers/dovecot.ts';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.ts';
import { residentMail, testEnv } from '../helpers/system.ts';
import { oauthEnv, startTokenServer, type TokenServer } from '../helpers/token-server.ts';
import { captureLog } from '../intake/capture-log.ts';

const LIFETIME_SECONDS = 5;
const MAILBOX = 'cityline311@danbury.example';

interface Setup {
  db: TestDb;
  tokens: TokenServer;
  dovecot: Dovecot;
  proxy: ByeProxy;
  smtp: SmtpPeer;
  system: System;
  logs: ReturnType<typeof captureLog>;
  smtpUrl: string;
}

let current: Setup | null = null;

async function setup(opts: { smtpOAuth: boolean; env?: Record<string, string>; lifetimeSeconds?: number }): Promise<Setup> {
  const db = await createTestDb();
  const tokens = await startTokenServer({ lifetimeSeconds: opts.lifetimeSeconds ?? LIFETIME_SECONDS, username: 'resident311' });
  const dovecot = await startDovecot({ oauth2IntrospectionUrl: tokens.introspectionUrl });
  const proxy = await startByeProxy({ host: '127.0.0.1', port: dovecot.port });
  const smtp = await startSmtpPeer(opts.smtpOAuth ? { xoauth2: (_user, token) => tokens.isActive(token) } : {});
  const smtpUrl = opts.smtpOAuth ? `smtp://${encodeURIComponent(MAILBOX)}@127.0.0.1:${smtp.port}` : smtp.url;
  const logs = captureLog();
  const config = loadConfig(
    testEnv(db, {
      // A user and no password: sign in with OAuth2.
      IMAP_URL: `imap://resident311@127.0.0.1:${proxy.port}/INBOX`,
      SMTP_URL: smtpUrl,
      ...oauthEnv(tokens),
      ...opts.env,
    }),
  );
  const system = await startSystem(config, { web: true, log: logs.log, sweep: { intervalMs: 500, graceSeconds: 2 } });
  current = { db, tokens, dovecot, proxy, smtp, system, logs, smtpUrl };
  return current;
}

async function teardown(): Promise<void> {
  const s = current;
  current = null;
  if (!s) return;
  await s.system.stop();
  await s.system.queues.close();
  await s.smtp.close();
  await s.proxy.close();
  await s.dovecot.stop();
  await s.tokens.close();
  await s.db.drop();
}

afterEach(teardown);
afterAll(teardown);

async function healthz(s: Setup): Promise<{ status: number; body: { ok: boolean; checks: { name: string; status: string; detail: string }[] } }> {
  const res = await fetch(`${s.system.webUrl}/healthz`);
  return { status: res.status, body: (await res.json()) as never };
}

const mail = (n: number) =>
  residentMail({ from: `Resident ${n} <resident${n}@example.com>`, subject: `Pothole ${n}`, body: `There is a deep pothole in front of ${10 + n} Main Street.`, messageId: `oauth-${n}-${Date.now()}@example.com` });

async function confirmationTo(smtp: SmtpPeer, n: number) {
  return smtp.waitFor((m) => m.envelopeTo.includes(`resident${n}@example.com`), 30_000);
}

describe('OAuth2 sign-in (generic provider) against Dovecot oauth2 and an XOAUTH2-only SMTP peer', () => {
  it('keeps mail flowing while tokens expire and sessions are ended over them, each message once', async () => {
    let s = await setup({ smtpOAuth: true });
    await s.dovecot.append(mail(1));
    await confirmationTo(s.smtp, 1);
    const afterFirst = s.tokens.requests;
    expect(afterFirst).toBeGreaterThanOrEqual(2); // one for IMAP, one for SMTP

    // Both tokens lapse. Dovecot keeps an authenticated session open; Exchange ends it, as the relay does now.
    await new Promise((r) => setTimeout(r, (LIFETIME_SECONDS + 1) * 1000));
    expect(s.proxy.byeAll('Session invalidated - AccessTokenExpired')).toBe(1);
    // The SMTP peer restarts on the same port: the pooled connection is gone and the next send signs in again.
    await s.smtp.close();
    const smtp2 = await startSmtpPeer({ port: s.smtp.port, xoauth2: (_user, token) => s.tokens.isActive(token) });
    s = { ...s, smtp: smtp2 };
    current = s;
    await waitFor(() => s.proxy.connections >= 2, 20_000, 'intake to reconnect through the relay');
    await s.dovecot.append(mail(2));
    await confirmationTo(s.smtp, 2);
    expect(s.tokens.requests).toBeGreaterThanOrEqual(afterFirst + 2);

    // A token revoked at the server while it still looks valid to us: the BYE alone must make intake
    // fetch a new one, so Dovecot never sees the revoked token again.
    s.tokens.expireAll();
    const refusedBefore = s.tokens.introspections.inactive;
    const connectionsBefore = s.proxy.connections;
    s.proxy.byeAll('Session invalidated - AccessTokenExpired');
    await waitFor(() => s.proxy.connections > connectionsBefore, 20_000, 'intake to reconnect after the second BYE');
    await s.dovecot.append(mail(3));
    await confirmationTo(s.smtp, 3);
    expect(s.tokens.introspections.inactive - refusedBefore).toBe(0);

    // Nothing lost, nothing twice: three messages stored, each confirmed once, all moved to Processed.
    const stored = await s.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_messages');
    expect(stored.rows[0]?.n).toBe(3);
    // The peer has the third confirmation before our outbox row is marked sent; wait for the mark.
    const sentCount = async () =>
      (await s.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE kind = 'confirmation' AND state = 'sent'`)).rows[0]?.n;
    await waitFor(async () => (await sentCount()) === 3, 10_000, 'three confirmations marked sent');
    expect(await sentCount()).toBe(3);
    await waitFor(async () => (await s.dovecot.list('Processed')).length === 3, 10_000, 'three messages in Processed');
    expect(await s.dovecot.list('INBOX')).toEqual([]);
    expect((await healthz(s)).status).toBe(200);
    console.log(`token requests: ${s.tokens.requests}; introspections ${JSON.stringify(s.tokens.introspections)}; IMAP connections ${s.proxy.connections}`);
  }, 120_000);

  it('shows a refused token on /healthz, says it once, emails the admin once through SMTP, and recovers', async () => {
    const s = await setup({ smtpOAuth: false, env: { CITYLINE_ADMIN_EMAIL: 'it-admin@danbury.example' } });
    expect((await healthz(s)).status).toBe(200);
    await s.dovecot.append(mail(4));
    await confirmationTo(s.smtp, 4);

    // The client secret is revoked (what Entra answers then), and the session's token lapses.
    s.tokens.refuse('invalid_client', "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID");
    s.tokens.expireAll();
    s.proxy.byeAll('Session invalidated - AccessTokenExpired');
    const down = await waitFor(async () => {
      const h = await healthz(s);
      return h.status === 503 ? h : undefined;
    }, 20_000, '/healthz to report the failing sign-in');
    const imap = down.body.checks.find((c) => c.name === 'IMAP sign-in');
    expect(imap?.status).toBe('fail');
    expect(imap?.detail).toMatch(/^cannot sign in since \d{4}-\d\d-\d\dT.*AADSTS7000215/);
    expect(down.body.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual(['IMAP sign-in']);

    const alert = await s.smtp.waitFor((m) => m.envelopeTo.includes('it-admin@danbury.example'), 20_000);
    expect(alert.parsed.subject).toContain('cannot sign in to IMAP');
    expect(alert.parsed.text).toContain('AADSTS7000215');
    expect(alert.parsed.headers.get('auto-submitted')).toBe('auto-generated');

    // Mail arriving meanwhile waits in the mailbox. Several retries later: one log line, one email.
    await s.dovecot.append(mail(5));
    await waitFor(() => s.logs.lines.filter((l) => l.msg.includes('IMAP sign-in failed; retrying')).length >= 3, 30_000, 'three refused attempts');
    expect(s.logs.lines.filter((l) => l.msg.includes('cannot sign in'))).toHaveLength(1);
    expect(s.smtp.messages.filter((m) => m.envelopeTo.includes('it-admin@danbury.example'))).toHaveLength(1);
    expect(await s.dovecot.list('INBOX')).toHaveLength(1);

    // The admin fixes the secret: intake signs in again within its backoff, the waiting mail flows.
    s.tokens.accept();
    await confirmationTo(s.smtp, 5);
    await waitFor(async () => (await healthz(s)).status === 200, 20_000, '/healthz to be healthy again');
    expect(s.logs.has('signed in again')).toBe(true);
  }, 120_000);
});
