// Reads where the problem is out of free text: a Danbury street (exact, abbreviated, misspelt, or
// without its suffix), a house number, a cross street, a landmark, or a street in a neighbouring town.
import { editDistance } from './edit-distance.ts';
import { houseNumberFor, residentNumber } from './house-number.ts';
import type { Gazetteer, GazetteerStreet, NeighbourStreet } from './gazetteer.ts';
import { INNER, SUFFIXES } from './street-names.ts';
import type { Location } from './types.ts';

const NO_LOCATION: Location = Object.freeze({ street: null, houseNumber: null, crossStreet: null, outsideTown: null, lat: null, lon: null });

interface Mention {
  start: number;
  end: number;
  /** 3 suffix written, 2 distinctive name or landmark or suffixed typo, 1 needed context to count. */
  score: number;
  street: GazetteerStreet | null;
  neighbour: NeighbourStreet[] | null;
  /** A street name as written when the gazetteer does not know it. */
  unlisted?: string;
  /** Named by a landmark ("the mall"), not by a street name. */
  landmark?: true;
}

// Words after which an ordinary word is read as a street: "on Main", "en la calle Lake", "na rua White".
const CUES = new Set(['on', 'at', 'near', 'onto', 'along', 'off', 'en', 'na', 'no', 'em', 'calle', 'rua', 'avenida', 'of', 'de', 'da', 'do', 'del']);
const CUE_BEFORE_OF = new Set(['corner', 'intersection', 'esquina', 'cruce', 'cruzamento', 'end', 'top', 'bottom']);
// "Osborne com a Wildman", "Main y la Elm": an article may stand before the second name.
const ARTICLES = new Set(['the', 'a', 'o', 'la', 'el']);
// Words between a street and the street it meets: "near", "off", "by the corner of", "esquina con", "perto da".
const CROSS_CUES = new Set(['near', 'by', 'off', 'past', 'corner', 'intersection', 'esquina', 'cruce', 'cruzamento', 'cerca', 'perto', 'junto', 'between']);
const CROSS_FILLER = new Set(['the', 'of', 'with', 'con', 'com', 'de', 'del', 'da', 'do', 'la', 'a', 'al', 'ao', 'calle', 'rua', 'right', 'just']);

function isCrossCue(between: readonly string[]): boolean {
  return between.length >= 1 && between.length <= 4 && between.some((t) => CROSS_CUES.has(t)) && between.every((t) => CROSS_CUES.has(t) || CROSS_FILLER.has(t));
}

