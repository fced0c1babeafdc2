// The one test of "is this an email address we may write to": a single RFC 5322 addr-spec with a
// dot-atom local part and a DNS domain. Everything that reads an address from outside (From, Reply-To,
// the web form) and everything that sends (the notify stage) asks here, so what one accepts the other sends.
//
// Deliberately narrower than RFC 5322: quoted local parts ("a b"@x), comments, domain literals
// ([192.0.2.1]) and group syntax are refused. Real residents do not use them, and each is a way to
// smuggle a second recipient or a header past a looser check.

// atext of RFC 5322 section 3.2.3, without the characters that separate addresses or end headers.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// Internationalised domains arrive as IDNA punycode (xn--) or as UTF-8; both fold to ASCII labels via URL.
const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;

/** The address lower-cased and without angle brackets, or null when it is not exactly one valid addr-spec. */
export function parseAddress(input: string): string | null {
  let s = input.trim();
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1).trim();
  if (s.length === 0 || s.length > MAX_ADDRESS) return null;
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return null;
  const local = s.slice(0, at);
  const domain = asciiDomain(s.slice(at + 1));
  if (local.length > MAX_LOCAL || !LOCAL.test(local) || domain === null) return null;
  return `${local.toLowerCase()}@${domain}`;
}

export function isValidAddress(input: string): boolean {
  return parseAddress(input) !== null;
}

function asciiDomain(raw: string): string | null {
  let d = raw.toLowerCase();
  if (/[^\x21-\x7e]/.test(d)) {
    // Only plain letters beyond ASCII; URL does the IDNA mapping.
    if (/[\s<>@,;:"()[\]\\]/.test(d)) return null;
    try {
      d = new URL(`http://${d}/`).hostname;
    } catch {
      return null;
    }
  }
  const labels = d.split('.');
  // A domain we can deliver to has at least two labels: "localhost" or "@@@" are not residents.
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^[0-9]+$/.test(labels.at(-1) as string)) return null;
  return d;
}
