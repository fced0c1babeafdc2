// The city's street list, indexed for the location matcher and for the staff app's correction field.
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/index.ts';
import { editDistance } from './edit-distance.ts';
import { SUFFIXES, expandStreet, fold } from './street-names.ts';

export interface GazetteerStreet {
  /** Canonical name, suffix spelled out: "Padanaram Road". */
  name: string;
  /** Folded words before the suffix: "padanaram". */
  base: string;
  suffix: string | null;
  /** Other folded bases seen for this street (typos and variants in the source data). */
  aliases: string[];
  lat: number | null;
  lon: number | null;
  /** Recorded sales on the street: which of two same-named streets ("Padanaram Road"/"Avenue") is meant when the suffix is left out. */
  sales: number;
}

export interface GazetteerData {
  source: string;
  streets: GazetteerStreet[];
  landmarks: { names: string[]; street: string }[];
  /** Town -> canonical street names there, for telling a neighbouring town's street from ours. */
  neighbours: Record<string, string[]>;
}

export interface NeighbourStreet {
  town: string;
  name: string;
  suffix: string;
}

export interface Gazetteer {
  readonly streets: readonly GazetteerStreet[];
  /** Danbury streets by folded base and alias. */
  readonly byBase: ReadonlyMap<string, readonly GazetteerStreet[]>;
  readonly byName: ReadonlyMap<string, GazetteerStreet>;
  /** Neighbouring-town streets by folded base. */
  readonly neighbourByBase: ReadonlyMap<string, readonly NeighbourStreet[]>;
  /** Folded landmark name -> the street it stands on. */
  readonly landmarks: ReadonlyMap<string, GazetteerStreet>;
  /** Folded town names ("new milford"). */
  readonly towns: ReadonlyMap<string, string>;
  /** Words so ordinary that a street of that name needs a suffix or context ("Main", "Lake", "Deer Hill"). */
  readonly ordinary: ReadonlySet<string>;
  /** Longest base in words, bounding the matcher's look-ahead. */
  readonly maxBaseWords: number;
  /** Every multi-word base and landmark name, so the matcher skips word runs that cannot match. */
  readonly phrasePrefixes: ReadonlySet<string>;
  suggestStreets(query: string, limit?: number): { name: string; lat: number | null; lon: number | null }[];
  isKnownStreet(name: string): boolean;
  /** The known streets nearest to a name the gazetteer lacks, for a reviewer to pick from ("Mian Street" -> Main Street). */
  nearestStreets(name: string, limit?: number): string[];
  /** This gazetteer with more streets ("Foxglove Ln"), as added by staff; itself when none is new. */
  withStreets(names: readonly string[]): Gazetteer;
}

const DATA_DIR = path.join(PROJECT_ROOT, 'data', 'gazetteer');

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}

