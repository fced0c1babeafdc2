// Reads the per-recipient fields of an RFC 3464 delivery status report (message/delivery-status),
// and the same fields when an MTA pastes them into a plain-text bounce.
import { parseHeaderBlock, headerValue } from './raw-parts.ts';

export interface RecipientStatus {
  /** Lower-cased, without the 'rfc822;' type or angle brackets. */
  recipient: string | null;
  action: string | null;
  /** The enhanced status code, e.g. '5.1.1'. */
  status: string | null;
  diagnostic: string | null;
  permanent: boolean;
}

const ENHANCED_CODE = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
const SMTP_REPLY = /(?:^|[\s;:(])([45])\d\d(?=[\s-]|$)/;

/** One entry per recipient group in the report, in order. */
export function parseDeliveryStatus(text: string): RecipientStatus[] {
  const groups = text.split(/\r?\n[ \t]*\r?\n/);
  const result: RecipientStatus[] = [];
  for (const group of groups) {
    const fields = parseHeaderBlock(group.replace(/^\s+/, ''));
    const address = headerValue(fields, 'final-recipient') ?? headerValue(fields, 'original-recipient') ?? headerValue(fields, 'x-actual-recipient');
    if (address === null) continue;
    const diagnostic = headerValue(fields, 'diagnostic-code');
    result.push(statusOf(bareAddress(address), headerValue(fields, 'action'), headerValue(fields, 'status'), diagnostic));
  }
  return result;
}

/** The recipient a sender cares about: the first that failed, else the first reported (e.g. delayed). */
export function mainRecipient(statuses: RecipientStatus[]): RecipientStatus | null {
  return statuses.find((s) => s.action === 'failed') ?? statuses[0] ?? null;
}

/**
 * Permanence follows the class of the enhanced code (5 permanent, 4 transient, RFC 3463). Without one,
 * an SMTP reply code in the diagnostic decides; with neither the failure counts as transient, because
 * suppressing a good address silences a resident while a retry costs one more bounce.
 */
export function statusOf(recipient: string | null, action: string | null, statusField: string | null, diagnostic: string | null): RecipientStatus {
  const code = ENHANCED_CODE.exec(statusField ?? '') ?? ENHANCED_CODE.exec(diagnostic ?? '');
  const status = code ? `${code[1]}.${Number(code[2])}.${Number(code[3])}` : null;
  let permanent = status !== null && status.startsWith('5');
  if (status === null && diagnostic !== null) permanent = SMTP_REPLY.exec(diagnostic)?.[1] === '5';
  return {
    recipient,
    action: action === null ? null : action.trim().toLowerCase().split(/\s/)[0] ?? null,
    status,
    diagnostic: diagnostic === null || diagnostic === '' ? null : diagnostic,
    permanent,
  };
}

/** 'rfc822; <Jane@Example.org>' -> 'jane@example.org'; null when no address is there. */
export function bareAddress(value: string): string | null {
  const afterType = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  const m = /<?([^\s<>;"]+@[^\s<>;"]+?)>?(?:\s|$)/.exec(afterType.trim() + ' ');
  return m ? (m[1] as string).toLowerCase() : null;
}
