// Which request, if any, an inbound message belongs to, and who wrote it in that request's terms.
import type { Config } from '../config/index.ts';
import { requestOfMessageFrom } from '../intake/store.ts';
import type { Db } from '../db/pool.ts';
import { requestIdFromMessageId, requestIdFromReplyAddress } from '../mail/reply-token.ts';
import { readAuthResults, senderFailedAuthentication } from '../mail/auth-results.ts';
import type { ParsedMessage } from '../mail/types.ts';
import type { Routing } from '../routing/rules.ts';
import { findTrackingNumbers } from './tracking-number.ts';
import { getRequest, getRequestByTrackingNumber, type RequestRecord } from './store.ts';

export type SenderRole = 'resident' | 'department' | 'other';

export type ThreadMatch =
  | { kind: 'thread'; request: RequestRecord; via: 'reply_address' | 'message_id' | 'tracking_number'; role: SenderRole }
  /** A valid tracking number from someone who is neither the resident nor the department: staff decide. */
  | { kind: 'unverified_reference'; request: RequestRecord }
  | { kind: 'none' };

/**
 * Who the sender is to this request. A sender whose address the receiving server found forged
 * (Authentication-Results) is nobody in particular, whatever its From says.
 */
export function senderRole(req: RequestRecord, sender: string | null, routing: Routing, forged = false): SenderRole {
  if (!sender || forged) return 'other';
  const s = sender.toLowerCase();
  if (req.residentEmail && req.residentEmail.toLowerCase() === s) return 'resident';
  const dept = routing.departmentOfSender(s);
  if (dept && req.departmentCode === dept.code) return 'department';
  return 'other';
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

export async function findThread(
  db: Db,
  msg: ParsedMessage,
  ctx: { config: Config; routing: Routing },
): Promise<ThreadMatch> {
  const { config, routing } = ctx;
  const sender = msg.from?.address ?? null;
  const forged = senderFailedAuthentication(readAuthResults(msg.headers));
  const match = async (id: number | null, via: 'reply_address' | 'message_id'): Promise<ThreadMatch | null> => {
    if (id === null) return null;
    const request = await getRequest(db, id);
    return request ? { kind: 'thread', request, via, role: senderRole(request, sender, routing, forged) } : null;
  };

  // Our reply addresses and Message-IDs carry an HMAC: they cannot be made up, so they thread whoever sends.
  for (const addr of [...msg.to, ...msg.cc]) {
    const found = await match(requestIdFromReplyAddress(addr, config.fromAddress, config.replySecret), 'reply_address');
    if (found) return found;
  }
  const referenced = [msg.inReplyTo, ...msg.references.slice().reverse()].filter((x): x is string => !!x);
  const domain = domainOf(config.fromAddress);
  for (const mid of referenced) {
    const found = await match(requestIdFromMessageId(mid, config.replySecret, domain), 'message_id');
    if (found) return found;
  }
  // A client that replies to the resident's own first message (Cc'd, or resent) still names it.
  if (referenced.length > 0) {
    const found = await match(await requestOfMessageFrom(db, referenced, sender ?? ''), 'message_id');
    if (found) return found;
  }

  const numbers = findTrackingNumbers(config.trackingPrefix, `${msg.subject}\n${msg.text.slice(0, 20_000)}`);
  let unverified: RequestRecord | null = null;
  for (const n of numbers) {
    const request = await getRequestByTrackingNumber(db, n);
    if (!request) continue;
    const role = senderRole(request, sender, routing, forged);
    if (role !== 'other') return { kind: 'thread', request, via: 'tracking_number', role };
    unverified ??= request;
  }
  return unverified ? { kind: 'unverified_reference', request: unverified } : { kind: 'none' };
}
