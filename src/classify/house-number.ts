// Reads the house number that goes with a street mention, wherever the resident put it: before the
// name ("45 Main St", "frente al 210 de la calle Main"), after it ("Elm St, number 12", "Main St across
// from 100", "Elm Street #100 and up", "na rua Main em frente ao 30"), and never a pole tag, a request
// number, a date, a phone number, a highway, a list marker or a size.

/** A token of the location matcher: lower case, accents and apostrophes removed ("número" -> "numero", "I'm" -> "im"). */
export interface TokenText {
  text: string;
}

const NUMBER = /^[1-9]\d{0,4}[a-z]?$/;

// Words that say the number names a house, before or after the street.
const NEAR_CUES: readonly (readonly string[])[] = [
  ['across', 'from'], ['in', 'front', 'of'], ['next', 'to'], ['opposite'], ['outside'], ['beside'], ['near'], ['by'], ['at'], ['past'],
  ['frente', 'al'], ['frente', 'a'], ['frente', 'del'], ['enfrente', 'del'], ['enfrente', 'de'], ['cerca', 'del'], ['cerca', 'de'], ['junto', 'al'],
  ['em', 'frente', 'ao'], ['em', 'frente', 'a'], ['em', 'frente', 'do'], ['em', 'frente', 'da'], ['perto', 'do'], ['perto', 'da'], ['perto', 'de'], ['ao', 'lado', 'do'],
];
// Words that mark a number as a house number by themselves: "number 12", "no. 3", "#100", "numero 40".
const NUMBER_WORDS = new Set(['number', 'no', 'nr', 'num', 'numero', 'house', 'casa', '#', 'n']);
// What may stand between a number placed before the street and the street: "88 on Main", "210 de la calle Main".
const LINKS = new Set(['on', 'of', 'in', 'de', 'la', 'calle', 'del', 'da', 'do', 'na', 'no', 'rua', 'en', 'em', 'avenida', ',']);
// A number right after these is a tag, a reference, a route or a unit, not a house.
const TAG_WORDS = new Set([
  'pole', 'poles', 'tag', 'post', 'request', 'ticket', 'case', 'ref', 'reference', 'confirmation', 'order', 'account', 'id', 'claim', 'permit',
  'route', 'rt', 'rte', 'hwy', 'highway', 'i', 'interstate', 'exit', 'us', 'ct', 'sr', 'apt', 'apartment', 'unit', 'suite', 'ste', 'box', 'bus',
  'call', 'phone', 'tel', 'cell', 'text', 'poste', 'solicitud', 'pedido', 'protocolo', 'ruta', 'rota', 'salida', 'saida', 'lote', 'lot', 'since', 'desde',
]);
// A number before these is a size, a count or a time.
const UNIT_WORDS = new Set([
  'ft', 'foot', 'feet', 'inch', 'inches', 'in', 'cm', 'm', 'meter', 'meters', 'metros', 'metro', 'pies', 'pes', 'pulgadas', 'polegadas', 'yards', 'yd', 'miles', 'mile', 'blocks',
  'x', 'mph', 'lbs', 'lb', 'pounds', 'percent', 'minutes', 'mins', 'min', 'hours', 'hrs', 'hour', 'days', 'day', 'weeks', 'week', 'months', 'month', 'years', 'year',
  'times', 'am', 'pm', 'oclock', 'cars', 'houses', 'homes', 'people', 'kids', 'potholes', 'holes', 'lights', 'streetlights', 'trees', 'bags', 'bins', 'cans', 'lanes',
  'dias', 'semanas', 'meses', 'anos', 'horas', 'veces', 'vezes', 'carros', 'casas',
]);
// Highways through the city: "near 84" is the interstate, wherever it is written.
const HIGHWAYS = new Set(['84', '7', '6', '37', '39', '53', '202']);
const SENTENCE_END = new Set(['.', '!', '?', '\n', ';']);
// Within a clause a spatial cue sits close to the street ("Main St across from 100"); an explicit
// "number" may come later in the sentence ("Deer Hill Ave is broken in places, between number 20 and 40").
const NEAR_WINDOW = 3;
const NUMBER_WORD_WINDOW = 8;
const SKIPPABLE = new Set([',', 'right', 'just', 'somewhere', 'around', 'about', '(', '-']);

