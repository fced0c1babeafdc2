// Tracking numbers: PREFIX-BODYC, e.g. DB-100A7. BODY is the database sequence value in Crockford
// base32 (digits and letters without I, L, O, U, so nothing reads as something else over the phone),
// C is a Luhn mod 32 check character: any single mistyped character, and any swap of two
// neighbouring different characters, gives a number that fails the check.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = ALPHABET.length;
const MIN_BODY = 4;

function checkChar(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    let addend = factor * ALPHABET.indexOf(body[i] as string);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return ALPHABET[(N - (sum % N)) % N] as string;
}

export function formatTrackingNumber(prefix: string, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`bad sequence value ${sequence}`);
  let body = '';
  let n = sequence;
  do {
    body = ALPHABET[n % N] + body;
    n = Math.floor(n / N);
  } while (n > 0);
  body = body.padStart(MIN_BODY, '0');
  return `${prefix}-${body}${checkChar(body)}`;
}

/** What a typed tracking number reads as, before its check character is checked; null when it is not shaped like one. */
function readTrackingNumber(prefix: string, input: string): { body: string; check: string } | null {
  const cleaned = input.toUpperCase().replace(/[\s-]/g, '');
  if (!cleaned.startsWith(prefix)) return null;
  const rest = cleaned
    .slice(prefix.length)
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
    .replace(/U/g, 'V');
  if (rest.length < MIN_BODY + 1 || rest.length > 12) return null;
  if ([...rest].some((c) => !ALPHABET.includes(c))) return null;
  return { body: rest.slice(0, -1), check: rest.slice(-1) };
}

/** Reads what a person typed or said: case, spaces, dashes and the usual look-alikes are forgiven. */
export function normalizeTrackingNumber(prefix: string, input: string): string | null {
  const read = readTrackingNumber(prefix, input);
  return read && checkChar(read.body) === read.check ? `${prefix}-${read.body}${read.check}` : null;
}

/** True for input shaped like a tracking number whose check character fails: one character is wrong, or two swapped. */
export function failsCheckCharacter(prefix: string, input: string): boolean {
  const read = readTrackingNumber(prefix, input);
  return read !== null && checkChar(read.body) !== read.check;
}

/** Every valid tracking number in a text, normalized, in order of appearance, without repeats. */
export function findTrackingNumbers(prefix: string, text: string): string[] {
  const re = new RegExp(`\\b${prefix}[ -]?([0-9A-Za-z]{${MIN_BODY + 1},12})\\b`, 'gi');
  const found: string[] = [];
  for (const m of text.matchAll(re)) {
    const n = normalizeTrackingNumber(prefix, m[0]);
    if (n && !found.includes(n)) found.push(n);
  }
  return found;
}
