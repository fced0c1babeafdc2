// Builds the token source for one mailbox user from the configured provider.
import type { OAuthConfig } from '../config/index.ts';
import { fetchClientCredentialsToken } from './generic.ts';
import { googleTokenFetcher } from './google.ts';
import { microsoftTokenFetcher } from './microsoft.ts';
import { cachedTokenSource, type TokenSource } from './token-source.ts';

export { isTokenError, TokenError, type AccessToken, type TokenSource } from './token-source.ts';

/** scope: the provider's mail scope unless another resource (Microsoft Graph) is wanted. */
export function createTokenSource(oauth: OAuthConfig, user: string, scope: string = oauth.scope): TokenSource {
  switch (oauth.provider) {
    case 'microsoft':
      return cachedTokenSource(user, `Microsoft Entra ID (tenant ${oauth.tenant}, client ${oauth.clientId})`, microsoftTokenFetcher({ ...oauth, scope }));
    case 'google':
      // Domain-wide delegation: the service account acts as the mailbox user, so each user has its own tokens.
      return cachedTokenSource(user, `Google (service account key ${oauth.keyFile})`, googleTokenFetcher({ keyFile: oauth.keyFile, scope }, user));
    case 'generic':
      return cachedTokenSource(user, oauth.tokenUrl, () => fetchClientCredentialsToken({ ...oauth, scope }));
  }
}
