// The microsoft provider through the real MSAL library, against a local server answering with the
// shapes Microsoft documents for the v2.0 token endpoint's client credentials grant (a secret, or a
// certificate's signed client assertion; errors as {"error","error_description","error_codes"}).
// Microsoft Entra ID itself cannot be reached from here; MSAL is given the tenant's metadata so it
// does not try to fetch it.
import { execFileSync } from 'node:child_process';
import { constants, createPublicKey, createVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { microsoftTokenFetcher, type MicrosoftCredentials } from '../../src/oauth/microsoft.ts';
import { cachedTokenSource, TokenError } from '../../src/oauth/token-source.ts';

const TENANT = 'danbury-ct.gov';
const CLIENT_ID = '6e2c1f3a-0000-4000-8000-000000000311';
const SECRET = 'the-client-secret-value';
const SCOPE = 'https://outlook.office365.com/.default';

let server: http.Server;
let base: string;
let dir: string;
let pemFile: string;
let cert: X509Certificate;
const requests: URLSearchParams[] = [];

const b64url = (s: string) => Buffer.from(s, 'base64url');

/** Checks a client assertion (RFC 7523) the way Entra does: signed by the registered certificate's key, for us, for this endpoint. */
function assertionValid(jwt: string, audience: string): boolean {
  const [h, p, sig] = jwt.split('.');
  if (!h || !p || !sig) return false;
  const header = JSON.parse(b64url(h).toString()) as Record<string, string>;
  const claims = JSON.parse(b64url(p).toString()) as Record<string, unknown>;
  const thumb = Buffer.from(cert.fingerprint256.replaceAll(':', ''), 'hex').toString('base64url');
  // MSAL signs with RS256 or PS256 (RSA-PSS, salt of the hash's length).
  const pss = header.alg === 'PS256' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {};
  const signed = createVerify('RSA-SHA256').update(`${h}.${p}`).verify({ key: createPublicKey(cert.toString()), ...pss }, b64url(sig));
  return signed && header['x5t#S256'] === thumb && claims.iss === CLIENT_ID && claims.sub === CLIENT_ID && claims.aud === audience;
}

function credentials(over: Partial<MicrosoftCredentials> = {}): MicrosoftCredentials {
  const authority = `https://login.microsoftonline.com/${TENANT}`;
  return {
    tenant: TENANT,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    certificateFile: null,
    scope: SCOPE,
    authorityHost: 'https://login.microsoftonline.com',
    metadata: {
      authority: JSON.stringify({
        token_endpoint: `${base}/${TENANT}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/${TENANT}/oauth2/v2.0/authorize`,
        issuer: `${authority}/v2.0`,
        jwks_uri: `${base}/${TENANT}/discovery/v2.0/keys`,
        end_session_endpoint: `${base}/${TENANT}/oauth2/v2.0/logout`,
      }),
      cloudDiscovery: JSON.stringify({
        tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com'] }],
      }),
    },
    ...over,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cityline-msal-'));
  const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=CityLine 311', '-days', '2', '-keyout', '-', '-out', '-'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  pemFile = path.join(dir, 'app.pem');
  writeFileSync(pemFile, pem);
  cert = new X509Certificate(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? '');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      const endpoint = `${base}/${TENANT}/oauth2/v2.0/token`;
      const json = (status: number, o: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(o));
      if (req.method !== 'POST' || !req.url?.startsWith(`/${TENANT}/oauth2/v2.0/token`)) return json(404, { error: 'not_found' });
      const assertion = form.get('client_assertion');
      const ok =
        form.get('grant_type') === 'client_credentials' &&
        form.get('client_id') === CLIENT_ID &&
        form.get('scope') === SCOPE &&
        (form.get('client_secret') === SECRET ||
          (form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && assertion !== null && assertionValid(assertion, endpoint)));
      if (!ok) {
        return json(401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
          error_codes: [7000215],
          timestamp: new Date().toISOString(),
          trace_id: '0a0a0a0a-0000-0000-0000-000000000000',
          correlation_id: '0b0b0b0b-0000-0000-0000-000000000000',
        });
      }
      json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: `eyJ0eXAi.${requests.length}.sig` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('microsoft provider (MSAL)', () => {
  it('gets an app-only token with the client secret, reuses it, and skips MSAL\'s cache when renewing', async () => {
    requests.length = 0;
    const src = cachedTokenSource('cityline311@danbury-ct.gov', 'Entra', microsoftTokenFetcher(credentials()));
    const first = await src.get();
    expect(first.token).toBe('eyJ0eXAi.1.sig');
    expect(first.expiresAt - Date.now()).toBeGreaterThan(3500_000);
    expect((await src.get()).token).toBe(first.token);
    expect((await src.get({ renew: true })).token).toBe('eyJ0eXAi.2.sig');
    expect(requests).toHaveLength(2);
    expect(requests[0]?.get('scope')).toBe(SCOPE);
  });

  it('signs in with a certificate: a client assertion signed by its key, naming its SHA-256 thumbprint', async () => {
    requests.length = 0;
    const src = cachedTokenSource('u', 'Entra', microsoftTokenFetcher(credentials({ clientSecret: null, certificateFile: pemFile })));
    expect((await src.get()).token).toMatch(/^eyJ0eXAi\./);
    expect(requests[0]?.get('client_secret')).toBeNull();
    expect(requests[0]?.get('client_assertion')).toBeTruthy();
  });

  it('passes on what Entra says about a wrong secret', async () => {
    const src = cachedTokenSource('cityline311@danbury-ct.gov', 'Microsoft Entra ID (tenant danbury-ct.gov)', microsoftTokenFetcher(credentials({ clientSecret: 'the-client-secret-id' })));
    const err = await src.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as Error).message).toContain('could not get an access token for cityline311@danbury-ct.gov from Microsoft Entra ID (tenant danbury-ct.gov)');
    expect((err as Error).message).toContain('AADSTS7000215');
  });

  it('refuses a PEM without its private key, saying what the file must hold', () => {
    const certOnly = path.join(dir, 'cert-only.pem');
    writeFileSync(certOnly, cert.toString());
    expect(() => microsoftTokenFetcher(credentials({ clientSecret: null, certificateFile: certOnly }))).toThrow(/must hold both the certificate and its private key/);
  });
});
