// The email that tells the city's IT admin a mailbox sign-in is failing.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { messageIdFor } from '../mail/reply-token.ts';
import type { OutgoingMail } from '../notify/outgoing.ts';
import { ALERT_EVERY_SECONDS, channelName } from './reporter.ts';
import type { SignInChannel } from './status.ts';

export function adminAlertMail(config: Config, to: string, channel: SignInChannel, reason: string, now = new Date()): OutgoingMail {
  const domain = config.fromAddress.split('@')[1] ?? 'localhost';
  const what = channel === 'imap' ? 'no new mail is being read: residents\' emails wait in the mailbox' : 'no email is being sent: confirmations and department tickets wait in the outbox';
  return {
    from: { name: config.fromName, address: config.fromAddress },
    to,
    replyTo: null,
    subject: `CityLine 311 cannot sign in to ${channelName(channel)}`,
    messageId: messageIdFor(null, `alert-${randomBytes(8).toString('hex')}`, config.replySecret, domain),
    inReplyTo: null,
    references: [],
    queuedAt: now,
    kind: 'admin_alert',
    text: [
      `CityLine 311 could not sign in to ${channelName(channel)} at ${now.toISOString()}, so ${what}.`,
      '',
      `Reason: ${reason}`,
      '',
      'CityLine keeps retrying and picks up where it stopped once sign-in works again; nothing is lost.',
      'To see what is wrong in plain words, run: bin/cityline mailbox check',
      'The staff dashboard and /healthz show the failure until it is fixed.',
      '',
      `You get this email at most once every ${ALERT_EVERY_SECONDS / 3600} hour while the failure lasts (CITYLINE_ADMIN_EMAIL).`,
    ].join('\n'),
    html: null,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    attachments: [],
  };
}
