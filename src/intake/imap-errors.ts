// What an IMAP failure means for the person who set the mailbox up, in plain words. Shared by the
// intake loop (for /healthz and the admin alert) and `cityline mailbox check`.
import { describeError } from '../errors.ts';
import { isTokenError } from '../oauth/index.ts';

export interface ImapSignInContext {
  user: string;
  /** OAuth2 sign-in (no password in IMAP_URL). */
  oauth: boolean;
}

/** Why signing in to the mailbox failed, or null when err is something else (a network failure). */
export function imapSignInProblem(err: unknown, ctx: ImapSignInContext): string | null {
  if (isTokenError(err)) return describeError(err);
  const e = err as { authenticationFailed?: boolean; response?: unknown; responseText?: unknown; message?: unknown };
  const said = [e.response, e.responseText, e.message].find((v): v is string => typeof v === 'string' && v !== '') ?? '';
  // Exchange Online accepts the token of an app that has no rights on the mailbox, then answers
  // every command this way.
  if (/authenticated but not connected/i.test(said)) {
    return `signed in as ${ctx.user}, but the server gives no access to the mailbox ("${said}"): grant the app's service principal FullAccess with Add-MailboxPermission, and check that the mailbox exists`;
  }
  if (e.authenticationFailed) {
    return ctx.oauth
      ? `the server refused the access token for ${ctx.user} ("${said}"): check the app's IMAP permission (IMAP.AccessAsApp, admin consent) and that the mailbox user is right`
      : `the server refused the user and password for ${ctx.user} ("${said}"): check IMAP_URL`;
  }
  return null;
}

/** Exchange ends sessions whose token lapsed with `* BYE Session invalidated - AccessTokenExpired`. */
export function byeMeansNewToken(byeReason: string | undefined): boolean {
  return typeof byeReason === 'string' && /token|invalidated|expired|authenticat/i.test(byeReason);
}
