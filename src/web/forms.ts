// Reading urlencoded form fields and query strings, which arrive as string | string[] | undefined.

export type Fields = Record<string, unknown>;

/** The trimmed value of a field, or null when it is missing or blank. The first value wins when repeated. */
export function field(source: unknown, name: string, maxLength = 2000): string | null {
  const raw = (source as Fields | null | undefined)?.[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed.slice(0, maxLength);
}

export function idParam(params: unknown, name = 'id'): number | null {
  const raw = (params as Fields | null | undefined)?.[name];
  if (typeof raw !== 'string' || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}