export function createGazetteer(data: GazetteerData, ordinaryWords: readonly string[]): Gazetteer {
  const byBase = new Map<string, GazetteerStreet[]>();
  const byName = new Map<string, GazetteerStreet>();
  for (const s of [...data.streets].sort((a, b) => b.sales - a.sales)) {
    push(byBase, s.base, s);
    for (const a of s.aliases) push(byBase, a, s);
    byName.set(fold(s.name), s);
  }
  const neighbourByBase = new Map<string, NeighbourStreet[]>();
  const towns = new Map<string, string>();
  for (const [town, names] of Object.entries(data.neighbours)) {
    towns.set(fold(town), town);
    for (const name of names) {
      const words = fold(name).split(' ');
      const suffixAt = words.findIndex((w, i) => i > 0 && SUFFIXES[w] !== undefined);
      if (suffixAt < 1) continue;
      push(neighbourByBase, words.slice(0, suffixAt).join(' '), { town, name, suffix: SUFFIXES[words[suffixAt]!]! });
    }
  }
  const landmarks = new Map<string, GazetteerStreet>();
  for (const l of data.landmarks) {
    const street = byName.get(fold(l.street));
    if (!street) throw new Error(`gazetteer: landmark street "${l.street}" is not a known street`);
    for (const n of l.names) landmarks.set(n, street);
  }
  const allNames = [...byBase.keys(), ...landmarks.keys(), ...neighbourByBase.keys()];
  const maxBaseWords = Math.max(...allNames.map((k) => k.split(' ').length));
  const phrasePrefixes = new Set(allNames.filter((k) => k.includes(' ')));

  function isKnownStreet(name: string): boolean {
    const f = fold(name);
    if (byName.has(f)) return true;
    const words = f.split(' ');
    const last = words[words.length - 1];
    const suffix = last !== undefined && words.length > 1 ? SUFFIXES[last] : undefined;
    const base = suffix ? words.slice(0, -1).join(' ') : f;
    return (byBase.get(base) ?? []).some((s) => suffix === undefined || s.suffix === suffix);
  }

  function suggestStreets(query: string, limit = 10): { name: string; lat: number | null; lon: number | null }[] {
    const q = fold(query).replace(/^\d+[a-z]?\s+/, '');
    if (q === '') return [];
    const words = q.split(' ');
    const last = words[words.length - 1]!;
    const suffix = words.length > 1 ? SUFFIXES[last] : undefined;
    const base = suffix ? words.slice(0, -1).join(' ') : q;
    const scored: { s: GazetteerStreet; score: number }[] = [];
    for (const s of data.streets) {
      const name = fold(s.name);
      let score: number;
      if (name === q) score = 0;
      else if (name.startsWith(q) || s.base.startsWith(base)) score = 1;
      else if (name.split(' ').some((w) => w.startsWith(q))) score = 2;
      else {
        const keys = [s.base, ...s.aliases];
        const d = Math.min(...keys.map((k) => editDistance(base, k.slice(0, Math.max(base.length, 1)), 3)));
        if (d > (base.length >= 6 ? 2 : 1)) continue;
        score = 3 + d;
      }
      if (suffix && s.suffix !== suffix) score += 0.5;
      scored.push({ s, score });
    }
    scored.sort((a, b) => a.score - b.score || a.s.name.localeCompare(b.s.name));
    return scored.slice(0, limit).map(({ s }) => ({ name: s.name, lat: s.lat, lon: s.lon }));
  }

  function nearestStreets(name: string, limit = 3): string[] {
    const words = fold(name).split(' ');
    const last = words[words.length - 1];
    const suffix = last !== undefined && words.length > 1 ? SUFFIXES[last] : undefined;
    const base = suffix ? words.slice(0, -1).join(' ') : words.join(' ');
    if (base === '') return [];
    const baseWords = base.split(' ');
    const max = base.length <= 5 ? 1 : base.length >= 8 ? 3 : 2;
    const scored: { name: string; score: number }[] = [];
    for (const s of data.streets) {
      const d = Math.min(...[s.base, ...s.aliases].map((k) => editDistance(base, k, max)));
      // Sharing a whole word ("White Turkey Road" and White Street) is a weaker likeness than a typo.
      const shared = s.base.split(' ').filter((w) => w.length > 2 && baseWords.includes(w)).length;
      let score = d <= max ? d : shared > 0 ? max + 2 - shared / baseWords.length : Infinity;
      if (score === Infinity) continue;
      if (suffix && s.suffix !== suffix) score += 0.5;
      scored.push({ name: s.name, score });
    }
    scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
    return scored.slice(0, limit).map((x) => x.name);
  }

  function withStreets(names: readonly string[]): Gazetteer {
    const widened = withAddedStreets(data, names);
    return widened === data ? self : createGazetteer(widened, ordinaryWords);
  }

  const self: Gazetteer = {
    streets: data.streets,
    byBase,
    byName,
    neighbourByBase,
    landmarks,
    towns,
    ordinary: new Set(ordinaryWords),
    maxBaseWords,
    phrasePrefixes,
    suggestStreets,
    isKnownStreet,
    nearestStreets,
    withStreets,
  };
  return self;
}

/** The lines of data/gazetteer/added-streets.txt: one street each, comments after "#". */
export function parseAddedStreets(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** The gazetteer's streets plus the added ones it does not have yet, spelled out like the rest. */
export function withAddedStreets(data: GazetteerData, added: readonly string[]): GazetteerData {
  const have = new Set(data.streets.map((s) => s.name));
  const extra: GazetteerStreet[] = [];
  for (const line of added) {
    const e = expandStreet(line);
    if (!e || have.has(e.name)) continue;
    have.add(e.name);
    extra.push({ name: e.name, base: e.base, suffix: e.suffix, aliases: [], lat: null, lon: null, sales: 0 });
  }
  return extra.length ? { ...data, streets: [...data.streets, ...extra].sort((a, b) => a.name.localeCompare(b.name)) } : data;
}

export const ADDED_STREETS_FILE = path.join(DATA_DIR, 'added-streets.txt');

let cached: Gazetteer | null = null;

/** The committed gazetteer under data/gazetteer, loaded once per process. */
export function loadGazetteer(): Gazetteer {
  if (cached) return cached;
  const built = JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'gazetteer.json'), 'utf8')) as GazetteerData;
  const data = withAddedStreets(built, parseAddedStreets(fs.readFileSync(ADDED_STREETS_FILE, 'utf8')));
  const ordinary = fs
    .readFileSync(path.join(DATA_DIR, 'ordinary-words.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .flatMap((l) => l.split(/\s+/));
  cached = createGazetteer(data, ordinary);
  return cached;
}
