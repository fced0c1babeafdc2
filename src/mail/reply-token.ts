// Reply addresses and Message-IDs that name a request and carry an HMAC of it, so a reply threads
// even when the mail client drops In-Reply-To, and nobody can attach mail to a request by guessing
// or editing a number. Everything is compared case-insensitively: mail systems change case freely.
import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
// 10 base32 characters = 50 bits: forging one takes ~10^15 tries, far beyond what a mailbox accepts.
const ADDRESS_MAC_CHARS = 10;
const MESSAGE_ID_MAC_CHARS = 13;
const NONCE = /^[a-z0-9-]{1,64}$/i;

function mac(secret: string, purpose: string, data: string, chars: number): string {
  if (secret === '') throw new RangeError('the reply secret must not be empty');
  // The purpose keeps an address MAC from ever serving as a Message-ID MAC and the other way round.
  const digest = createHmac('sha256', secret).update(`${purpose}\0${data.toLowerCase()}`).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === chars) break;
  }
  return out;
}

function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b.toLowerCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkRequestId(requestId: number): void {
  if (!Number.isSafeInteger(requestId) || requestId <= 0) throw new RangeError(`bad request id ${requestId}`);
}

function splitAddress(address: string): { local: string; domain: string } {
  const bare = address.trim().replace(/^.*<([^>]*)>.*$/, '$1').trim().toLowerCase();
  const at = bare.lastIndexOf('@');
  if (at <= 0 || at === bare.length - 1) return { local: '', domain: '' };
  return { local: bare.slice(0, at), domain: bare.slice(at + 1) };
}

function parseId(text: string): number | null {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 && !text.startsWith('0') ? n : null;
}

/** Who a reply address was given to: the resident's mail and the department's ticket carry different ones. */
export type ReplySide = 'resident' | 'department';

// The side is both in the address (k or d) and under the MAC, so a resident cannot turn the address
// they were given into the department's by editing one letter.
const SIDE_TAG: Record<ReplySide, string> = { resident: 'k', department: 'd' };
const SIDE_PURPOSE: Record<ReplySide, string> = { resident: 'reply-address', department: 'reply-address-department' };

/** Our address plus-addressed for one request: cityline311+r123-kabcdefghij@danbury.example (the department's: -d...). */
export function replyAddressFor(fromAddress: string, requestId: number, secret: string, side: ReplySide = 'resident'): string {
  checkRequestId(requestId);
  const { local, domain } = splitAddress(fromAddress);
  if (!local || local.includes('+')) throw new RangeError(`cannot plus-address "${fromAddress}"`);
  const k = mac(secret, SIDE_PURPOSE[side], `${local}@${domain}:${requestId}`, ADDRESS_MAC_CHARS);
  return `${local}+r${requestId}-${SIDE_TAG[side]}${k}@${domain}`;
}

/** The request a reply address names and whose side it was given to, or null when it is not one of ours or its MAC is wrong. */
export function replyAddressTarget(address: string, fromAddress: string, secret: string): { requestId: number; side: ReplySide } | null {
  const ours = splitAddress(fromAddress);
  const { local, domain } = splitAddress(address);
  if (domain !== ours.domain) return null;
  const m = new RegExp(`^(.+)\\+r(\\d{1,15})-([kd])([a-z2-7]{${ADDRESS_MAC_CHARS}})$`).exec(local);
  if (!m || m[1] !== ours.local) return null;
  const requestId = parseId(m[2] as string);
  if (requestId === null) return null;
  const side: ReplySide = m[3] === 'd' ? 'department' : 'resident';
  const expected = mac(secret, SIDE_PURPOSE[side], `${ours.local}@${ours.domain}:${requestId}`, ADDRESS_MAC_CHARS);
  return sameMac(expected, m[4] as string) ? { requestId, side } : null;
}

/** The request a reply address names, or null when it is not one of ours or its MAC is wrong. */
export function requestIdFromReplyAddress(address: string, fromAddress: string, secret: string): number | null {
  return replyAddressTarget(address, fromAddress, secret)?.requestId ?? null;
}

/**
 * A Message-ID (without angle brackets) for one outbound message: r123.<nonce>.<mac>@domain, or
 * n.<nonce>.<mac>@domain for mail about no request. The nonce (e.g. the outbox dedupe key, hashed)
 * makes each message's id unique and stable across retries of the same send.
 */
export function messageIdFor(requestId: number | null, nonce: string, secret: string, domain: string): string {
  if (requestId !== null) checkRequestId(requestId);
  if (!NONCE.test(nonce)) throw new RangeError(`a Message-ID nonce must be 1-64 letters, digits or dashes, got "${nonce}"`);
  const tag = requestId === null ? 'n' : `r${requestId}`;
  const d = domain.toLowerCase();
  return `${tag}.${nonce}.${mac(secret, 'message-id', `${tag}.${nonce}@${d}`, MESSAGE_ID_MAC_CHARS)}@${d}`;
}

/** The request a Message-ID we issued names; null for other ids, forged ids and ids about no request. */
export function requestIdFromMessageId(id: string, secret: string, domain: string): number | null {
  const bare = id.trim().replace(/^<|>$/g, '').toLowerCase();
  const m = new RegExp(`^r(\\d{1,15})\\.([a-z0-9-]{1,64})\\.([a-z2-7]{${MESSAGE_ID_MAC_CHARS}})@(.+)$`).exec(bare);
  if (!m || m[4] !== domain.toLowerCase()) return null;
  const requestId = parseId(m[1] as string);
  if (requestId === null) return null;
  const expected = mac(secret, 'message-id', `r${requestId}.${m[2]}@${m[4]}`, MESSAGE_ID_MAC_CHARS);
  return sameMac(expected, m[3] as string) ? requestId : null;
}
