// A realistic outgoing message, and a way to read the header fields of what arrived.
import { randomBytes } from 'node:crypto';
import type { OutgoingMail } from '../../src/notify/outgoing.ts';

// A 1x1 PNG: real bytes that must arrive unchanged.
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export function sampleMail(over: Partial<OutgoingMail> = {}): OutgoingMail {
  const id = randomBytes(6).toString('hex');
  return {
    from: { name: 'Danbury 311', address: 'cityline311@danbury.example' },
    to: 'maria@example.com',
    replyTo: `r+${id}@danbury.example`,
    subject: '[DB-100A7] Recebemos sua solicitação: Buraco na rua',
    messageId: `${id}.c1@danbury.example`,
    inReplyTo: 'CAF=resident-original@mail.example.com',
    references: ['CAF=resident-original@mail.example.com'],
    text: 'Olá!\n\nRecebemos sua solicitação DB-100A7.\n',
    html: '<p>Olá! Recebemos sua solicitação <strong>DB-100A7</strong>.</p>',
    headers: {
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-CityLine-Tracking-Number': 'DB-100A7',
    },
    attachments: [{ filename: 'buraco.png', contentType: 'image/png', content: PNG }],
    queuedAt: new Date(),
    kind: 'confirmation',
    ...over,
  };
}

/** The top-level header fields of a raw message, unfolded, by lower-cased name. */
export function headerFields(raw: Buffer): Map<string, string[]> {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const fields = new Map<string, string[]>();
  for (const line of text.slice(0, end).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return fields;
}