const isDigits = (t: TokenText | undefined): boolean => !!t && /^\d+$/.test(t.text);

function matchesAt(tokens: readonly TokenText[], i: number, words: readonly string[]): boolean {
  return words.every((w, k) => tokens[i + k]?.text === w);
}

/** The number at `k`, if it can be a house number where it stands; `apart` when it is not right before the street name. */
function plausible(tokens: readonly TokenText[], k: number, apart: boolean): string | null {
  const t = tokens[k];
  if (!t || !NUMBER.test(t.text)) return null;
  const before = tokens[k - 1];
  const after = tokens[k + 1];
  // Parts of phone numbers, dates, times and decimals: "203-555-0147", "11/28", "7:30", "2.5".
  if (before && ['-', '/', ':', '.', ','].includes(before.text) && isDigits(tokens[k - 2])) return null;
  if (after && ['-', '/', ':', '.'].includes(after.text) && isDigits(tokens[k + 2])) return null;
  // List markers: "1) by the Shell 2) by the diner", "2. Main St".
  if (after && (after.text === ')' || (after.text === '.' && (!before || before.text === '\n' || before.text === '(')))) return null;
  if (after && UNIT_WORDS.has(after.text)) return null;
  // "pole #4471", "pole number 7731", "case no. 12": the word before the number word says what it counts.
  let tagAt = k - 1;
  while (tagAt > 0 && (NUMBER_WORDS.has(tokens[tagAt]!.text) || tokens[tagAt]!.text === '.') && k - tagAt <= 2) tagAt--;
  if (tokens[tagAt] && TAG_WORDS.has(tokens[tagAt]!.text)) return null;
  if (apart) {
    // "near 84" is the interstate; "number 7", "#7" and "moro no 7" are houses.
    const named = NUMBER_WORDS.has(before?.text ?? '') || RESIDENT.some((cue) => matchesAt(tokens, k - cue.length, cue));
    if (HIGHWAYS.has(t.text) && !named) return null;
    if (/^(19|20)\d\d$/.test(t.text)) return null;
    if (after && ['overpass', 'underpass', 'ramp', 'exit', 'bridge', 'eastbound', 'westbound', 'northbound', 'southbound'].includes(after.text)) return null;
  }
  return t.text.toUpperCase();
}

/** Where a cue ending just before `k` starts, or -1: "across from 88" -> the index of "across". */
function cueBefore(tokens: readonly TokenText[], k: number): number {
  let j = k;
  // "number 12", "#100", "no. 3", "near #210", "cerca del numero 12".
  if (tokens[j - 1]?.text === '.' && tokens[j - 2]?.text === 'no') j -= 2;
  else if (NUMBER_WORDS.has(tokens[j - 1]?.text ?? '')) j -= 1;
  for (const cue of NEAR_CUES) {
    if (matchesAt(tokens, j - cue.length, cue)) return j - cue.length;
  }
  return j < k ? j : -1;
}

/** A number written before the street: directly ("45 Main St") or after a cue and a link ("frente al 210 de la calle Main"). */
function numberBefore(tokens: readonly TokenText[], start: number): string | null {
  const direct = plausible(tokens, start - 1, false);
  if (direct !== null) return direct;
  let k = start - 1;
  let links = 0;
  while (k >= 0 && links < 3 && LINKS.has(tokens[k]!.text)) {
    k--;
    links++;
  }
  if (links === 0 || cueBefore(tokens, k) < 0) return null;
  return plausible(tokens, k, true);
}

