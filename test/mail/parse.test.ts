// parseMessage on real fixtures (see test/fixtures/mime/README.md) and on generated bad input.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.ts';
import { parseMessage } from '../../src/mail/parse.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'mime');
const fixture = (p: string): Buffer => readFileSync(path.join(FIXTURES, p));
const parse = (raw: Buffer | string, maxAttachmentBytes = 10 * 1024 * 1024, maxTextChars?: number) =>
  parseMessage(typeof raw === 'string' ? Buffer.from(raw) : raw, { maxAttachmentBytes, maxTextChars });
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('parseMessage on real fixtures', () => {
  it('reads the MIME torture test: text, every attachment and the inline image', async () => {
    const m = await parse(fixture('postal-mime/mimetorture.eml'));
    expect(m.subject).toBe("Ryan Finnie's MIME Torture Test v1.0");
    expect(m.from).toEqual({ address: 'rfinnie@domain.dom', name: 'Ryan Finnie' });
    expect(m.messageId).toBe('1066976914.4721.5.camel@localhost');
    expect(m.text).toContain("Welcome to Ryan Finnie's MIME torture test.");
    expect(m.attachments.map((a) => a.filename)).toEqual(['foo.gz', 'blah.gz', 'blah1.gz', null, 'htmlfile.html', 'smiley-3.png', 'dot.gif', 'signature.asc', null]);
    expect(m.attachments.map((a) => a.partIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const inline = m.attachments[8];
    expect(inline).toMatchObject({ contentType: 'image/gif', disposition: 'inline', contentId: '1066973340.4232.46.camel@localhost', size: 83 });
    for (const a of m.attachments) {
      expect(a.content?.length).toBe(a.size);
      expect(a.sha256).toBe(sha256(a.content as Buffer));
    }
    expect(m.notes).toEqual([]);
  });

  it('decodes ISO-2022-JP, Shift_JIS and ks_c_5601-1987 bodies and headers', async () => {
    expect((await parse(fixture('mikel-mail/multi_charset/japanese_iso_2022.eml'))).subject).toBe('まみむめも');
    expect((await parse(fixture('mikel-mail/multi_charset/japanese_iso_2022.eml'))).text).toContain('すみません。');
    expect((await parse(fixture('mikel-mail/multi_charset/japanese_shift_jis.eml'))).text).toContain('あいうえお');
    expect((await parse(fixture('mikel-mail/multi_charset/ks_c_5601-1987.eml'))).text.trim()).toBe('스티해');
    const att = await parse(fixture('mikel-mail/multi_charset/japanese_attachment_long_name.eml'));
    expect(att.attachments[0]?.filename).toBe('かきくけこかきくけこかきくけこかきくけこかきくけこ.txt');
  });

  it('decodes RFC 2047 headers', async () => {
    expect((await parse(fixture('postal-mime/calendar-event.eml'))).subject).toContain('Test event ⏰');
    expect((await parse(fixture('mikel-mail/attachment_emails/attachment_pdf.eml'))).subject).toBe('Another PDF with 🎉 Unicode chars in it 🍿');
  });

  it('keeps the text of a part in an unknown charset and says so', async () => {
    const m = await parse(fixture('mikel-mail/plain_emails/raw_email10.eml'));
    expect(m.text).toContain('Test test. Hi. Waving.');
    expect(m.notes).toContain('unknown charset "x-unknown": that text was decoded as best it could be and may be garbled');
  });

  it('reads a message whose root part is a base64 attachment', async () => {
    const m = await parse(fixture('nodemailer-mailparser/base64encodedroot.eml'));
    expect(m.text).toBe('');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ filename: 'screenshot.png', contentType: 'image/png', size: 425, disposition: 'attachment' });
    expect(m.attachments[0]?.content?.subarray(1, 4).toString()).toBe('PNG');
  });

  it('reads every attachment fixture with a file name and a hash', async () => {
    const dir = path.join(FIXTURES, 'mikel-mail', 'attachment_emails');
    for (const name of readdirSync(dir)) {
      const m = await parse(readFileSync(path.join(dir, name)));
      expect(m.attachments.length, name).toBeGreaterThan(0);
      for (const a of m.attachments) expect(a.sha256, name).toMatch(/^[0-9a-f]{64}$/);
    }
    const nonAscii = await parse(fixture('mikel-mail/attachment_emails/attachment_nonascii_filename.eml'));
    expect(nonAscii.attachments[0]?.filename).toMatch(/[^\x00-\x7f]/);
  });

  it('reads every broken message of the error fixtures without throwing, noting what it could not read', async () => {
    const dir = path.join(FIXTURES, 'mikel-mail', 'error_emails');
    const names = readdirSync(dir);
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) {
      const m = await parse(readFileSync(path.join(dir, name)));
      expect(typeof m.text, name).toBe('string');
      expect(JSON.stringify(m), name).not.toContain('\\u0000');
    }
    const badDate = await parse(fixture('mikel-mail/error_emails/bad_date_header2.eml'));
    expect(badDate.date).toBeNull();
    expect(badDate.notes.some((n) => n.startsWith('the Date header'))).toBe(true);
  });
});

