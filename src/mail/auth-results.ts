// What the city's receiving mail server concluded about the sender (RFC 8601 Authentication-Results):
// SPF, DKIM and DMARC. Only the topmost such header is read: it is the one our own server added last;
// any further down came with the message and could have been written by the sender.
import type { ParsedMessage } from './types.ts';

export interface AuthResults {
  /** Who made the checks, e.g. "mx.danbury.gov" or "outlook.com". */
  authservId: string;
  spf: string | null;
  dkim: string | null;
  dmarc: string | null;
}

const METHODS = ['spf', 'dkim', 'dmarc'] as const;

export function readAuthResults(headers: ParsedMessage['headers']): AuthResults | null {
  const value = headers['authentication-results'];
  const top = Array.isArray(value) ? value[0] : value;
  if (!top) return null;
  // Comments in parentheses can hold anything, including "dkim=pass": drop them before reading.
  const text = top.replace(/\([^()]*\)/g, ' ');
  const [authserv, ...results] = text.split(';');
  const authservId = authserv?.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!authservId) return null;
  const out: AuthResults = { authservId, spf: null, dkim: null, dmarc: null };
  for (const r of results) {
    const m = /^\s*([a-z-]+)\s*=\s*([a-z]+)/i.exec(r);
    const method = m?.[1]?.toLowerCase();
    const verdict = m?.[2]?.toLowerCase();
    if (!method || !verdict || !(METHODS as readonly string[]).includes(method)) continue;
    const key = method as (typeof METHODS)[number];
    // Several DKIM signatures: one that passes is what counts.
    if (out[key] === null || verdict === 'pass') out[key] = verdict;
  }
  return out;
}

/**
 * True when the receiving server says the From address was forged: DMARC failed, or (for domains
 * without DMARC) neither SPF nor DKIM vouched for it while one of them failed outright.
 */
export function senderFailedAuthentication(r: AuthResults | null): boolean {
  if (!r) return false;
  if (r.dmarc === 'fail') return true;
  if (r.dmarc === 'pass') return false;
  return (r.spf === 'fail' || r.dkim === 'fail') && r.spf !== 'pass' && r.dkim !== 'pass';
}
