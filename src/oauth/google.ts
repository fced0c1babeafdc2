// Google Workspace: a service account with domain-wide delegation signs a JWT naming the mailbox
// user as its subject and trades it for an access token (google-auth-library does both).
import { JWT } from 'google-auth-library';
import type { FetchToken } from './token-source.ts';

export interface GoogleCredentials {
  /** The service account's JSON key file. */
  keyFile: string;
  scope: string;
}

export function googleTokenFetcher(c: GoogleCredentials, user: string): FetchToken {
  const jwt = new JWT({ keyFile: c.keyFile, scopes: [c.scope], subject: user });
  // authorize() always asks Google for a new token; the TokenSource in front of it does the caching.
  return async () => {
    const creds = await jwt.authorize();
    if (!creds.access_token) throw new Error('Google returned no access token (is domain-wide delegation granted for this scope?)');
    return { token: creds.access_token, expiresAt: creds.expiry_date ?? Date.now() + 3600_000 };
  };
}
