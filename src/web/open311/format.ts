// GeoReport v2 documents in both formats from one description: XML with the spec's element names (a
// list is a plural element holding singular ones), and JSON by the Spark convention the spec names
// (the root list becomes an array, each item an object). Dates are W3CDTF with the city's UTC offset.
import { XMLBuilder } from 'fast-xml-parser';

export type Format = 'xml' | 'json';

export type Value = string | number | boolean | null | Date | Value[] | { [key: string]: Value };
export type Item = { [key: string]: Value };

/** A document: its root element, and either a list of items (each named `item`) or one object. */
export type Doc = { root: string; item: string; items: Item[] } | { root: string; object: Item };

// What a list element's children are called, for the lists nested inside items.
const LIST_CHILD: Readonly<Record<string, string>> = { attributes: 'attribute', values: 'value', endpoints: 'endpoint', formats: 'format' };

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false, processEntities: true });

const NOT_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

// Building a DateTimeFormat costs far more than using one, and a page of requests formats 2,000 dates.
const formats = new Map<string, Intl.DateTimeFormat>();

/** W3CDTF (a profile of ISO 8601) to the second, in `timeZone` with its offset, e.g. 2026-12-02T10:30:39-05:00. */
export function w3cdtf(d: Date, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(d).map((p) => [p.type, p.value])) as Record<string, string>;
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = Math.round((local - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
  const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${zone}`;
}

function toJson(v: Value, timeZone: string): unknown {
  if (v instanceof Date) return w3cdtf(v, timeZone);
  if (Array.isArray(v)) return v.map((x) => toJson(x, timeZone));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x, timeZone)]));
  return v;
}

function toXml(v: Value, key: string, timeZone: string): unknown {
  if (v === null) return '';
  if (v instanceof Date) return w3cdtf(v, timeZone);
  if (Array.isArray(v)) {
    const child = LIST_CHILD[key];
    if (!child) throw new Error(`no XML element name for the items of "${key}"`);
    return v.length === 0 ? '' : { [child]: v.map((x) => toXml(x, child, timeZone)) };
  }
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toXml(x, k, timeZone)]));
  // XML 1.0 cannot carry control characters at all, even escaped: a stray one in a note would break the document.
  return String(v).replace(NOT_XML_CHARS, '');
}

export function render(doc: Doc, format: Format, timeZone: string): string {
  if (format === 'json') return JSON.stringify('items' in doc ? toJson(doc.items, timeZone) : toJson(doc.object, timeZone));
  const body = 'items' in doc
    ? doc.items.length === 0 ? '' : { [doc.item]: doc.items.map((i) => toXml(i, doc.item, timeZone)) }
    : toXml(doc.object, doc.root, timeZone);
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ [doc.root]: body }) as string}`;
}

export const CONTENT_TYPE: Readonly<Record<Format, string>> = { xml: 'text/xml; charset=utf-8', json: 'application/json; charset=utf-8' };

/** The spec's error document: <errors><error><code/><description/></error></errors>, or its JSON array. */
export function errorDoc(code: number, descriptions: string[]): Doc {
  return { root: 'errors', item: 'error', items: descriptions.map((description) => ({ code, description })) };
}

/** The format a path asks for by its extension; null when it names neither. */
export function formatOf(url: string): Format | null {
  const m = /\.(xml|json)(?:\?|$)/i.exec(url);
  return m ? ((m[1] as string).toLowerCase() as Format) : null;
}
