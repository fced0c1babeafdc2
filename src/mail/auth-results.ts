// What the city's receiving mail server concluded about the sender (RFC 8601 Authentication-Results):
// SPF, DKIM and DMARC. Anyone can write such a header into a message, so only one written by a server
// named in CITYLINE_TRUSTED_AUTHSERV_ID is believed: the topmost header carrying a trusted authserv-id
// (the receiving server adds its own on top and, per RFC 8601 section 5, removes copies claiming its id
// that came with the message).
import type { ParsedMessage } from './types.ts';

export interface AuthResults {
  /** Who made the checks, e.g. "mx.danbury.gov" or "outlook.com". */
  authservId: string;
  /** Written by one of the city's own servers (CITYLINE_TRUSTED_AUTHSERV_ID). */
  trusted: boolean;
  spf: string | null;
  dkim: string | null;
  dmarc: string | null;
  /** The signing domains (header.d) of the DKIM signatures that passed. */
  dkimPassDomains: string[];
  /** The From domain DMARC was evaluated for (header.from), when the header says. */
  dmarcFrom: string | null;
}

const METHODS = ['spf', 'dkim', 'dmarc'] as const;

function parseHeader(value: string, trusted: readonly string[]): AuthResults | null {
  // Comments in parentheses can hold anything, including "dkim=pass": drop them before reading.
  const text = value.replace(/\([^()]*\)/g, ' ');
  const [authserv, ...results] = text.split(';');
  const authservId = authserv?.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!authservId) return null;
  const out: AuthResults = { authservId, trusted: trusted.includes(authservId), spf: null, dkim: null, dmarc: null, dkimPassDomains: [], dmarcFrom: null };
  for (const r of results) {
    const m = /^\s*([a-z-]+)\s*=\s*([a-z]+)/i.exec(r);
    const method = m?.[1]?.toLowerCase();
    const verdict = m?.[2]?.toLowerCase();
    if (!method || !verdict || !(METHODS as readonly string[]).includes(method)) continue;
    const key = method as (typeof METHODS)[number];
    // Several DKIM signatures: one that passes is what counts.
    if (out[key] === null || verdict === 'pass') out[key] = verdict;
    const property = (name: string): string | null => new RegExp(`(?:^|\\s)${name.replace('.', '\\.')}\\s*=\\s*@?([^\\s;]+)`, 'i').exec(r)?.[1]?.toLowerCase() ?? null;
    if (key === 'dkim' && verdict === 'pass') {
      const d = property('header.d') ?? property('header.i')?.replace(/^.*@/, '') ?? null;
      if (d) out.dkimPassDomains.push(d);
    }
    if (key === 'dmarc') out.dmarcFrom = property('header.from');
  }
  return out;
}

/**
 * The results to go by: the topmost header from a trusted authserv-id, or, when none is configured, the
 * topmost header (believed only as evidence against the sender, never for it: see senderAuthenticated).
 */
export function readAuthResults(headers: ParsedMessage['headers'], trustedAuthservIds: readonly string[] = []): AuthResults | null {
  const value = headers['authentication-results'];
  const all = (Array.isArray(value) ? value : value ? [value] : []).map((v) => parseHeader(v, trustedAuthservIds));
  if (trustedAuthservIds.length > 0) return all.find((r) => r?.trusted) ?? null;
  return all[0] ?? null;
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

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * True when one of the city's own servers vouches for the From address: DMARC passed for its domain, or a
 * DKIM signature of its domain (or a parent domain: relaxed alignment) passed. SPF alone is not enough:
 * it vouches for the envelope sender, which need not be the From.
 */
export function senderAuthenticated(r: AuthResults | null, fromAddress: string | null): boolean {
  if (!r?.trusted || !fromAddress) return false;
  const from = domainOf(fromAddress);
  if (r.dmarc === 'pass' && (r.dmarcFrom === null || r.dmarcFrom === from)) return true;
  return r.dkimPassDomains.some((d) => from === d || from.endsWith(`.${d}`));
}
