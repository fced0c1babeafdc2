// The Open311 service definitions (config/open311-services.json): what each category publishes beyond its
// name, and the questions a client must ask for it. Checked once at start; submissions are checked against it.
import { readFile } from 'node:fs/promises';
import { CATEGORIES, type Category } from '../../classify/types.ts';
import { ConfigError } from '../../config/index.ts';

export const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type Datatype = (typeof DATATYPES)[number];

export interface AttributeDefinition {
  code: string;
  datatype: Datatype;
  required: boolean;
  description: string;
  datatypeDescription: string | null;
  order: number;
  values: { key: string; name: string }[];
}

export interface ServiceDefinition {
  keywords: string;
  serviceNotice: string | null;
  attributes: AttributeDefinition[];
}

export type ServiceDefinitions = ReadonlyMap<Category, ServiceDefinition>;

function fail(file: string, where: string, what: string): never {
  throw new ConfigError(`${file}: ${where}: ${what}`);
}

function text(v: unknown, file: string, where: string, required: boolean): string | null {
  if (v === undefined || v === null) return required ? fail(file, where, 'is missing') : null;
  if (typeof v !== 'string') fail(file, where, 'must be a string');
  return v;
}

function attribute(raw: unknown, i: number, file: string, where: string): AttributeDefinition {
  const at = `${where}.attributes[${i}]`;
  if (typeof raw !== 'object' || raw === null) fail(file, at, 'must be an object');
  const a = raw as Record<string, unknown>;
  const code = text(a.code, file, `${at}.code`, true) as string;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(code)) fail(file, `${at}.code`, 'may hold letters, digits, "_" and "-" only');
  const datatype = a.datatype;
  if (!(DATATYPES as readonly unknown[]).includes(datatype)) fail(file, `${at}.datatype`, `must be one of ${DATATYPES.join(', ')}`);
  const values = a.values === undefined ? [] : a.values;
  if (!Array.isArray(values)) fail(file, `${at}.values`, 'must be a list');
  const list = values.map((v: unknown, j) => {
    const o = (v ?? {}) as Record<string, unknown>;
    return { key: text(o.key, file, `${at}.values[${j}].key`, true) as string, name: text(o.name, file, `${at}.values[${j}].name`, true) as string };
  });
  const isList = datatype === 'singlevaluelist' || datatype === 'multivaluelist';
  if (isList !== list.length > 0) fail(file, at, isList ? 'a list datatype needs values' : 'only list datatypes have values');
  return {
    code,
    datatype: datatype as Datatype,
    required: a.required === true,
    description: text(a.description, file, `${at}.description`, true) as string,
    datatypeDescription: text(a.datatype_description, file, `${at}.datatype_description`, false),
    order: i + 1,
    values: list,
  };
}

/** Reads and checks the definitions; a mistake stops the start with the file and the place named. */
export async function loadServiceDefinitions(file: string): Promise<ServiceDefinitions> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: cannot be read as JSON: ${(err as Error).message}`);
  }
  const services = (parsed as { services?: unknown } | null)?.services;
  if (typeof services !== 'object' || services === null) fail(file, 'services', 'must be an object keyed by category');
  const out = new Map<Category, ServiceDefinition>();
  for (const [code, raw] of Object.entries(services)) {
    if (!(CATEGORIES as readonly string[]).includes(code)) fail(file, `services.${code}`, 'is not a CityLine category');
    const s = (raw ?? {}) as Record<string, unknown>;
    const attrs = s.attributes === undefined ? [] : s.attributes;
    if (!Array.isArray(attrs)) fail(file, `services.${code}.attributes`, 'must be a list');
    const attributes = attrs.map((a: unknown, i) => attribute(a, i, file, `services.${code}`));
    const codes = new Set(attributes.map((a) => a.code));
    if (codes.size !== attributes.length) fail(file, `services.${code}.attributes`, 'has the same code twice');
    out.set(code as Category, {
      keywords: text(s.keywords, file, `services.${code}.keywords`, false) ?? '',
      serviceNotice: text(s.service_notice, file, `services.${code}.service_notice`, false),
      attributes,
    });
  }
  for (const c of CATEGORIES) if (!out.has(c)) out.set(c, { keywords: '', serviceNotice: null, attributes: [] });
  return out;
}

/** A submitted answer, as the client sent it: one value, or a list for attribute[code][]. */
export type SubmittedAttributes = Record<string, string | string[]>;

export interface CheckedAttribute {
  code: string;
  description: string;
  /** The keys sent (one, or several for a multivaluelist). */
  values: string[];
  /** What the keys mean, for people reading the request. */
  names: string[];
}

function valueProblem(a: AttributeDefinition, values: string[]): string | null {
  const v = values[0] as string;
  if (a.values.length > 0) {
    const bad = values.filter((x) => !a.values.some((k) => k.key === x));
    return bad.length > 0 ? `must be one of ${a.values.map((k) => k.key).join(', ')}; got ${bad.join(', ')}` : null;
  }
  if (a.datatype === 'number') return /^-?\d+(\.\d+)?$/.test(v) ? null : 'must be a number';
  if (a.datatype === 'datetime') return Number.isNaN(Date.parse(v)) ? 'must be an ISO 8601 date and time' : null;
  if (a.datatype === 'string' && /[\r\n]/.test(v)) return 'must be one line';
  return v.length > 2000 ? 'is longer than 2000 characters' : null;
}

/**
 * Checks the answers against a service's questions: each problem is one message naming the attribute.
 * Answers to questions the service does not ask are kept as sent (clients such as FixMyStreet add their
 * own, e.g. a report URL), as plain text, one line and 500 characters at most.
 */
export function checkAttributes(def: ServiceDefinition, sent: SubmittedAttributes): { ok: CheckedAttribute[]; errors: string[] } {
  const errors: string[] = [];
  const ok: CheckedAttribute[] = [];
  const known = new Set(def.attributes.map((a) => a.code));
  const extra: CheckedAttribute[] = [];
  for (const [code, raw] of Object.entries(sent)) {
    if (known.has(code)) continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => v.replace(/\s+/g, ' ').trim().slice(0, 500)).filter((v) => v !== '');
    if (values.length > 0) extra.push({ code, description: `${code}:`, values, names: values });
  }
  for (const a of def.attributes) {
    const raw = sent[a.code];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) {
      if (a.required) errors.push(`attribute[${a.code}] is required: ${a.description}`);
      continue;
    }
    if (a.datatype !== 'multivaluelist' && values.length > 1) {
      errors.push(`attribute[${a.code}] takes one value`);
      continue;
    }
    const problem = valueProblem(a, values);
    if (problem) errors.push(`attribute[${a.code}] ${problem}`);
    else ok.push({ code: a.code, description: a.description, values, names: values.map((x) => a.values.find((k) => k.key === x)?.name ?? x) });
  }
  return { ok: [...ok, ...extra], errors };
}
