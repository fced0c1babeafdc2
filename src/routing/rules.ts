// Category -> department routing is configuration (config/routing.json), checked once and mirrored into
// the departments and category_routes tables so that SQL (the staff app, reports) can join on it.
import { readFile } from 'node:fs/promises';
import { CATEGORIES, type Category } from '../classify/types.ts';
import type { Db } from '../db/pool.ts';
import { ConfigError } from '../config/index.ts';
import { parseAddress } from '../mail/address.ts';

export interface Department {
  code: string;
  name: string;
  emails: string[];
}

export interface Routing {
  departments: ReadonlyMap<string, Department>;
  departmentFor(category: Category): Department;
  /** The department whose list holds this address, if any. */
  departmentOfSender(address: string): Department | null;
}

function fail(file: string, what: string): never {
  throw new ConfigError(`routing file ${file}: ${what}`);
}

export function parseRouting(json: unknown, file: string): Routing {
  const obj = json as { departments?: unknown; routes?: unknown };
  if (!Array.isArray(obj?.departments)) fail(file, '"departments" must be a list');
  const departments = new Map<string, Department>();
  for (const d of obj.departments as unknown[]) {
    const { code, name, emails } = (d ?? {}) as Record<string, unknown>;
    if (typeof code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(code)) fail(file, `department code ${JSON.stringify(code)} must be lower-case letters, digits, _`);
    if (typeof name !== 'string' || !name.trim()) fail(file, `department ${code} needs a name`);
    // Each address is one ticket email of its own, so each must be exactly one valid address.
    const addresses = Array.isArray(emails) ? emails.map((e) => (typeof e === 'string' && !e.includes('<') ? parseAddress(e) : null)) : [];
    if (addresses.length === 0 || addresses.includes(null)) {
      fail(file, `department ${code} needs "emails": a non-empty list of addresses, each a bare address like highway@danbury.gov`);
    }
    departments.set(code, { code, name: name.trim(), emails: addresses as string[] });
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
  const bySender = new Map<string, Department>();
  for (const d of departments.values()) for (const e of d.emails) bySender.set(e, d);
  return {
    departments,
    departmentFor: (category) => byCategory.get(category) as Department,
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
