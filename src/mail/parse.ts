// Raw MIME -> ParsedMessage. Lenient by design: whatever can be read is kept, and what could not be
// is said in `notes`; only input that is not mail at all is refused.
import { MailParser, type AddressObject, type AttachmentStream, type HeaderLines, type HeaderValue, type Headers, type MessageText } from 'mailparser';
import { describeError, PermanentError } from '../errors.ts';
import { parseAddress } from './address.ts';
import { htmlToPlainText } from './html-text.ts';
import type { ParsedAttachment, ParsedMessage } from './types.ts';

export interface ParseOptions {
  /** Attachments larger than this keep their metadata and hash but not their content. */
  maxAttachmentBytes: number;
  /** The text body is cut to this many characters (default 1,000,000). */
  maxTextChars?: number;
}

const DEFAULT_MAX_TEXT_CHARS = 1_000_000;
// html-to-text runs synchronously (measured here: ~0.35 s for 512 KB of HTML), so larger parts are cut first.
const MAX_HTML_TO_TEXT_CHARS = 256 * 1024;

interface RawParse {
  headers: Headers | null;
  headerLines: HeaderLines;
  text: string | undefined;
  html: string | undefined;
  attachments: ParsedAttachment[];
  error: unknown;
}

export async function parseMessage(raw: Buffer, opts: ParseOptions): Promise<ParsedMessage> {
  assertLooksLikeMail(raw);
  const maxTextChars = opts.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  const parsed = await runParser(raw, opts.maxAttachmentBytes);
  const { headers } = parsed;
  if (!headers) {
    throw new PermanentError(`input is not an email message: no header block could be read (${describeError(parsed.error)})`, 'NOT_MAIL', {
      cause: parsed.error,
    });
  }
  const notes: string[] = [];
  if (parsed.error) notes.push(`the MIME structure could only be read in part: ${describeError(parsed.error)}`);
  notes.push(...structureNotes(raw, headers), ...charsetNotes(raw));

  const fromList = addresses(headers.get('from'));
  // Only an address we could write to counts: "<<<@@@>>>" is a sender nobody can answer (staff review it).
  const fromValid = fromList.flatMap((a) => {
    const address = parseAddress(a.address);
    return address ? [{ address, name: a.name }] : [];
  });
  const from = fromValid[0] ?? null;
  if (!from && headers.has('from')) notes.push('the From header holds no valid email address; nobody will be mailed');
  const replyTo = soleReplyTo(addresses(headers.get('reply-to')), headers.has('reply-to'), notes);

  let text = clean(parsed.text ?? '');
  let html = parsed.html === undefined ? null : clean(parsed.html);
  if (text.trim() === '' && html !== null) {
    const converted = htmlToPlainText(html, MAX_HTML_TO_TEXT_CHARS);
    text = converted.text;
    if (converted.truncated) notes.push(`the HTML part is ${html.length} characters; text was made from its first ${MAX_HTML_TO_TEXT_CHARS} only`);
    if (converted.fallback) notes.push(`the HTML part could not be converted as usual (${converted.fallback}); its text was read plainly`);
  }
  if (text.length > maxTextChars) {
    notes.push(`the text is ${text.length} characters; only the first ${maxTextChars} were kept`);
    text = text.slice(0, maxTextChars);
  }
  if (html !== null && html.length > maxTextChars) {
    notes.push(`the HTML part is ${html.length} characters; only the first ${maxTextChars} were kept`);
    html = html.slice(0, maxTextChars);
  }
  if (text.trim() === '' && parsed.attachments.length === 0) notes.push('the message has no body');
  for (const a of parsed.attachments) {
    if (a.droppedReason) notes.push(`attachment ${a.partIndex} (${a.filename ?? a.contentType}) was not kept: ${a.droppedReason}`);
  }

  return {
    messageId: messageIds(headers.get('message-id'))[0] ?? null,
    from,
    replyTo,
    to: addresses(headers.get('to')).map((a) => a.address),
    cc: addresses(headers.get('cc')).map((a) => a.address),
    subject: typeof headers.get('subject') === 'string' ? clean(headers.get('subject') as string).trim() : '',
    date: dateOf(parsed.headerLines, notes),
    inReplyTo: messageIds(headers.get('in-reply-to'))[0] ?? null,
    references: messageIds(headers.get('references')),
    text,
    html,
    headers: headerRecord(headers, parsed.headerLines),
    attachments: parsed.attachments,
    notes,
  };
}

const FIELD_LINE = /^[!-9;-~]+[ \t]*:/;
// Headers one of which any real message carries; without one, a "Name: value" first line is a coincidence.
const MAIL_HEADER = /^(from|to|cc|subject|date|message-id|received|return-path|mime-version|content-type|delivered-to|reply-to|sender|x-[a-z0-9-]+|dkim-signature|authentication-results|arc-[a-z-]+)$/i;

