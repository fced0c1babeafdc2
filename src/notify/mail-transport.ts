// The outgoing transport the configuration asks for (SMTP, Microsoft Graph or .eml files), with its
// OAuth2 token source when it signs in that way, reporting its sign-in state.
import type { Config } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { createTokenSource } from '../oauth/index.ts';
import { reportingTransport } from '../signin/outbound.ts';
import type { SignInReporter } from '../signin/reporter.ts';
import { createGraphTransport } from './graph-transport.ts';
import { createTransport, type MailTransport } from './transport.ts';

export function createMailTransport(config: Config, deps: { log: Logger; signIn?: SignInReporter }): MailTransport {
  const { log, signIn } = deps;
  if (config.mailTransport === 'graph' && config.graph && config.oauth) {
    const tokens = createTokenSource(config.oauth, config.graph.mailbox, config.graph.scope);
    const t = createGraphTransport({ graph: config.graph, tokens, log });
    return signIn ? reportingTransport(t, 'graph', signIn) : t;
  }
  if (config.mailTransport === 'smtp' && config.smtpUrl) {
    const u = new URL(config.smtpUrl);
    const tokens = u.username && !u.password && config.oauth ? createTokenSource(config.oauth, decodeURIComponent(u.username)) : undefined;
    const t = createTransport({ smtpUrl: config.smtpUrl, outboxDir: config.outboxDir, log, ...(tokens ? { tokens } : {}) });
    return signIn ? reportingTransport(t, 'smtp', signIn) : t;
  }
  return createTransport({ smtpUrl: null, outboxDir: config.outboxDir, log });
}

/** Which sign-in channel the outgoing transport is, or null for files. */
export function outboundChannel(config: Config): 'smtp' | 'graph' | null {
  return config.mailTransport === 'file' ? null : config.mailTransport;
}