const CONNECTORS = new Set(['&', 'and', 'y', 'e', 'com', 'at', '/', 'with', 'x']);
// A trailing direction or "ext" written after a suffix picks the variant the data spells that way.
const QUALIFIERS: Readonly<Record<string, string>> = { ext: 'Extension', extension: 'Extension', north: 'North', south: 'South', east: 'East', west: 'West' };
const HOUSE_NUMBER = /^\d{1,5}[a-z]?$/;
const PROSE_SUFFIXES = new Set(['place', 'way', 'run', 'court', 'circle', 'square', 'drive', 'trail', 'terrace', 'extension', 'la', 'te', 'ci', 'bl', 'wa', 'ct', 'pl']);
const SUFFIX_NOUNS = new Set(['sign', 'signs', 'light', 'lights', 'lamp', 'lamps', 'sweeper', 'sweeping', 'cleaning', 'name', 'names']);
const ABBREVIATED = /^(st|rd|ave?|dr|ln|blvd|ct|pl|ter)$/;
// Words that never begin a misspelt street name: without this, "on Shelter Rock Rd" is one typo away from "Old Shelter Rock Road".
// Capitalised words that start sentences, not street names: "The St..." "Please Rd..." never name a street.
const UNLISTED_STOP = new Set(['the', 'this', 'that', 'please', 'hi', 'hello', 'there', 'our', 'your', 'their', 'its', 'his', 'her', 'city', 'town', 'danbury', 'dead', 'main', 'i', 'we', 'street', 'road', 'every', 'both', 'each', 'any', 'some', 'same', 'other', 'whole', 'entire', 'next', 'busy', 'side', 'dead end', 'one', 'two', 'all', 'no', 'back', 'private', 'residential', 'local', 'state', 'wrong']);
// Everyday words before "road" or "street" that make prose, not a name the gazetteer lacks: "Uneven
// Road Surface", "Tree Across Road", "Busy Street". A real street with such a word is in the gazetteer.
const EVERYDAY = new Set([
  'uneven', 'bumpy', 'busy', 'icy', 'snowy', 'slippery', 'flooded', 'flooding', 'cracked', 'broken', 'damaged', 'blocked', 'closed', 'dangerous', 'rough',
  'bad', 'dark', 'dirt', 'gravel', 'paved', 'unpaved', 'muddy', 'wet', 'narrow', 'wide', 'steep', 'quiet', 'access', 'service', 'frontage', 'toll', 'county',
  'across', 'down', 'up', 'over', 'under', 'into', 'onto', 'out', 'middle', 'crossing', 'blocking', 'covering', 'behind', 'beside', 'around', 'through',
  'toward', 'towards', 'is', 'are', 'was', 'were', 'and', 'or', 'by', 'with', 'pothole', 'potholes', 'hole', 'holes', 'tree', 'trees', 'light', 'lights',
  'sign', 'signs', 'trash', 'garbage', 'recycling', 'snow', 'ice', 'water', 'flood', 'leaves', 'plow', 'plowed', 'unplowed', 'dead', 'fallen', 'report',
  'reporting', 'problem', 'issue', 'repair', 'fix', 'help', 'urgent', 'emergency', 'hazard', 'new', 'same', 'whole', 'entire', 'back', 'side',
]);
const NOT_A_NAME_START = new Set([...CUES, ...CONNECTORS, 'the', 'in', 'to', 'my', 'our', 'from', 'for', 'up', 'down', 'la', 'el', 'a', 'o', 'por', 'para', 'perto', 'cerca', 'frente', 'front', 'corner', 'end']);
// The text points at the sender's own place: "in front of my house", "our recycling", "mi casa".
const HOME_WORDS = /\b(my|our) (house|home|driveway|street|road|property|yard|mailbox|front|block|neighbou?rs?|building|apartment|door|garbage|trash|recycling|bins?|cans?|tote|leaves|curb|sidewalk|lawn|car)\b|\bin front of my\b|\bnext (door|to (me|us|my))\b|\bacross (the street )?from (me|us|my)\b|\bmi (casa|calle)\b|\bnuestra (casa|calle)\b|\bminha (casa|rua)\b|\bnossa (casa|rua)\b|\bfrente (a|de) (mi|minha)\b/i;

interface Token {
  text: string;
  word: boolean;
  /** Written with a capital letter: "Foxglove Ln" names a street, "the old ln" does not. */
  cap: boolean;
}

// Abbreviations inside names, written as in the assessor data: "W Wooster St", "Forty Acre Mt Rd".
const DIRECTION_LETTERS: Readonly<Record<string, string>> = { w: 'west', n: 'north', s: 'south', e: 'east' };
const INNER_WORDS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(INNER).map(([k, v]) => [k, v.toLowerCase()]));

