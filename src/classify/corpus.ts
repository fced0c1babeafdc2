// The training corpus in data/training/corpus: one file per category, one message per line, written
// the way residents write. Line format: optional "[subject]", the body ("\n" for a line break), and
// optional "@@ Street" naming the problem's street (empty after "@@" = names none).
import fs from 'node:fs';
import path from 'node:path';
import { CATEGORIES, type Category } from './types.ts';

export interface Example {
  subject: string;
  body: string;
  category: Category;
  /** Canonical street the message names, null when it names none, undefined when unlabelled. */
  street?: string | null;
}

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}

function parseCorpusLine(line: string, category: Category): Example | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  let rest = trimmed;
  let street: string | null | undefined;
  const at = rest.lastIndexOf('@@');
  if (at >= 0) {
    street = rest.slice(at + 2).trim() || null;
    rest = rest.slice(0, at).trim();
  }
  let subject = '';
  const m = /^\[([^\]]*)\]\s*/.exec(rest);
  if (m) {
    subject = m[1]!.trim();
    rest = rest.slice(m[0].length);
  }
  return { subject, body: rest.replace(/\\n/g, '\n'), category, street };
}

export function readCorpus(dir: string): Example[] {
  const out: Example[] = [];
  for (const category of CATEGORIES) {
    const file = path.join(dir, `${category}.txt`);
    if (!fs.existsSync(file)) throw new Error(`training corpus is missing ${file}`);
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const e = parseCorpusLine(line, category);
      if (e) out.push(e);
    }
  }
  return out;
}

/** FNV-1a: a stable hash, so an example stays on its side of the split when others are added. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** One example in five, chosen by hash, is held out as the dev split and never trained on. */
export function isDev(e: Example): boolean {
  return stableHash(`${e.subject}\u0000${e.body}`) % 5 === 0;
}
