// Microsoft Entra ID (Microsoft 365): the client credentials flow through MSAL, with a client secret
// or a certificate. MSAL caches tokens itself; skipCache is how a refused token is replaced.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import type { FetchToken } from './token-source.ts';

export interface MicrosoftCredentials {
  tenant: string;
  clientId: string;
  clientSecret: string | null;
  /** A PEM file holding the certificate and its private key. */
  certificateFile: string | null;
  scope: string;
  /** https://login.microsoftonline.com by default; other clouds (GCC High: login.microsoftonline.us). */
  authorityHost: string;
  /**
   * The tenant's OpenID configuration and the cloud's instance discovery document, as JSON, when MSAL
   * must not fetch them itself (a network that only lets the token endpoint through; the tests).
   */
  metadata?: { authority: string; cloudDiscovery: string };
}

function certificate(file: string): NonNullable<Configuration['auth']['clientCertificate']> {
  const pem = readFileSync(file, 'utf8');
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const key = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!cert || !key) throw new Error(`${file} must hold both the certificate and its private key in PEM`);
  return { thumbprintSha256: new X509Certificate(cert).fingerprint256.replaceAll(':', ''), privateKey: key, x5c: cert };
}

export function microsoftTokenFetcher(c: MicrosoftCredentials): FetchToken {
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: c.clientId,
      authority: `${c.authorityHost.replace(/\/$/, '')}/${c.tenant}`,
      ...(c.metadata ? { authorityMetadata: c.metadata.authority, cloudDiscoveryMetadata: c.metadata.cloudDiscovery, knownAuthorities: [new URL(c.authorityHost).host] } : {}),
      ...(c.certificateFile ? { clientCertificate: certificate(c.certificateFile) } : { clientSecret: c.clientSecret ?? '' }),
    },
  });
  return async (renew) => {
    const r = await app.acquireTokenByClientCredential({ scopes: [c.scope], skipCache: renew });
    if (!r?.accessToken) throw new Error('Microsoft Entra ID returned no access token');
    return { token: r.accessToken, expiresAt: r.expiresOn?.getTime() ?? Date.now() + 3600_000 };
  };
}