function tokenize(text: string): Token[] {
  const plain = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’`]/g, "'")
    .replace(/'s\b/gi, 's')
    .replace(/'/g, '');
  const out: Token[] = [];
  for (const m of plain.matchAll(/[a-zA-Z0-9]+|[&/,.;:!?()#\n-]/g)) {
    const lower = m[0].toLowerCase();
    out.push({ text: INNER_WORDS[lower] ?? lower, word: /^[a-z0-9]/.test(lower), cap: /^[A-Z]/.test(m[0]) });
  }
  return out;
}

/** "w wooster" -> "west wooster" where the gazetteer has such a street; "e" is also Portuguese "and". */
function expandDirections(tokens: Token[], gaz: Gazetteer): Token[] {
  return tokens.map((t, i) => {
    const dir = DIRECTION_LETTERS[t.text];
    const next = tokens[i + 1];
    if (!dir || !next?.word) return t;
    const phrase = `${dir} ${next.text}`;
    return gaz.byBase.has(phrase) || [...gaz.phrasePrefixes].some((p) => p.startsWith(`${phrase} `)) ? { text: dir, word: true, cap: t.cap } : t;
  });
}

function suffixAt(tokens: Token[], i: number): string | undefined {
  const t = tokens[i];
  return t?.word ? SUFFIXES[t.text] : undefined;
}

/** Among the streets sharing a base, the one the written suffix and qualifier point to. */
function pick(cands: readonly GazetteerStreet[], suffix: string | undefined, qualifier: string | undefined): GazetteerStreet | undefined {
  const withSuffix = suffix ? cands.filter((c) => c.suffix === suffix) : cands;
  const pool = withSuffix.length > 0 ? withSuffix : cands;
  const plain = pool.filter((c) => !/ (Extension|North|South|East|West)$/.test(c.name));
  if (qualifier) {
    const q = pool.find((c) => c.name.endsWith(` ${qualifier}`));
    if (q) return q;
  }
  return plain[0] ?? pool[0];
}

const SUFFIX_NAMES = new Set(Object.values(SUFFIXES).map((v) => v.toLowerCase()));

/**
 * The text with the names of the streets found in it blanked out, for the category model: "Deer Hill
 * Avenue" says nothing about dead animals, nor "Lake Avenue" about flooding or "Park Avenue" about parks.
 */
export function maskPlaceNames(text: string, loc: Pick<Location, 'street' | 'crossStreet'>): string {
  let out = text;
  for (const name of [loc.street, loc.crossStreet]) {
    if (!name) continue;
    const words = name.toLowerCase().split(/\s+/);
    while (words.length > 1 && SUFFIX_NAMES.has(words[words.length - 1] as string)) words.pop();
    const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    out = out.replace(new RegExp(`\\b${escaped.join('\\s+')}\\b`, 'gi'), ' ');
  }
  return out;
}

export function createLocator(gaz: Gazetteer) {
  const basesByLength = new Map<number, string[]>();
  for (const b of gaz.byBase.keys()) {
    if (b.length < 4) continue;
    basesByLength.set(b.length, [...(basesByLength.get(b.length) ?? []), b]);
  }
  // Residents reuse the same words, so a word's nearest street name is worth remembering; the cap
  // keeps a long-running worker's memory flat.
  const nearestCache = new Map<string, string | null>();
  const CACHE_CAP = 50_000;

  function nearestBase(phrase: string, withSuffix: boolean): string | null {
    const key = `${withSuffix ? 's' : 'n'}${phrase}`;
    const hit = nearestCache.get(key);
    if (hit !== undefined) return hit;
    const max = phrase.length >= 8 && !phrase.includes(' ') ? 2 : 1;
    let best: { base: string; d: number } | null = null;
    for (let len = phrase.length - max; len <= phrase.length + max; len++) {
      for (const base of basesByLength.get(len) ?? []) {
        if (base[0] !== phrase[0] && base[1] !== phrase[1]) continue;
        if (!withSuffix && isOrdinary(base)) continue;
        const d = editDistance(phrase, base, max);
        if (d <= max && (!best || d < best.d)) best = { base, d };
      }
    }
    if (nearestCache.size >= CACHE_CAP) nearestCache.clear();
    nearestCache.set(key, best?.base ?? null);
    return best?.base ?? null;
  }

  function isOrdinary(phrase: string): boolean {
    return phrase.split(' ').every((w) => gaz.ordinary.has(w) || w.length <= 2);
  }

  function hasCue(tokens: Token[], start: number, end: number, previous: Mention | undefined): boolean {
    const before = tokens[start - 1];
    if (!before) return false;
    if (HOUSE_NUMBER.test(before.text)) return true;
    if (CONNECTORS.has(before.text) && previous && previous.end === start - 1) return true;
    if (before.text === 'of' || before.text === 'de' || before.text === 'da' || before.text === 'do') {
      const b2 = tokens[start - 2];
      if (b2 && CUE_BEFORE_OF.has(b2.text)) return true;
      if (before.text === 'of') return false;
    }
    if (CUE_BEFORE_OF.has(before.text)) return true;
    // "esquina con Main", "corner with Elm".
    if (['con', 'com', 'with'].includes(before.text) && CUE_BEFORE_OF.has(tokens[start - 2]?.text ?? '')) return true;
    if (CUES.has(before.text) && before.text !== 'of' && !['de', 'da', 'do', 'del'].includes(before.text)) return true;
    // "Main and White": an ordinary name joined to another street name is an intersection.
    const after = tokens[end];
    if (after && ['&', 'and', 'y', 'e', 'com', '/'].includes(after.text)) {
      const next = tokens[end + 1];
      if (next?.word && (gaz.byBase.has(next.text) || gaz.landmarks.has(next.text))) return true;
    }
    return false;
  }

  function matchAt(tokens: Token[], i: number, previous: Mention | undefined): Mention | null {
    if (!tokens[i]?.word || HOUSE_NUMBER.test(tokens[i]!.text)) return null;
    let run = 0;
    while (run < gaz.maxBaseWords && tokens[i + run]?.word) run++;
    for (let len = run; len >= 1; len--) {
      const phrase = tokens.slice(i, i + len).map((t) => t.text).join(' ');
      if (len > 1 && !gaz.phrasePrefixes.has(phrase)) continue;
      const end = i + len;
      const landmark = gaz.landmarks.get(phrase);
      // "Candlewood Lake Rd" is a street, not the lake.
      if (landmark && !suffixAt(tokens, i + len)) return { start: i, end, score: 2, street: landmark, neighbour: null, landmark: true };
      const suffix = suffixAt(tokens, end);
      const cands = gaz.byBase.get(phrase);
      const neighbour = suffix ? (gaz.neighbourByBase.get(phrase) ?? []).filter((n) => n.suffix === suffix) : [];
      if (cands) {
        const qualifierToken = suffix ? tokens[end + 1]?.text : undefined;
        const qualifier = qualifierToken ? QUALIFIERS[qualifierToken] : undefined;
        const street = pick(cands, suffix, qualifier);
        if (!street) continue;
        if (suffix) {
          const exact = street.suffix === suffix;
          // "the main road" is prose; "Main Road" is not a street here (Main Street is).
          if (!exact && isOrdinary(phrase)) continue;
          // "a new street sign", "the high street light": a lower-case ordinary word before "street sign" is prose.
          if (isOrdinary(phrase) && !tokens[i]!.cap && SUFFIX_NOUNS.has(tokens[end + 1]?.text ?? '') && !ABBREVIATED.test(tokens[end]!.text)) continue;
          // "Greenwood Ave" exists in Bethel, not here: a suffix that only the neighbour's street has wins.
          if (!exact && neighbour.length > 0) return { start: i, end: end + 1, score: 3, street: null, neighbour };
          return { start: i, end: end + 1 + (qualifier ? 1 : 0), score: exact ? 3 : 2, street, neighbour: neighbour.length ? neighbour : null };
        }
        if (gaz.towns.has(phrase)) continue;
        // "WHITE TURKEY RD" is a street of its own, not White Street followed by a word.
        const longer = unlistedAt(tokens, i);
        if (longer && longer.end > end + 1) return longer;
        if (!isOrdinary(phrase)) return { start: i, end, score: 2, street, neighbour: null };
        if (hasCue(tokens, i, end, previous)) return { start: i, end, score: 1, street, neighbour: null };
        continue;
      }
      if (suffix && neighbour.length > 0) return { start: i, end: end + 1, score: 3, street: null, neighbour };
    }
    return fuzzyAt(tokens, i, previous);
  }

  /** A misspelt name: one slip in a short word, two in a long one; without a suffix only for unusual words. */
  function fuzzyAt(tokens: Token[], i: number, previous: Mention | undefined): Mention | null {
    for (let len = 3; len >= 1; len--) {
      const slice = tokens.slice(i, i + len);
      if (slice.length < len || !slice.every((t) => t.word && !/\d/.test(t.text))) continue;
      const phrase = slice.map((t) => t.text).join(' ');
      if (phrase.length < 5 || isOrdinary(phrase) || NOT_A_NAME_START.has(slice[0]!.text)) continue;
      const end = i + len;
      const suffix = suffixAt(tokens, end);
      // "take place", "no way", "test drive": a lower-case everyday suffix word does not vouch for a misspelt name.
      if (suffix && PROSE_SUFFIXES.has(tokens[end]!.text) && !tokens[end]!.cap) continue;
      // Without a suffix a near-miss counts only where a street is expected ("on padanarm"): "driveway" is not Driftway.
      if (!suffix && (len > 1 || phrase.length < 6 || !hasCue(tokens, i, end, previous))) continue;
      const best = nearestBase(phrase, suffix !== undefined);
      if (best === null) continue;
      const cands = gaz.byBase.get(best)!;
      const street = pick(cands, suffix, undefined);
      if (!street) continue;
      // A misspelt one-word name must at least agree on the suffix ("Hayestwon Rd" -> Hayestown Road).
      if (suffix && len === 1 && best !== phrase && !cands.some((c) => c.suffix === suffix)) continue;
      return { start: i, end: suffix ? end + 1 : end, score: suffix ? 2 : 1.5, street, neighbour: null };
    }
    return null;
  }

  /**
   * A capitalised name with a street suffix that the gazetteer lacks ("12 Foxglove Ln"): the seed data
   * holds only streets with a recorded sale, so the name as written beats finding nothing.
   */
  function unlistedAt(tokens: Token[], i: number): Mention | null {
    // "Fix Padanaram Rd", "Is Golden Hill Rd plowed": a known street starting a word or two later is
    // the name; the capitalised word before it is a verb or the start of a sentence.
    for (let k = 1; k <= 2; k++) {
      if (tokens[i + k]?.word && matchAt(tokens, i + k, undefined)?.street) return null;
    }
    // Lower case counts too where a street is expected: "at 12 foxglove ln", "on foxglove ln".
    const before = tokens[i - 1]?.text ?? '';
    const expected = HOUSE_NUMBER.test(before) || ['on', 'at', 'near', 'off', 'onto', 'along'].includes(before);
    for (let len = 1; len <= 3; len++) {
      const slice = tokens.slice(i, i + len);
      if (slice.length < len || !slice.every((t) => t.word && (t.cap || expected) && /^[a-z]{2,}$/.test(t.text) && !SUFFIXES[t.text] && !NOT_A_NAME_START.has(t.text) && !UNLISTED_STOP.has(t.text) && !EVERYDAY.has(t.text))) return null;
      const suffix = suffixAt(tokens, i + len);
      if (!suffix) continue;
      const phrase = slice.map((t) => t.text).join(' ');
      if (isOrdinary(phrase) || gaz.towns.has(phrase) || NOT_A_NAME_START.has(slice[0]!.text) || UNLISTED_STOP.has(slice[0]!.text)) return null;
      const name = `${slice.map((t) => t.text.charAt(0).toUpperCase() + t.text.slice(1)).join(' ')} ${suffix}`;
      return { start: i, end: i + len + 1, score: 0.5, street: null, neighbour: null, unlisted: name };
    }
    return null;
  }

  function mentionsIn(text: string): { tokens: Token[]; mentions: Mention[] } {
    const tokens = expandDirections(tokenize(text), gaz);
    const mentions: Mention[] = [];
    for (let i = 0; i < tokens.length; ) {
      const m = matchAt(tokens, i, mentions[mentions.length - 1]) ?? unlistedAt(tokens, i);
      if (m) {
        mentions.push(m);
        i = m.end;
      } else i++;
    }
    return { tokens, mentions };
  }

  /** A neighbouring town named near the mention ("Greenwood Ave in Bethel", "Bethel CT"), not as a street name. */
  function townNear(tokens: Token[], m: Mention): string | null {
    for (let j = Math.max(0, m.start - 6); j < Math.min(tokens.length, m.end + 8); j++) {
      if (j >= m.start && j < m.end) continue;
      for (const len of [2, 1]) {
        const phrase = tokens.slice(j, j + len).map((t) => t.text).join(' ');
        const town = gaz.towns.get(phrase);
        if (!town || suffixAt(tokens, j + len) || tokens[j - 1]?.text === 'old') continue;
        const before = tokens[j - 1]?.text ?? '';
        const after = tokens[j + len]?.text ?? '';
        const right = j === m.end || (j === m.end + 1 && tokens[m.end]?.text === ',');
        if (right || ['in', 'en', 'em', 'of', 'de'].includes(before) || ['ct', 'conn', 'connecticut'].includes(after)) return town;
      }
    }
    return null;
  }

  /**
   * The main street's house number: read around this mention, else around another mention of the same
   * street ("Pothole on Main Street" in the subject, "in front of 45 Main Street" in the body), else the
   * number the resident gives for themselves when they name one street only.
   */
  function houseNumberOf(tokens: Token[], mentions: Mention[], main: Mention): string | null {
    const same = (m: Mention): boolean => m === main || (m.street !== null ? m.street === main.street : m.unlisted !== undefined && m.unlisted === main.unlisted);
    for (const m of [main, ...mentions.filter((x) => x !== main && same(x))]) {
      const next = mentions.find((x) => x.start >= m.end);
      const n = houseNumberFor(tokens, m.start, m.end, next?.start ?? null);
      if (n !== null) return n;
    }
    return mentions.every(same) ? residentNumber(tokens) : null;
  }

  function resolve(tokens: Token[], mentions: Mention[]): Location | null {
    if (mentions.length === 0) return null;
    const strong = mentions.filter((m) => m.score >= 2);
    const best = Math.max(...mentions.map((m) => m.score));
    let main = strong[0] ?? mentions.find((m) => m.score === best)!;
    let cross: Mention | undefined;
    const index = mentions.indexOf(main);
    for (const other of [mentions[index + 1], mentions[index - 1]]) {
      if (!other || other.street === main.street) continue;
      const [a, b] = other.start > main.start ? [main, other] : [other, main];
      const between = tokens.slice(a.end, b.start).map((t) => t.text);
      if (between.length >= 1 && between.length <= 2 && between.some((t) => CONNECTORS.has(t)) && between.every((t) => CONNECTORS.has(t) || ARTICLES.has(t))) {
        // An intersection is named street first, cross street second: "Main and Wooster".
        [main, cross] = [a, b];
        break;
      }
      // "Main St by the corner of Elm", "Balmforth Ave off Main", "Wooster St esquina con Main": the
      // street first, then the one it meets; a landmark there is a place, not a cross street.
      if (other.start > main.start && !other.landmark && isCrossCue(between)) {
        cross = other;
        break;
      }
    }
    const houseNumber = houseNumberOf(tokens, mentions, main);
    const town = townNear(tokens, main);
    if (main.unlisted !== undefined && !town) {
      return { street: main.unlisted, houseNumber, crossStreet: cross?.street?.name ?? null, outsideTown: null, lat: null, lon: null };
    }
    if (main.street === null || town) {
      const n = main.neighbour?.find((x) => x.town === town) ?? main.neighbour?.[0];
      return {
        street: n?.name ?? main.street?.name ?? main.unlisted ?? null,
        houseNumber,
        crossStreet: cross?.street?.name ?? null,
        outsideTown: town ?? n?.town ?? null,
        lat: null,
        lon: null,
      };
    }
    const s = main.street;
    return { street: s.name, houseNumber, crossStreet: cross?.street?.name ?? null, outsideTown: null, lat: s.lat, lon: s.lon };
  }

  /**
   * The problem's location: from what the resident wrote (subject and authored body). The sender's own
   * address in a signature counts only when the text points at their home ("in front of my house").
   */
  function locate(authored: string, signature: string | null): Location {
    const { tokens, mentions } = mentionsIn(authored);
    const found = resolve(tokens, mentions);
    if (found) return found;
    if (signature && HOME_WORDS.test(authored)) {
      const sig = mentionsIn(signature);
      const fromSig = resolve(sig.tokens, sig.mentions.filter((m) => m.score >= 2));
      if (fromSig) return fromSig;
    }
    return NO_LOCATION;
  }

  return { locate };
}
