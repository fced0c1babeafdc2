// Derives data/gazetteer/gazetteer.json from the CT OPM sales extracts (see data/gazetteer/README.md).
// Run: npx tsx src/classify/build-gazetteer.ts /work/shared/data/gazetteer
// The output is committed; nothing reads the source folder at run or test time.
import fs from 'node:fs';
import path from 'node:path';
import { expandStreet, fold, type ExpandedName } from './street-names.ts';
import { PROJECT_ROOT } from '../config/index.ts';
import { ADDED_STREETS_FILE, parseAddedStreets, type GazetteerData, type GazetteerStreet } from './gazetteer.ts';

const NEIGHBOURS = ['Bethel', 'Brookfield', 'New Fairfield', 'Ridgefield', 'Newtown', 'New Milford', 'Redding', 'Sherman'];

// Misspellings in the assessor data, checked by hand against the spelling with more sales.
const DATA_TYPOS: Readonly<Record<string, string>> = {
  'BLUEBERY LN': 'BLUEBERRY LN',
  'AYESTOWN RD': 'HAYESTOWN RD',
  'GREAT PLALIN RD': 'GREAT PLAIN RD',
  'FORECT AVE': 'FOREST AVE',
  'FAIRVEW DR': 'FAIRVIEW DR',
  'FAITH LN': 'FAITHS LN',
  'MANNIONS LN': 'MANNION LN',
  'PLEASANTVIEW DR': 'PLEASANT VIEW DR',
  "TA'AGAN POINT DR": 'TAAGAN POINT DR',
  'TAAGAN PT RD': 'TAAGAN POINT RD',
  'FORTY ACRE MTN RD': 'FORTY ACRE MT RD',
  'SPRUCE MT TL': 'SPRUCE MT RD',
  'HAYESTOWN HGTS RD': 'HAYESTOWN HEIGHTS RD',
  'WESTVILLE AV EXT': 'WESTVILLE AVE EXT',
  'CANDLEWOOD PK': 'CANDLEWOOD PARK',
  'MILL PLAIN RD CUTOFF': 'MILL PLAIN RD',
};


// Places residents name instead of a street, mapped to the street they stand on.
const LANDMARKS: { names: string[]; street: string }[] = [
  { names: ['danbury fair mall', 'danbury fair', 'the mall', 'danbury mall'], street: 'Backus Avenue' },
  { names: ['city hall', 'town hall', 'prefeitura', 'ayuntamiento', 'alcaldia'], street: 'Deer Hill Avenue' },
  { names: ['danbury hospital', 'the hospital'], street: 'Hospital Avenue' },
  { names: ['wcsu', 'western connecticut state university', 'west conn', 'westconn', 'wcsu midtown'], street: 'White Street' },
  { names: ['danbury library', 'public library', 'the library', 'palace theatre', 'palace theater', 'danbury museum', 'police station', 'police headquarters'], street: 'Main Street' },
  { names: ['lake kenosia', 'kenosia lake'], street: 'Kenosia Avenue' },
  { names: ['candlewood lake', 'candlewood town park', 'lago candlewood'], street: 'Hayestown Road' },
  { names: ['tarrywile park', 'tarrywile mansion', 'tarrywile'], street: 'Southern Boulevard' },
  { names: ['danbury high school', 'danbury high', 'dhs'], street: 'Clapboard Ridge Road' },
  { names: ['railway museum', 'danbury railway museum', 'train station', 'danbury station'], street: 'White Street' },
  { names: ['courthouse', 'superior court'], street: 'White Street' },
  { names: ['rogers park'], street: 'Memorial Drive' },
  { names: ['danbury airport', 'danbury municipal airport'], street: 'Wibling Road' },
];

function readCsv(file: string): string[][] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean);
  return lines.slice(1).map((l) => l.split(','));
}

/** Splits "EUSTIS & HAYES ST" into the parts that stand as streets on their own. */
function parts(raw: string): string[] {
  if (!/[&/]/.test(raw)) return [raw];
  return raw.split(/[&/]/).map((p) => p.trim()).filter((p) => /\s(RD|ST|AVE?|DR|LN|LA|TER|PL|CT|WAY|BLVD)$/.test(p));
}

