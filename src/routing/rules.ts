// Category -> department routing is configuration (config/routing.json), checked once and mirrored into
// the departments and category_routes tables so that SQL (the staff app, reports) can join on it.
import { readFile } from 'node:fs/promises';
import { CATEGORIES, LANGUAGES, type Category, type Language } from '../classify/types.ts';
import type { Db } from '../db/pool.ts';
import { ConfigError } from '../config/index.ts';
import { parseAddress } from '../mail/address.ts';

export interface Department {
  code: string;
  name: string;
  /** What residents writing in another language call it, e.g. { es: 'Obras Viales' }. */
  names: Partial<Record<Language, string>>;
  emails: string[];
  /** Its replies without a status line go straight to the resident, instead of waiting for staff to decide. */
  forwardReplies: boolean;
}

export interface Routing {
  departments: ReadonlyMap<string, Department>;
  departmentFor(category: Category): Department;
  /**
   * Categories 311 staff answer themselves ("questions" in the routing file): they wait in the staff
   * app's questions queue instead of being emailed to their department as tickets.
   */
  isQuestion(category: Category): boolean;
  /** The department whose list holds this address, if any. */
  departmentOfSender(address: string): Department | null;
}

function fail(file: string, what: string): never {
  throw new ConfigError(`routing file ${file}: ${what}`);
}

export function parseRouting(json: unknown, file: string): Routing {
  const obj = json as { departments?: unknown; routes?: unknown; questions?: unknown };
  if (!Array.isArray(obj?.departments)) fail(file, '"departments" must be a list');
  const departments = new Map<string, Department>();
  for (const d of obj.departments as unknown[]) {
    const { code, name, emails, names, forwardReplies } = (d ?? {}) as Record<string, unknown>;
    if (forwardReplies !== undefined && typeof forwardReplies !== 'boolean') fail(file, `department ${code} "forwardReplies" must be true or false`);
    if (typeof code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(code)) fail(file, `department code ${JSON.stringify(code)} must be lower-case letters, digits, _`);
    if (typeof name !== 'string' || !name.trim()) fail(file, `department ${code} needs a name`);
    // Each address is one ticket email of its own, so each must be exactly one valid address.
    const addresses = Array.isArray(emails) ? emails.map((e) => (typeof e === 'string' && !e.includes('<') ? parseAddress(e) : null)) : [];
    if (addresses.length === 0 || addresses.includes(null)) {
      fail(file, `department ${code} needs "emails": a non-empty list of addresses, each a bare address like highway@danbury.gov`);
    }
    const translated: Partial<Record<Language, string>> = {};
    for (const [lang, value] of Object.entries((names ?? {}) as Record<string, unknown>)) {
      if (!(LANGUAGES as readonly string[]).includes(lang) || typeof value !== 'string' || !value.trim()) {
        fail(file, `department ${code} "names" must map a language (${LANGUAGES.join(', ')}) to a name, got ${JSON.stringify(lang)}`);
      }
      translated[lang as Language] = value.trim();
    }
    departments.set(code, { code, name: name.trim(), names: translated, emails: addresses as string[], forwardReplies: forwardReplies === true });
  }
  const routes = (obj.routes ?? {}) as Record<string, unknown>;
  const byCategory = new Map<Category, Department>();
  for (const category of CATEGORIES) {
    const code = routes[category];
    if (typeof code !== 'string') fail(file, `"routes" has no department for category ${category}`);
    const dept = departments.get(code);
    if (!dept) fail(file, `category ${category} routes to unknown department ${code}`);
    byCategory.set(category, dept);
  }
  for (const key of Object.keys(routes)) {
    if (!(CATEGORIES as readonly string[]).includes(key)) fail(file, `"routes" names unknown category ${key}`);
  }
  const questions = obj.questions ?? [];
  if (!Array.isArray(questions) || !questions.every((c) => typeof c === 'string' && (CATEGORIES as readonly string[]).includes(c))) {
    fail(file, '"questions" must be a list of categories');
  }
  const questionSet = new Set(questions as Category[]);
  const bySender = new Map<string, Department>();
  for (const d of departments.values()) for (const e of d.emails) bySender.set(e, d);
  return {
    departments,
    departmentFor: (category) => byCategory.get(category) as Department,
    isQuestion: (category) => questionSet.has(category),
    departmentOfSender: (address) => bySender.get(address.toLowerCase()) ?? null,
  };
}

export async function loadRouting(file: string): Promise<Routing> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read routing file ${file} (CITYLINE_ROUTING_FILE): ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`routing file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseRouting(json, file);
}

/** Mirrors the routing configuration into the database; departments no longer configured are kept for history. */
export async function syncRouting(db: Db, routing: Routing): Promise<void> {
  for (const d of routing.departments.values()) {
    await db.query(
      `INSERT INTO departments (code, name, emails) VALUES ($1, $2, $3)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, emails = EXCLUDED.emails`,
      [d.code, d.name, d.emails],
    );
  }
  for (const category of CATEGORIES) {
    await db.query(
      `INSERT INTO category_routes (category, department_code) VALUES ($1, $2)
       ON CONFLICT (category) DO UPDATE SET department_code = EXCLUDED.department_code`,
      [category, routing.departmentFor(category).code],
    );
  }
}
