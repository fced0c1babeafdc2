// Any OAuth 2.0 token endpoint: a form-encoded client_credentials grant (RFC 6749 section 4.4), the
// client authenticated with its id and secret in the body.
import { TokenError, type AccessToken } from './token-source.ts';

export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

const TIMEOUT_MS = 20_000;

export async function fetchClientCredentialsToken(c: ClientCredentials): Promise<AccessToken> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: c.scope });
  const res = await fetch(c.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Reported below with the status; some proxies answer errors in HTML.
  }
  if (!res.ok) {
    // RFC 6749 section 5.2: error and error_description say why (invalid_client, unauthorized_client...).
    const why = [json.error, json.error_description].filter((v) => typeof v === 'string').join(': ') || text.slice(0, 200);
    throw new TokenError(`the token endpoint answered ${res.status}: ${why}`);
  }
  const token = json.access_token;
  const expiresIn = Number(json.expires_in);
  if (typeof token !== 'string' || token === '') throw new TokenError('the token endpoint answered without an access_token');
  // expires_in is RECOMMENDED, not required: without it, assume an hour (what Entra and Google issue).
  const seconds = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600;
  return { token, expiresAt: Date.now() + seconds * 1000 };
}
