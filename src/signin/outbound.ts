// Tells the sign-in reporter how each outgoing send went, so a refused SMTP or Graph sign-in is as
// loud as a refused IMAP one.
import { describeError } from '../errors.ts';
import type { MailTransport } from '../notify/transport.ts';
import type { SignInReporter } from './reporter.ts';
import type { SignInChannel } from './status.ts';

// nodemailer: EAUTH (the server refused the login), ENOAUTH (no credentials), EOAUTH2 (no token).
const SIGN_IN_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);

/** Why the sign-in for a send failed, or null when the send failed for another reason. */
export function outboundSignInProblem(err: unknown): string | null {
  for (let e = err, depth = 0; e && depth < 5; depth++, e = (e as { cause?: unknown }).cause) {
    const { code, signInFailure } = e as { code?: unknown; signInFailure?: unknown };
    if (signInFailure === true || (typeof code === 'string' && SIGN_IN_CODES.has(code))) return describeError(e);
  }
  return null;
}

export function reportingTransport(transport: MailTransport, channel: SignInChannel, signIn: SignInReporter): MailTransport {
  return {
    kind: transport.kind,
    async send(mail) {
      try {
        const r = await transport.send(mail);
        signIn.ok(channel);
        return r;
      } catch (err) {
        const problem = outboundSignInProblem(err);
        if (problem !== null) signIn.failed(channel, 'sign-in', problem);
        throw err;
      }
    },
    close: () => transport.close(),
  };
}
