// A small MIME walker over raw bytes, for the machine-readable parts of reports (message/delivery-status,
// message/feedback-report, text/rfc822-headers, message/rfc822) that a general parser turns into
// opaque attachments. It is forgiving on purpose: bounces are written by every MTA ever shipped.

export interface HeaderField {
  /** Lower-cased. */
  name: string;
  /** Unfolded, trimmed, not decoded (RFC 2047 words stay as they are). */
  value: string;
}

export interface RawPart {
  /** Lower-cased media type, e.g. 'message/delivery-status'; 'text/plain' when the part has none. */
  type: string;
  params: Record<string, string>;
  headers: HeaderField[];
  /**
   * Text and message/* bodies with Content-Transfer-Encoding undone, as latin1 (one char per byte);
   * multipart bodies as they are; '' for other media.
   */
  body: string;
  depth: number;
}

const MAX_PARTS = 200;
const MAX_DEPTH = 6;

/** Splits a message or part into its header fields and its body, on the first empty line. */
export function splitMessage(text: string): { headers: HeaderField[]; body: string } {
  const empty = /^\r?\n/.exec(text);
  if (empty) return { headers: [], body: text.slice(empty[0].length) };
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? text.slice(m.index + m[0].length) : '';
  return { headers: parseHeaderBlock(head), body };
}

/** Parses 'Name: value' lines with folded continuations; lines that are not fields are skipped. */
export function parseHeaderBlock(text: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of text.split(/\r?\n/)) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const m = /^([!-9;-~]+)[ \t]*:(.*)$/.exec(line);
    if (m) fields.push({ name: (m[1] as string).toLowerCase(), value: (m[2] as string).trim() });
  }
  return fields;
}

export function headerValue(headers: HeaderField[], name: string): string | null {
  return headers.find((h) => h.name === name)?.value ?? null;
}

/** Media type and parameters of a Content-Type value; quoted parameter values are unquoted. */
export function parseContentType(value: string | null): { type: string; params: Record<string, string> } {
  if (!value) return { type: 'text/plain', params: {} };
  const [typePart, ...rest] = splitOutsideQuotes(value, ';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (key) params[key] = v;
  }
  return { type: (typePart ?? '').trim().toLowerCase() || 'text/plain', params };
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && quoted && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function decodeBody(body: string, encoding: string | null): string {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
  if (enc === 'quoted-printable') {
    return body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  return body;
}

/**
 * Every part of the message, depth first, the message itself first. message/rfc822 parts are not
 * entered: their body is the returned message, which callers read with splitMessage.
 */
export function walkParts(raw: Buffer): RawPart[] {
  const parts: RawPart[] = [];
  visit(raw.toString('latin1'), 0, parts);
  return parts;
}

function visit(text: string, depth: number, out: RawPart[]): void {
  if (out.length >= MAX_PARTS) return;
  const split = splitMessage(text);
  const { headers } = split;
  const { type, params } = parseContentType(headerValue(headers, 'content-type'));
  const multipart = type.startsWith('multipart/');
  // Only text and reports are ever read; decoding a photo would cost time and memory for nothing.
  const readable = type.startsWith('text/') || type.startsWith('message/');
  // A part arrives as a slice of its parent, line ends as sent. Only a part that is read is rewritten
  // with \n line ends: an attachment's body (most of a large message) is never copied.
  const body = depth > 0 && (readable || multipart) ? split.body.replace(/\r\n/g, '\n') : split.body;
  let decoded = '';
  // A multipart body is kept as it is: a report whose boundary never appears is read as one text.
  if (multipart) decoded = body;
  else if (readable) decoded = decodeBody(body, headerValue(headers, 'content-transfer-encoding'));
  out.push({ type, params, headers, body: decoded, depth });
  const boundary = params.boundary;
  if (!multipart || !boundary || depth >= MAX_DEPTH) return;
  for (const child of splitMultipart(body, boundary)) visit(child, depth + 1, out);
}

/**
 * The parts between a multipart body's delimiter lines, as slices of the body (no copies), each without
 * the line break before the next delimiter. Text before the first delimiter is skipped, and so is text
 * after the closing one; a body cut short (no closing delimiter) still yields its last part.
 */
function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const children: string[] = [];
  let contentStart = -1;
  let from = 0;
  for (;;) {
    const at = body.indexOf(delimiter, from);
    if (at < 0) break;
    from = at + delimiter.length;
    if (at > 0 && body[at - 1] !== '\n') continue;
    if (contentStart >= 0) {
      let end = Math.max(contentStart, at - 1);
      if (end > contentStart && body[end - 1] === '\r') end--;
      children.push(body.slice(contentStart, end));
    }
    if (body.startsWith('--', from)) return children;
    const lineEnd = body.indexOf('\n', from);
    if (lineEnd < 0) {
      children.push('');
      return children;
    }
    contentStart = lineEnd + 1;
    from = contentStart;
  }
  if (contentStart >= 0) children.push(body.slice(contentStart));
  return children;
}
