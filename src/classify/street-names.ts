// Street-name spelling shared by the gazetteer build and the matcher: abbreviations spelled out,
// casing made canonical, and the folding that makes "Padanaram Rd." and "padanaram road" the same key.

/** Street suffixes as written in assessor data and by residents, to the spelled-out canonical word. */
export const SUFFIXES: Readonly<Record<string, string>> = {
  rd: 'Road', road: 'Road', rod: 'Road',
  st: 'Street', str: 'Street', street: 'Street', streets: 'Street', stret: 'Street', steet: 'Street',
  ave: 'Avenue', av: 'Avenue', avenue: 'Avenue', avn: 'Avenue', avenu: 'Avenue',
  dr: 'Drive', drive: 'Drive', drv: 'Drive',
  ln: 'Lane', la: 'Lane', lane: 'Lane',
  ter: 'Terrace', terr: 'Terrace', te: 'Terrace', terrace: 'Terrace',
  pl: 'Place', place: 'Place',
  ct: 'Court', court: 'Court',
  way: 'Way', wa: 'Way',
  tl: 'Trail', trl: 'Trail', trail: 'Trail',
  blvd: 'Boulevard', bl: 'Boulevard', boulevard: 'Boulevard', blvrd: 'Boulevard',
  cir: 'Circle', ci: 'Circle', circle: 'Circle',
  hwy: 'Highway', highway: 'Highway',
  pkwy: 'Parkway', parkway: 'Parkway',
  ext: 'Extension', extension: 'Extension',
  sq: 'Square', square: 'Square',
  run: 'Run',
  passway: 'Passway',
};

/** Words inside a name that are abbreviated in the data. */
export const INNER: Readonly<Record<string, string>> = {
  mt: 'Mountain', mtn: 'Mountain', hgts: 'Heights', hts: 'Heights', pt: 'Point', pk: 'Park',
};

const DIRECTIONS: Readonly<Record<string, string>> = { e: 'East', w: 'West', n: 'North', s: 'South' };

/** Lower-case, accents removed, punctuation to spaces: the form every lookup uses. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/'s\b/g, 's')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function titleWord(w: string): string {
  if (/^mc[a-z]{2,}/.test(w)) return `Mc${w[2]!.toUpperCase()}${w.slice(3)}`;
  return w
    .split("'")
    .map((part, i) => (i === 0 ? part.charAt(0).toUpperCase() + part.slice(1) : part))
    .join("'");
}

export interface ExpandedName {
  /** "Padanaram Road" */
  name: string;
  /** Folded words before the suffix: "padanaram". */
  base: string;
  /** Canonical suffix word, or null for names like "Wooster Heights" the data gives without one. */
  suffix: string | null;
}

/** Spells out an assessor-style street ("E HAYESTOWN RD", "KENDALL TERR W") as a canonical name. */
export function expandStreet(raw: string): ExpandedName | null {
  let words = raw
    .toLowerCase()
    .replace(/hillrd\b/, 'hill rd')
    .replace(/[^a-z0-9' -]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  // Unit and lot markers after the street ("NABBY RD B-131", "TRIANGLE ST A-23") are not part of it.
  while (words.length > 1 && /\d/.test(words[words.length - 1]!)) words.pop();
  if (words.length === 0 || words.some((w) => /\d/.test(w) && !/^\d+(st|nd|rd|th)$/.test(w))) return null;
  let trailingDirection: string | null = null;
  const last = words[words.length - 1]!;
  if (words.length > 2 && (DIRECTIONS[last] || last === 'north' || last === 'south' || last === 'east' || last === 'west')) {
    if (SUFFIXES[words[words.length - 2]!]) {
      trailingDirection = DIRECTIONS[last] ?? titleWord(last);
      words = words.slice(0, -1);
    }
  }
  let extension = false;
  if (words.length > 2 && words[words.length - 1] === 'ext' && SUFFIXES[words[words.length - 2]!]) {
    extension = true;
    words = words.slice(0, -1);
  }
  let suffix: string | null = null;
  if (words.length > 1 && SUFFIXES[words[words.length - 1]!]) {
    suffix = SUFFIXES[words.pop()!]!;
  }
  const out = words.map((w, i) => {
    if (i === 0 && words.length > 1 && DIRECTIONS[w]) return DIRECTIONS[w]!;
    if (i === 0 && w === 'dr' && words.length > 1) return 'Doctor';
    return INNER[w] ?? titleWord(w);
  });
  const nameParts = [...out, ...(suffix ? [suffix] : []), ...(extension ? ['Extension'] : []), ...(trailingDirection ? [trailingDirection] : [])];
  return { name: nameParts.join(' '), base: fold(out.join(' ')), suffix };
}