/** Refuses input that has no mail header block at all (a JSON file, a JPEG, random bytes). */
function assertLooksLikeMail(raw: Buffer): void {
  const refuse = (why: string): never => {
    throw new PermanentError(`input is not an email message: ${why}`, 'NOT_MAIL');
  };
  if (raw.length === 0) refuse('it is empty');
  const head = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('latin1');
  const blank = /\r?\n\r?\n/.exec(head);
  let block = blank ? head.slice(0, blank.index) : head;
  if (block.startsWith('From ')) block = block.slice(block.indexOf('\n') + 1);
  const controls = block.match(/[\x00-\x08\x0e-\x1f]/g)?.length ?? 0;
  if (controls > 8 && controls > block.length / 100) refuse('its header block is binary data');
  const lines = block.split(/\r?\n/);
  if (!FIELD_LINE.test(lines[0] ?? '')) refuse('it does not start with a header line ("Name: value")');
  const names = lines.filter((l) => FIELD_LINE.test(l)).map((l) => l.slice(0, l.indexOf(':')).trim());
  if (!names.some((n) => MAIL_HEADER.test(n))) refuse('none of its header lines is a mail header (From, To, Subject, Date, Received...)');
}

function runParser(raw: Buffer, maxAttachmentBytes: number): Promise<RawParse> {
  return new Promise((resolve) => {
    const result: RawParse = { headers: null, headerLines: [], text: undefined, html: undefined, attachments: [], error: null };
    const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, checksumAlgo: 'sha256' });
    let settled = false;
    // mailparser may report an error and still reach the end; the first of the two settles.
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      if (err) result.error = err;
      resolve(result);
    };
    parser.on('headers', (h: Headers) => {
      result.headers = h;
    });
    parser.on('headerLines', (lines: HeaderLines) => {
      result.headerLines = lines;
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        result.text = data.text;
        result.html = data.html;
        return;
      }
      collectAttachment(data, result.attachments.length, maxAttachmentBytes, (a) => result.attachments.push(a));
    });
    parser.on('error', settle);
    parser.on('end', () => settle(null));
    void feed(parser, raw, () => settled);
  });
}

// Written in slices with backpressure: one 40 MB write is parsed in a single synchronous run that
// holds the event loop for half a second and buffers the decoded parts all at once.
async function feed(parser: MailParser, raw: Buffer, done: () => boolean): Promise<void> {
  const SLICE = 256 * 1024;
  for (let at = 0; at < raw.length && !done(); at += SLICE) {
    if (!parser.write(raw.subarray(at, at + SLICE))) {
      await new Promise<void>((resolve) => {
        const go = (): void => {
          parser.off('drain', go);
          parser.off('error', go);
          resolve();
        };
        parser.on('drain', go);
        parser.on('error', go);
      });
    }
  }
  if (!done()) parser.end();
}

// The parser waits for release() before it goes on, so attachments arrive one at a time, in order.
function collectAttachment(part: AttachmentStream, partIndex: number, maxBytes: number, done: (a: ParsedAttachment) => void): void {
  let chunks: Buffer[] | null = [];
  let size = 0;
  part.content.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) chunks = null;
    else chunks?.push(chunk);
  });
  part.content.on('end', () => {
    const disposition = part.contentDisposition?.toLowerCase();
    done({
      partIndex,
      filename: part.filename ? clean(part.filename) : null,
      contentType: (part.contentType || 'application/octet-stream').toLowerCase(),
      size,
      contentId: part.cid ? clean(part.cid) : null,
      disposition: disposition === 'inline' || disposition === 'attachment' ? disposition : part.related ? 'inline' : null,
      sha256: part.checksum ?? '',
      content: chunks ? Buffer.concat(chunks, size) : null,
      droppedReason: chunks ? null : `${size} bytes, over the ${maxBytes}-byte attachment cap (CITYLINE_MAX_ATTACHMENT_BYTES)`,
    });
    part.release?.();
  });
}

// PostgreSQL text cannot hold NUL, and a stray one in a header must not make the message unstorable.
function clean(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}

function isAddressObject(v: unknown): v is AddressObject {
  return typeof v === 'object' && v !== null && Array.isArray((v as AddressObject).value) && typeof (v as AddressObject).text === 'string';
}

function addresses(v: HeaderValue | undefined): { address: string; name: string | null }[] {
  const objects = (Array.isArray(v) ? v : [v]).filter(isAddressObject);
  const out: { address: string; name: string | null }[] = [];
  const walk = (list: AddressObject['value']): void => {
    for (const a of list) {
      if (a.group) walk(a.group);
      else if (a.address && a.address.includes('@')) out.push({ address: clean(a.address.trim()), name: a.name.trim() ? clean(a.name.trim()) : null });
    }
  };
  for (const o of objects) walk(o.value);
  return out;
}