function build(sourceDir: string): GazetteerData {
  const streetsCsv = readCsv(path.join(sourceDir, 'danbury_streets_ct_opm_sales_2011_2013.csv'));
  const addresses = readCsv(path.join(sourceDir, 'danbury_sale_addresses_ct_opm_2011_2013.csv'));
  const towns = readCsv(path.join(sourceDir, 'ct_town_streets_ct_opm_sales_2011_2013.csv'));

  const byName = new Map<string, GazetteerStreet>();
  const rawToName = new Map<string, string>();
  const add = (raw: string, sales: number, lat?: string, lon?: string): void => {
    const target = DATA_TYPOS[raw] ?? raw;
    const e = expandStreet(target);
    if (!e) return;
    rawToName.set(raw, e.name);
    let s = byName.get(e.name);
    if (!s) {
      s = { name: e.name, base: e.base, suffix: e.suffix, aliases: [], lat: null, lon: null, sales: 0 };
      byName.set(e.name, s);
    }
    s.sales += sales;
    if (s.lat === null && lat && lon) {
      s.lat = Number(lat);
      s.lon = Number(lon);
    }
    const own = expandStreet(raw);
    if (own && own.base !== s.base && !s.aliases.includes(own.base)) s.aliases.push(own.base);
  };
  for (const [street, sales, , lat, lon] of streetsCsv) for (const p of parts(street!)) add(p, Number(sales) || 0, lat, lon);
  for (const raw of parseAddedStreets(fs.readFileSync(ADDED_STREETS_FILE, 'utf8'))) add(raw, 0);

  // A name the data gives without a suffix ("AUNT HACK") is an alias of the one suffixed street with that base.
  for (const s of [...byName.values()]) {
    if (s.suffix !== null) continue;
    const suffixed = [...byName.values()].filter((o) => o.suffix !== null && o.base === s.base && !/Extension|North$|South$|East$|West$/.test(o.name));
    if (suffixed.length === 1) {
      suffixed[0]!.sales += s.sales;
      byName.delete(s.name);
    }
  }

  // Coordinates: the median of the sale points on each street, steadier than one example point.
  const points = new Map<string, { lat: number[]; lon: number[] }>();
  for (const [, raw, lat, lon] of addresses) {
    if (!lat || !lon) continue;
    const streetPart = raw!.replace(/^[\d&\-\s]+[A-Z]?\s+/, '').replace(/\s+#.*$/, '').replace(/\s+UNIT.*$/, '');
    const e = expandStreet(DATA_TYPOS[streetPart] ?? streetPart);
    if (!e || !byName.has(e.name)) continue;
    const p = points.get(e.name) ?? { lat: [], lon: [] };
    p.lat.push(Number(lat));
    p.lon.push(Number(lon));
    points.set(e.name, p);
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return Math.round(s[Math.floor(s.length / 2)]! * 1e5) / 1e5;
  };
  for (const [name, p] of points) {
    const s = byName.get(name)!;
    s.lat = median(p.lat);
    s.lon = median(p.lon);
  }

  const neighbours: Record<string, string[]> = {};
  for (const [town, street] of towns) {
    if (!NEIGHBOURS.includes(town!)) continue;
    for (const p of parts(street!)) {
      const e: ExpandedName | null = expandStreet(p.replace(/\s+CONDO.*$/, ''));
      if (!e || e.suffix === null) continue;
      const list = (neighbours[town!] ??= []);
      if (!list.includes(e.name)) list.push(e.name);
    }
  }
  for (const list of Object.values(neighbours)) list.sort();

  const streets = [...byName.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({ ...s, aliases: s.aliases.sort() }));
  const known = new Set(streets.map((s) => s.name));
  for (const l of LANDMARKS) {
    if (!known.has(l.street)) throw new Error(`landmark street "${l.street}" is not in the gazetteer`);
  }
  return {
    source: 'CT OPM Real Estate Sales 2011-2013 (data.ct.gov 8udc-aepg), via jasdumas/ct-realestate; see README.md',
    streets,
    landmarks: LANDMARKS.map((l) => ({ names: l.names.map(fold), street: l.street })),
    neighbours,
  };
}

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: tsx src/classify/build-gazetteer.ts SOURCE_DIR (the folder of the CT OPM csv extracts)\n');
  process.exit(64);
}
const data = build(source);
const out = path.join(PROJECT_ROOT, 'data', 'gazetteer', 'gazetteer.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(data, null, 1)}\n`);
process.stderr.write(`wrote ${out}: ${data.streets.length} Danbury streets, ${Object.values(data.neighbours).reduce((n, l) => n + l.length, 0)} neighbouring-town streets\n`);
