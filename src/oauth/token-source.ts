// An access token for a mailbox sign-in, fetched before it runs out and afresh when a server refused
// the one we had. Providers only say how to fetch one; the caching and renewal rules live here.

export interface AccessToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface TokenSource {
  /** Who the token is for (the IMAP or SMTP user), for logs and SASL. */
  readonly user: string;
  /** Where tokens come from, for error messages: "Microsoft Entra tenant ...", a token URL. */
  readonly describe: string;
  /**
   * A token with some life left in it. `renew` fetches a new one even when the cached one looks
   * valid: the server refused it, or ended the session because it expired.
   */
  get(opts?: { renew?: boolean }): Promise<AccessToken>;
}

/** A failure to get a token: a sign-in failure, never the fault of the message being handled. */
export class TokenError extends Error {
  override name = 'TokenError';
  readonly signInFailure = true;
}

/** renew: the caller's own cache (MSAL keeps one) must be bypassed. */
export type FetchToken = (renew: boolean) => Promise<AccessToken>;

// Renew this long before expiry (a fifth of the lifetime for short-lived tokens) so that a token
// handed out is never about to lapse during the sign-in it is used for.
const MAX_MARGIN_MS = 5 * 60_000;

export function cachedTokenSource(user: string, describe: string, fetchToken: FetchToken, now: () => number = Date.now): TokenSource {
  let cached: (AccessToken & { renewAt: number }) | null = null;
  let inflight: Promise<AccessToken> | null = null;

  const fetchOnce = (renew: boolean): Promise<AccessToken> => {
    inflight ??= (async () => {
      try {
        const t = await fetchToken(renew);
        const lifetime = Math.max(0, t.expiresAt - now());
        cached = { ...t, renewAt: t.expiresAt - Math.min(MAX_MARGIN_MS, lifetime / 5) };
        return t;
      } catch (err) {
        // The provider's own words are in the message, so the cause is not kept: error descriptions
        // join causes, and the reason would be said twice.
        throw new TokenError(`could not get an access token for ${user} from ${describe}: ${(err as Error).message}`);
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  };

  return {
    user,
    describe,
    async get(opts = {}) {
      if (!opts.renew && cached && now() < cached.renewAt) return { token: cached.token, expiresAt: cached.expiresAt };
      return fetchOnce(opts.renew === true);
    },
  };
}

/** True when err (or a cause) is a token failure. */
export function isTokenError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++, e = (e as { cause?: unknown }).cause) {
    if (e instanceof TokenError) return true;
  }
  return false;
}