/**
 * The Reply-To, only when it is exactly one valid address. Several (or one "address" that is really a
 * list inside one pair of brackets) would make a single message mail many people: the From is used instead.
 */
function soleReplyTo(list: { address: string }[], present: boolean, notes: string[]): string | null {
  const only = list.length === 1 ? parseAddress((list[0] as { address: string }).address) : null;
  if (present && only === null) notes.push(`the Reply-To is not exactly one valid address (${list.length} found); it is ignored and the From is used`);
  return only;
}

/** Message ids from a Message-ID, In-Reply-To or References value, without angle brackets. */
function messageIds(v: HeaderValue | undefined): string[] {
  const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  const ids: string[] = [];
  for (const value of values) {
    const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] as string);
    ids.push(...(bracketed.length > 0 ? bracketed : value.split(/[\s,]+/).filter((s) => s.includes('@'))));
  }
  return [...new Set(ids.map(clean))];
}

function rawValue(line: string): string {
  return line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

// mailparser puts the current time in place of a Date it cannot read; we would rather know.
function dateOf(lines: HeaderLines, notes: string[]): Date | null {
  const line = lines.find((l) => l.key === 'date');
  if (!line) return null;
  const value = rawValue(line.line);
  const d = new Date(value.replace(/\s*\([^)]*\)\s*$/, ''));
  if (Number.isNaN(d.getTime())) {
    notes.push(`the Date header "${clean(value).slice(0, 80)}" could not be read`);
    return null;
  }
  return d;
}

/** Every header, by lower-cased name, decoded where mailparser decoded it and unfolded otherwise. */
function headerRecord(headers: Headers, lines: HeaderLines): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const seen = new Map<string, number>();
  for (const { key, line } of lines) {
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const parsed = headers.get(key);
    const nth = Array.isArray(parsed) ? parsed[n] : n === 0 ? parsed : undefined;
    const value = clean(typeof nth === 'string' ? nth : isAddressObject(nth) ? nth.text : rawValue(line));
    const prior = out[key];
    out[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

function structureNotes(raw: Buffer, headers: Headers): string[] {
  const ct = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const boundary = ct?.params?.boundary;
  if (!ct?.value?.startsWith('multipart/') || !boundary) return [];
  return raw.includes(`--${boundary}--`) ? [] : [`the multipart boundary "${boundary}" is never closed: the message may have been cut short`];
}

const REFUSED_CHARSETS = new Set(['utf7', 'utf7imap', 'unicode11utf7']);

/** Notes the charsets the message's parts declare that cannot be decoded. */
function charsetNotes(raw: Buffer): string[] {
  const notes: string[] = [];
  for (const cs of declaredCharsets(raw)) {
    if (REFUSED_CHARSETS.has(cs.replace(/[^a-z0-9]/g, ''))) notes.push(`charset "${cs}" is not decoded (UTF-7 can hide markup); that text is kept as sent`);
    else if (!knownCharset(cs)) notes.push(`unknown charset "${cs}": that text was decoded as best it could be and may be garbled`);
  }
  return notes;
}

// Only header blocks count (the message's, and each part's after a boundary line): an HTML body
// quoting <meta http-equiv="Content-Type" content="...; charset=..."> must not be taken for one.
// Bodies are skipped with Buffer.indexOf, so a 40 MB attachment costs no string copies.
function declaredCharsets(raw: Buffer): Set<string> {
  const found = new Set<string>();
  let pos = 0;
  while (pos < raw.length) {
    const lf = raw.indexOf('\n\n', pos);
    const crlf = raw.indexOf('\n\r\n', pos);
    const blank = lf < 0 ? crlf : crlf < 0 ? lf : Math.min(lf, crlf);
    const end = Math.min(blank < 0 ? raw.length : blank, pos + 64 * 1024);
    const block = raw.toString('latin1', pos, end).replace(/\r?\n[ \t]+/g, ' ');
    for (const m of block.matchAll(/^content-type\s*:.*?charset\s*=\s*"?([^";\s]+)/gim)) found.add((m[1] as string).toLowerCase());
    const boundaryLine = raw.indexOf('\n--', end);
    if (boundaryLine < 0) break;
    const next = raw.indexOf('\n', boundaryLine + 1);
    if (next < 0) break;
    pos = next + 1;
  }
  return found;
}

// TextDecoder knows the WHATWG labels; the decoder mailparser uses also knows the numbered code pages.
function knownCharset(name: string): boolean {
  if (/^(cp|ibm)-?\d+$/.test(name)) return true;
  try {
    new TextDecoder(name);
    return true;
  } catch {
    return false;
  }
}
