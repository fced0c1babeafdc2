// Builds a ParsedMessage for detector tests. The parse stage's own parser (src/mail/parse.ts) is
// written separately; this keeps to the fields the detector reads, filled the way that type documents.
import { simpleParser, type AddressObject } from 'mailparser';
import type { ParsedMessage } from '../../src/mail/types.ts';

function addresses(v: AddressObject | AddressObject[] | undefined): string[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.flatMap((a) => a.value.map((x) => x.address ?? '')).filter((a) => a !== '');
}

function bare(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

export async function parsedFor(raw: Buffer): Promise<ParsedMessage> {
  const m = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const headers: Record<string, string | string[]> = {};
  for (const { key, line } of m.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    const prev = headers[key];
    headers[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  const from = m.from?.value[0];
  const refs = m.references === undefined ? [] : Array.isArray(m.references) ? m.references : [m.references];
  return {
    messageId: m.messageId ? bare(m.messageId) : null,
    from: from?.address ? { address: from.address, name: from.name || null } : null,
    replyTo: m.replyTo?.value[0]?.address ?? null,
    to: addresses(m.to),
    cc: addresses(m.cc),
    subject: m.subject ?? '',
    date: m.date ?? null,
    inReplyTo: m.inReplyTo ? bare(m.inReplyTo) : null,
    references: refs.map(bare),
    text: m.text ?? '',
    html: typeof m.html === 'string' ? m.html : null,
    headers,
    attachments: [],
    notes: [],
  };
}