describe('parseMessage on written and generated input', () => {
  it('makes text from an HTML-only message and reads its addresses and thread headers', async () => {
    const m = await parse(fixture('synthetic/html-only.eml'));
    expect(m.text).toBe('Há um buraco enorme na Rua Principal, em frente à escola.\n\nVeja a foto.\n\nObrigado – João');
    expect(m.html).toContain('<b>Rua Principal</b>');
    expect(m.subject).toBe('Buraco na rua em frente à escola');
    expect(m.from).toEqual({ address: 'joao@example.com', name: 'João Gonçalves' });
    expect(m.replyTo).toBe('joao.reply@example.com');
    expect(m.to).toEqual(['cityline311@danbury.example', 'street@danbury.example']);
    expect(m.cc).toEqual(['ana@example.com', 'rui@example.com']);
    expect(m.inReplyTo).toBe('DB-1234-X@danbury.example');
    expect(m.references).toEqual(['first@danbury.example', 'DB-1234-X@danbury.example']);
    expect(m.date?.toISOString()).toBe('2026-11-26T14:15:00.000Z');
    expect(m.headers.subject).toBe('Buraco na rua em frente à escola');
    expect(m.headers.received).toHaveLength(2);
    expect(m.headers['message-id']).toBe('<html-only-1@example.com>');
    expect(Object.keys(m.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(m.notes).toEqual([]);
  });

  it('reads what it can of malformed MIME and notes the rest', async () => {
    const m = await parse(fixture('synthetic/malformed-multipart.eml'));
    expect(m.text).toBe('The streetlight on Elm Street is out.');
    expect(m.attachments[0]?.filename).toBe('photo.jpg');
    expect(m.notes).toEqual([
      'the multipart boundary "outer" is never closed: the message may have been cut short',
      'unknown charset "x-no-such-charset": that text was decoded as best it could be and may be garbled',
    ]);
  });

  it('refuses input that is not mail at all', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(4096)]);
    const inputs = [png, randomBytes(2048), Buffer.from('{"subject":"pothole","body":"Main Street"}\n'), Buffer.from('Hello, there is a pothole.\n\nThanks'), Buffer.alloc(0)];
    for (const input of inputs) {
      const err = await parse(input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as PermanentError).code).toBe('NOT_MAIL');
      expect((err as Error).message).toMatch(/not an email message/);
    }
  });

  it('notes a message with no body, and removes NUL characters PostgreSQL cannot store', async () => {
    const empty = await parse('From: a@example.com\r\nSubject: (none)\r\n\r\n');
    expect(empty.notes).toContain('the message has no body');
    const nul = await parse('From: a@example.com\r\nSubject: bad\0byte\r\n\r\ntext\0with NUL\r\n');
    expect(nul.subject).toBe('badbyte');
    expect(nul.text).toBe('textwith NUL\n');
  });

  it('cuts an oversized text body and converts only the start of an oversized HTML part', async () => {
    const long = await parse(`From: a@example.com\r\nSubject: long\r\n\r\n${'pothole '.repeat(50_000)}\r\n`, 1024, 10_000);
    expect(long.text).toHaveLength(10_000);
    expect(long.notes.some((n) => n.startsWith('the text is'))).toBe(true);
    const html = `<html><body>${'<p>Pothole on <b>Main</b> Street, please fix it.</p>'.repeat(100_000)}</body></html>`;
    const m = await parse(`From: a@example.com\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`);
    expect(m.text.startsWith('Pothole on Main Street, please fix it.')).toBe(true);
    expect(m.notes.some((n) => n.includes('text was made from its first'))).toBe(true);
  });

  it('records a 30 MB attachment as dropped (size and hash kept) and still reads the message', async () => {
    const big = randomBytes(30 * 1024 * 1024);
    const b64 = big.toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = Buffer.from(
      [
        'From: Resident <resident@example.com>',
        'To: cityline311@danbury.example',
        'Subject: Video of the flooding',
        'Message-ID: <big-1@example.com>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The catch basin on Osborne Street is clogged; video attached.',
        '--b1',
        'Content-Type: video/mp4; name="flood.mp4"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="flood.mp4"',
        '',
        b64,
        '--b1',
        'Content-Type: image/jpeg; name="small.jpg"',
        'Content-Disposition: attachment; filename="small.jpg"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('small image').toString('base64'),
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const m = await parse(raw, 10 * 1024 * 1024);
    const ms = Math.round(performance.now() - started);
    const rssAfter = process.memoryUsage().rss;
    console.log(`30 MB attachment (${(raw.length / 1048576).toFixed(1)} MB raw): parsed in ${ms} ms; RSS ${Math.round(rssBefore / 1048576)} -> ${Math.round(rssAfter / 1048576)} MB`);
    expect(m.text.trim()).toBe('The catch basin on Osborne Street is clogged; video attached.');
    const [video, small] = m.attachments;
    expect(video).toMatchObject({ filename: 'flood.mp4', size: big.length, content: null, sha256: sha256(big) });
    expect(video?.droppedReason).toMatch(/over the 10485760-byte attachment cap/);
    expect(small?.content?.toString()).toBe('small image');
    expect(m.notes.some((n) => n.startsWith('attachment 0 (flood.mp4) was not kept'))).toBe(true);
  });
});