/** A number written after the street: "Elm St, number 12", "Main St across from 100", "Elm Street #100 and up". */
function numberAfter(tokens: readonly TokenText[], end: number): string | null {
  for (let j = end, seen = 0; j < tokens.length && seen <= NUMBER_WORD_WINDOW; j++) {
    const t = tokens[j]!;
    if (SENTENCE_END.has(t.text) && !(t.text === '.' && tokens[j - 1]?.text === 'no')) return null;
    if (/^\d/.test(t.text)) {
      const cue = cueBefore(tokens, j);
      if (cue < 0) {
        seen++;
        continue;
      }
      // The words between the street and the cue: close for "near", anywhere in the clause for "number".
      const explicit = NUMBER_WORDS.has(tokens[j - 1]?.text ?? '') || tokens[j - 1]?.text === '.';
      const gap = tokens.slice(end, cue).filter((x) => !SKIPPABLE.has(x.text)).length;
      if (gap > (explicit ? NUMBER_WORD_WINDOW : NEAR_WINDOW)) return null;
      const n = plausible(tokens, j, true);
      // "near 45 Elm St": the number belongs to the next street named, not to this one.
      if (n !== null) return n;
    }
    if (t.text !== ',') seen++;
  }
  return null;
}

/** The house number for the street mention at tokens [start, end), or null. */
export function houseNumberFor(tokens: readonly TokenText[], start: number, end: number, nextStreetStart: number | null): string | null {
  const before = numberBefore(tokens, start);
  if (before !== null) return before;
  // Spanish and Portuguese put the number after the name: "Rua Balmforth 22", "calle Spring 12".
  if (['rua', 'calle', 'avenida'].includes(tokens[start - 1]?.text ?? '')) {
    const written = plausible(tokens, end, false);
    if (written !== null) return written;
  }
  const after = numberAfter(tokens, end);
  if (after === null) return null;
  // A number right before the next street named is that street's: "Main St near 45 Elm St".
  if (nextStreetStart !== null) {
    const at = tokens.findIndex((t, i) => i >= end && t.text.toUpperCase() === after);
    if (at >= 0 && at <= nextStreetStart && numberBefore(tokens, nextStreetStart) === after) return null;
  }
  return after;
}

// "I'm at 14", "we live at 9", "vivo en el 12", "moro no 30": the resident's own number, told apart from the street.
const RESIDENT = [['im', 'at'], ['i', 'am', 'at'], ['we', 'are', 'at'], ['were', 'at'], ['i', 'live', 'at'], ['we', 'live', 'at'], ['vivo', 'en', 'el'], ['moro', 'no'], ['moramos', 'no']];

// Cues that name a house even sentences away from the street: "Main Street is bad. Right in front of number 88".
const LOOSE_CUES = NEAR_CUES.filter((c) => c.length > 1);

/**
 * The house number a message gives away from the street name, for a message that names one street:
 * the resident's own ("I'm at 14", "moro no 7"), or one named as a house ("in front of number 88", "#12").
 */
export function residentNumber(tokens: readonly TokenText[]): string | null {
  for (let i = 0; i < tokens.length; i++) {
    for (const cue of RESIDENT) {
      if (matchesAt(tokens, i, cue)) {
        const n = plausible(tokens, i + cue.length, true);
        // "I'm at 14.", "vivo en el 40 de la calle Liberty"; not "I'm at 7 pm".
        const after = tokens[i + cue.length + 1]?.text ?? '.';
        if (n !== null && (SENTENCE_END.has(after) || LINKS.has(after))) return n;
      }
    }
  }
  for (let k = 0; k < tokens.length; k++) {
    if (!/^\d/.test(tokens[k]!.text)) continue;
    const explicit = NUMBER_WORDS.has(tokens[k - 1]?.text ?? '') || (tokens[k - 1]?.text === '.' && tokens[k - 2]?.text === 'no');
    const cue = cueBefore(tokens, k);
    if (cue < 0 || !(explicit || LOOSE_CUES.some((c) => matchesAt(tokens, cue, c)))) continue;
    const n = plausible(tokens, k, true);
    if (n !== null) return n;
  }
  return null;
}
