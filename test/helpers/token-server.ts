// An OAuth 2.0 authorization server for the tests, over real HTTP: the client_credentials grant
// (RFC 6749 section 4.4) at POST /token, and token introspection (RFC 7662) at POST /introspect,
// which the test Dovecot's oauth2 passdb and the SMTP peer ask. Tokens really expire: after
// `lifetimeSeconds` introspection says inactive and the servers refuse them.
//
//   const tokens = await startTokenServer({ lifetimeSeconds: 4, username: 'resident311' });
//   env CITYLINE_OAUTH_PROVIDER=generic CITYLINE_OAUTH_TOKEN_URL=${tokens.tokenUrl} ...
//   tokens.requests            // how many tokens were issued
//   tokens.refuse('invalid_client', 'AADSTS7000215: Invalid client secret provided.')
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenServer {
  tokenUrl: string;
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  /** Tokens issued so far. */
  readonly requests: number;
  /** Tokens the servers (Dovecot, the SMTP peer) asked about, and how many of those were refused. */
  readonly introspections: { active: number; inactive: number };
  isActive(token: string): boolean;
  /** From now on /token answers 400 with this OAuth error (a secret revoked, consent withdrawn). */
  refuse(error: string, description: string): void;
  /** Issue tokens again. */
  accept(): void;
  /** Makes every token issued so far expire now. */
  expireAll(): void;
  close(): Promise<void>;
}

export async function startTokenServer(opts: { lifetimeSeconds: number; username: string; scope?: string }): Promise<TokenServer> {
  const clientId = 'cityline-test-client';
  const clientSecret = randomBytes(12).toString('hex');
  const scope = opts.scope ?? 'https://mail.test/.default';
  const issued = new Map<string, number>();
  let requests = 0;
  const introspections = { active: 0, inactive: 0 };
  let refusal: { error: string; error_description: string } | null = null;

  const readForm = async (req: http.IncomingMessage): Promise<URLSearchParams> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString());
  };
  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const isActive = (token: string): boolean => (issued.get(token) ?? 0) > Date.now();

  const server = http.createServer((req, res) => {
    void (async () => {
      const form = await readForm(req);
      if (req.method === 'POST' && req.url === '/token') {
        if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return json(res, 400, { error: 'invalid_request', error_description: 'form-encoded body expected' });
        if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
        if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return json(res, 401, { error: 'invalid_client', error_description: 'unknown client or wrong secret' });
        if (form.get('scope') !== scope) return json(res, 400, { error: 'invalid_scope', error_description: `scope must be ${scope}` });
        if (refusal) return json(res, 400, refusal);
        requests += 1;
        const token = `tok-${requests}-${randomBytes(16).toString('hex')}`;
        issued.set(token, Date.now() + opts.lifetimeSeconds * 1000);
        return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: opts.lifetimeSeconds });
      }
      if (req.method === 'POST' && req.url === '/introspect') {
        const active = isActive(form.get('token') ?? '');
        introspections[active ? 'active' : 'inactive'] += 1;
        return json(res, 200, active ? { active: true, username: opts.username, scope } : { active: false });
      }
      json(res, 404, { error: 'not_found' });
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    tokenUrl: `${base}/token`,
    introspectionUrl: `${base}/introspect`,
    clientId,
    clientSecret,
    scope,
    get requests() {
      return requests;
    },
    introspections,
    isActive,
    refuse(error, description) {
      refusal = { error, error_description: description };
    },
    accept() {
      refusal = null;
    },
    expireAll() {
      for (const t of issued.keys()) issued.set(t, 0);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The environment that points CityLine's generic OAuth2 provider at this server. */
export function oauthEnv(t: TokenServer): Record<string, string> {
  return {
    CITYLINE_OAUTH_PROVIDER: 'generic',
    CITYLINE_OAUTH_TOKEN_URL: t.tokenUrl,
    CITYLINE_OAUTH_CLIENT_ID: t.clientId,
    CITYLINE_OAUTH_CLIENT_SECRET: t.clientSecret,
    CITYLINE_OAUTH_SCOPE: t.scope,
  };
}
