// Token caching and renewal, and how the OAuth2 settings are read.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { cachedTokenSource, isTokenError, TokenError } from '../../src/oauth/token-source.ts';
import { retryAfterMs } from '../../src/notify/graph-transport.ts';

function clockAndFetcher(lifetimeMs: number) {
  let now = 1_000_000;
  const calls: boolean[] = [];
  const fetcher = async (renew: boolean) => {
    calls.push(renew);
    return { token: `t${calls.length}`, expiresAt: now + lifetimeMs };
  };
  return { fetcher, calls, now: () => now, advance: (ms: number) => (now += ms) };
}

describe('cached token source', () => {
  it('reuses a token until the last fifth of its life (at most five minutes before expiry), then fetches a new one', async () => {
    const c = clockAndFetcher(3600_000);
    const src = cachedTokenSource('u@x', 'test', c.fetcher, c.now);
    expect((await src.get()).token).toBe('t1');
    c.advance(54 * 60_000);
    expect((await src.get()).token).toBe('t1');
    c.advance(60_001); // 55 min in: five minutes left
    expect((await src.get()).token).toBe('t2');
    const short = clockAndFetcher(10_000);
    const s2 = cachedTokenSource('u@x', 'test', short.fetcher, short.now);
    await s2.get();
    short.advance(7_900);
    expect((await s2.get()).token).toBe('t1');
    short.advance(200); // 8.1 s of 10: in the last fifth
    expect((await s2.get()).token).toBe('t2');
  });

  it('fetches afresh on renew, passing renew on so a provider cache (MSAL) is skipped, and shares one fetch between callers', async () => {
    const c = clockAndFetcher(3600_000);
    const src = cachedTokenSource('u@x', 'test', c.fetcher, c.now);
    await src.get();
    expect((await src.get({ renew: true })).token).toBe('t2');
    expect(c.calls).toEqual([false, true]);
    const [a, b] = await Promise.all([src.get({ renew: true }), src.get({ renew: true })]);
    expect(a.token).toBe(b.token);
    expect(c.calls).toHaveLength(3);
  });

  it('turns any failure into a TokenError that names the user and the source, and tries again next time', async () => {
    let fail = true;
    const src = cachedTokenSource('cityline311@danbury-ct.gov', 'https://login.example/token', async () => {
      if (fail) throw new Error('connect ECONNREFUSED 127.0.0.1:443');
      return { token: 'ok', expiresAt: Date.now() + 60_000 };
    });
    const err = await src.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect(isTokenError(new Error('outer', { cause: err }))).toBe(true);
    expect((err as Error).message).toBe('could not get an access token for cityline311@danbury-ct.gov from https://login.example/token: connect ECONNREFUSED 127.0.0.1:443');
    fail = false;
    expect((await src.get()).token).toBe('ok');
  });
});

describe('OAuth2 configuration', () => {
  const base = { CITYLINE_REPLY_SECRET: 'a test secret of some length' };
  const imap = 'imaps://cityline311%40danbury-ct.gov@outlook.office365.com:993/INBOX';

  it('reads a Microsoft 365 setup: a user without a password in IMAP_URL and SMTP_URL, tenant, client id and secret', () => {
    const c = loadConfig({
      ...base,
      IMAP_URL: imap,
      SMTP_URL: 'smtp://cityline311%40danbury-ct.gov@smtp.office365.com:587',
      CITYLINE_OAUTH_PROVIDER: 'microsoft',
      CITYLINE_OAUTH_TENANT: 'danbury-ct.gov',
      CITYLINE_OAUTH_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
      CITYLINE_OAUTH_CLIENT_SECRET: 'secret-value',
    });
    expect(c.imap?.user).toBe('cityline311@danbury-ct.gov');
    expect(c.imap?.password).toBeNull();
    expect(c.oauth).toMatchObject({ provider: 'microsoft', scope: 'https://outlook.office365.com/.default', authorityHost: 'https://login.microsoftonline.com' });
    expect(c.mailTransport).toBe('smtp');
  });

  it('names what is missing', () => {
    expect(() => loadConfig({ ...base, IMAP_URL: imap })).toThrow(/IMAP_URL names a user but no password: set CITYLINE_OAUTH_PROVIDER/);
    expect(() => loadConfig({ ...base, IMAP_URL: imap, CITYLINE_OAUTH_PROVIDER: 'microsoft', CITYLINE_OAUTH_TENANT: 't', CITYLINE_OAUTH_CLIENT_ID: 'c' })).toThrow(
      /one of CITYLINE_OAUTH_CLIENT_SECRET or CITYLINE_OAUTH_CERTIFICATE_FILE/,
    );
    expect(() => loadConfig({ ...base, IMAP_URL: imap, CITYLINE_OAUTH_PROVIDER: 'google' })).toThrow(/CITYLINE_OAUTH_KEY_FILE must be set/);
    expect(() => loadConfig({ ...base, IMAP_URL: imap, CITYLINE_OAUTH_PROVIDER: 'generic', CITYLINE_OAUTH_TOKEN_URL: 'https://idp/token', CITYLINE_OAUTH_CLIENT_ID: 'c', CITYLINE_OAUTH_CLIENT_SECRET: 's' })).toThrow(
      /CITYLINE_OAUTH_SCOPE must be set/,
    );
    expect(() => loadConfig({ ...base, CITYLINE_OAUTH_PROVIDER: 'okta' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, CITYLINE_MAIL_TRANSPORT: 'graph' })).toThrow(/needs CITYLINE_OAUTH_PROVIDER=microsoft/);
    expect(() => loadConfig({ ...base, CITYLINE_ADMIN_EMAIL: 'not an address' })).toThrow(/CITYLINE_ADMIN_EMAIL/);
  });

  it('sends through Graph as CITYLINE_FROM unless another mailbox is named', () => {
    const c = loadConfig({
      ...base,
      CITYLINE_FROM: 'cityline311@danbury-ct.gov',
      CITYLINE_MAIL_TRANSPORT: 'graph',
      CITYLINE_OAUTH_PROVIDER: 'microsoft',
      CITYLINE_OAUTH_TENANT: 't',
      CITYLINE_OAUTH_CLIENT_ID: 'c',
      CITYLINE_OAUTH_CLIENT_SECRET: 's',
    });
    expect(c.graph).toEqual({ url: 'https://graph.microsoft.com/v1.0', mailbox: 'cityline311@danbury-ct.gov', scope: 'https://graph.microsoft.com/.default' });
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs('Wed, 02 Dec 2026 16:00:10 GMT', Date.parse('Wed, 02 Dec 2026 16:00:00 GMT'))).toBe(10_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});
