// Which request, if any, an inbound message belongs to, and who wrote it in that request's terms.
import type { Config } from '../config/index.ts';
import { requestOfMessageFrom } from '../intake/store.ts';
import type { Db } from '../db/pool.ts';
import { replyAddressTarget, requestIdFromMessageId, type ReplySide } from '../mail/reply-token.ts';
import { readAuthResults, senderAuthenticated, senderFailedAuthentication } from '../mail/auth-results.ts';
import { findOutboxByMessageId, isDepartmentMail } from '../notify/outbox.ts';
import type { ParsedMessage } from '../mail/types.ts';
import type { Routing } from '../routing/rules.ts';
import { findTrackingNumbers } from './tracking-number.ts';
import { getRequest, getRequestByTrackingNumber, type RequestRecord } from './store.ts';

export type SenderRole = 'resident' | 'department' | 'other';

/**
 * Why the sender may act in their role (change a status, reopen, be answered), beyond claiming a From:
 * the city's receiving server authenticated the From ('authenticated'), or the message came through a
 * reply address or Message-ID we gave to that side of the conversation only ('token': possession of the
 * ticket, or of the resident's confirmation). null: the sender only claims to be who the From says.
 */
export type Proof = 'authenticated' | 'token' | null;

export type ThreadMatch =
  | { kind: 'thread'; request: RequestRecord; via: 'reply_address' | 'message_id' | 'tracking_number'; role: SenderRole; proof: Proof }
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

/** The city's own receiving server vouches for the From (and did not find it forged). */
export function fromAuthenticated(msg: ParsedMessage, config: Config): boolean {
  const results = readAuthResults(msg.headers, config.trustedAuthservIds);
  return !senderFailedAuthentication(results) && senderAuthenticated(results, msg.from?.address ?? null);
}

export async function findThread(
  db: Db,
  msg: ParsedMessage,
  ctx: { config: Config; routing: Routing },
): Promise<ThreadMatch> {
  const { config, routing } = ctx;
  const sender = msg.from?.address ?? null;
  const forged = senderFailedAuthentication(readAuthResults(msg.headers, config.trustedAuthservIds));
  const authenticated = fromAuthenticated(msg, config);
  const match = async (id: number | null, via: 'reply_address' | 'message_id', side: ReplySide | null): Promise<ThreadMatch | null> => {
    if (id === null) return null;
    const request = await getRequest(db, id);
    if (!request) return null;
    const role = senderRole(request, sender, routing, forged);
    // A token proves possession only for the side it was given to: the resident holds the confirmation's
    // reply address, so it does not make them the department.
    const proof: Proof = authenticated ? 'authenticated' : side !== null && side === role ? 'token' : null;
    return { kind: 'thread', request, via, role, proof };
  };

  // Our reply addresses and Message-IDs carry an HMAC: they cannot be made up, so they thread whoever sends.
  for (const addr of [...msg.to, ...msg.cc]) {
    const target = replyAddressTarget(addr, config.fromAddress, config.replySecret);
    const found = await match(target?.requestId ?? null, 'reply_address', target?.side ?? null);
    if (found) return found;
  }
  const referenced = [msg.inReplyTo, ...msg.references.slice().reverse()].filter((x): x is string => !!x);
  const domain = domainOf(config.fromAddress);
  for (const mid of referenced) {
    const id = requestIdFromMessageId(mid, config.replySecret, domain);
    if (id === null) continue;
    const ours = await findOutboxByMessageId(db, mid.replace(/^<|>$/g, '').toLowerCase());
    const found = await match(id, 'message_id', ours ? (isDepartmentMail(ours.kind) ? 'department' : 'resident') : null);
    if (found) return found;
  }
  // A client that replies to the resident's own first message (Cc'd, or resent) still names it.
  if (referenced.length > 0) {
    const found = await match(await requestOfMessageFrom(db, referenced, sender ?? ''), 'message_id', null);
    if (found) return found;
  }

  const numbers = findTrackingNumbers(config.trackingPrefix, `${msg.subject}\n${msg.text.slice(0, 20_000)}`);
  let unverified: RequestRecord | null = null;
  for (const n of numbers) {
    const request = await getRequestByTrackingNumber(db, n);
    if (!request) continue;
    const role = senderRole(request, sender, routing, forged);
    if (role !== 'other') return { kind: 'thread', request, via: 'tracking_number', role, proof: authenticated ? 'authenticated' : null };
    unverified ??= request;
  }
  return unverified ? { kind: 'unverified_reference', request: unverified } : { kind: 'none' };
}
