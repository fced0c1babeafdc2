// The SMTP transport against a real SMTP server in this process.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testLog } from '../helpers/db.ts';
import { PermanentError } from '../../src/errors.ts';
import { classifySmtpError, createTransport, type MailTransport } from '../../src/notify/transport.ts';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.ts';
import { headerFields, PNG, sampleMail } from './mail-fixture.ts';

let peer: SmtpPeer;
let transport: MailTransport;

beforeAll(async () => {
  peer = await startSmtpPeer();
  transport = createTransport({ smtpUrl: peer.url, outboxDir: '/nonexistent-never-used', log: testLog });
});

afterAll(async () => {
  await transport.close();
  await peer.close();
});

beforeEach(() => {
  peer.messages.length = 0;
});

describe('SMTP transport', () => {
  it('is the SMTP kind when SMTP_URL is set', () => {
    expect(transport.kind).toBe('smtp');
  });

  it('delivers the message with its headers, threading and attachments exactly as given', async () => {
    const mail = sampleMail();
    const { response } = await transport.send(mail);
    expect(response).toMatch(/^250 /);

    // The peer stores a message before it answers 250: no waiting needed.
    expect(peer.messages).toHaveLength(1);
    const got = peer.messages[0]!;
    expect(got.envelopeFrom).toBe('cityline311@danbury.example');
    expect(got.envelopeTo).toEqual(['maria@example.com']);

    // Values byte for byte; names compared without case (RFC 5322), as nodemailer writes
    // X-CityLine-Tracking-Number as X-Cityline-Tracking-Number.
    const headers = headerFields(got.raw);
    expect(headers.get('message-id')).toEqual([`<${mail.messageId}>`]);
    expect(headers.get('in-reply-to')).toEqual(['<CAF=resident-original@mail.example.com>']);
    expect(headers.get('references')).toEqual(['<CAF=resident-original@mail.example.com>']);
    expect(headers.get('auto-submitted')).toEqual(['auto-replied']);
    expect(headers.get('x-auto-response-suppress')).toEqual(['All']);
    expect(headers.get('x-cityline-tracking-number')).toEqual(['DB-100A7']);

    const p = got.parsed;
    expect(p.messageId).toBe(`<${mail.messageId}>`);
    expect(p.subject).toBe(mail.subject);
    expect(p.from?.value).toEqual([{ name: 'Danbury 311', address: 'cityline311@danbury.example' }]);
    expect(p.replyTo?.value[0]?.address).toBe(mail.replyTo);
    expect(p.text).toBe(mail.text);
    expect(p.html).toContain('<strong>DB-100A7</strong>');
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]!.filename).toBe('buraco.png');
    expect(p.attachments[0]!.contentType).toBe('image/png');
    expect(p.attachments[0]!.content.equals(PNG)).toBe(true);
  });

  it('threads a follow-up: In-Reply-To names the previous message, References lists the conversation in order', async () => {
    const first = sampleMail();
    await transport.send(first);
    const second = sampleMail({
      subject: '[DB-100A7] Atualização da sua solicitação: Resolvida',
      inReplyTo: first.messageId,
      references: [first.inReplyTo!, first.messageId],
      attachments: [],
      html: null,
    });
    await transport.send(second);

    const got = await peer.waitFor((m) => m.parsed.messageId === `<${second.messageId}>`);
    expect(got.parsed.inReplyTo).toBe(`<${first.messageId}>`);
    expect(got.parsed.references).toEqual([`<${first.inReplyTo}>`, `<${first.messageId}>`]);
    expect(got.parsed.html).toBe(false);
    expect(got.parsed.attachments).toHaveLength(0);
  });

  it('leaves In-Reply-To and References out of a message that starts a conversation', async () => {
    await transport.send(sampleMail({ inReplyTo: null, references: [] }));
    const headers = headerFields(peer.messages[0]!.raw);
    expect(headers.has('in-reply-to')).toBe(false);
    expect(headers.has('references')).toBe(false);
  });

  it('sends an inline image with its Content-ID', async () => {
    const mail = sampleMail({
      html: '<p><img src="cid:map@cityline" alt="map"></p>',
      attachments: [{ filename: 'map.png', contentType: 'image/png', content: PNG, cid: 'map@cityline' }],
    });
    await transport.send(mail);
    const att = peer.messages[0]!.parsed.attachments[0]!;
    expect(att.contentId).toBe('<map@cityline>');
    expect(att.content.equals(PNG)).toBe(true);
  });

  it('turns a 5xx refusal of the message into a PermanentError carrying the reply', async () => {
    peer.failNext(554, '5.7.1 Message rejected as spam');
    const err = await transport.send(sampleMail()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe('SMTP_REJECTED');
    expect((err as Error).message).toContain('554 5.7.1 Message rejected as spam');
    expect(peer.messages).toHaveLength(0);
  });

  it('turns a 5xx refusal of every recipient into a PermanentError', async () => {
    peer.failNext(550, '5.1.1 No such user', 1, 'rcpt');
    const err = await transport.send(sampleMail()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe('SMTP_REJECTED');
    expect((err as Error).message).toContain('550 5.1.1 No such user');
  });

  it('treats a 4xx as temporary, and the retry goes through on the same pool', async () => {
    peer.failNext(451, '4.3.0 Try again later');
    const mail = sampleMail();
    const err = await transport.send(mail).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain('451 4.3.0 Try again later');

    await transport.send(mail);
    expect(peer.messages.map((m) => m.parsed.messageId)).toEqual([`<${mail.messageId}>`]);
  });

  it('delivers to the rest of a department list when one address is refused, and says which', async () => {
    peer.failNext(550, '5.1.1 No such user', 1, 'rcpt');
    const { response } = await transport.send(sampleMail({ to: 'gone@danbury.example, highway@danbury.example' }));
    expect(response).toContain('refused: gone@danbury.example');
    expect(peer.messages[0]!.envelopeTo).toEqual(['highway@danbury.example']);
  });

  it('sends a burst over a few pooled connections', async () => {
    const n = 60;
    const started = performance.now();
    await Promise.all(Array.from({ length: n }, () => transport.send(sampleMail())));
    const seconds = (performance.now() - started) / 1000;
    await peer.waitForCount(n);
    expect(new Set(peer.messages.map((m) => m.parsed.messageId)).size).toBe(n);
    console.info(`SMTP transport: ${n} messages with a 70-byte attachment in ${seconds.toFixed(2)} s (${(n / seconds).toFixed(0)}/s)`);
  });
});

describe('SMTP transport when the server is not there', () => {
  it('gives a temporary error for a refused connection', async () => {
    const gone = await startSmtpPeer();
    await gone.close();
    const t = createTransport({ smtpUrl: gone.url, outboxDir: '/nonexistent-never-used', log: testLog });
    try {
      const err = await t.send(sampleMail()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(PermanentError);
      expect((err as Error).message).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await t.close();
      await t.close();
    }
  });
});

describe('classifySmtpError', () => {
  const mail = { messageId: 'x@danbury.example', to: 'maria@example.com' };
  const withReply = (code: string, responseCode: number, permanent?: boolean) =>
    Object.assign(new Error('failed'), { code, responseCode, response: `${responseCode} reply`, permanent });

  it('keeps a refused login temporary: the operator fixes the password, the mail still goes', () => {
    expect(classifySmtpError(withReply('EAUTH', 535, true), mail)).not.toBeInstanceOf(PermanentError);
  });

  it('keeps 503 (bad sequence of commands) temporary and 552 (too big) permanent', () => {
    expect(classifySmtpError(withReply('EPROTOCOL', 503), mail)).not.toBeInstanceOf(PermanentError);
    expect(classifySmtpError(withReply('EMESSAGE', 552), mail)).toBeInstanceOf(PermanentError);
  });

  it('keeps the original error as the cause and says which message failed', () => {
    const original = Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' });
    const err = classifySmtpError(original, mail);
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.cause).toBe(original);
    expect(err.message).toContain('<x@danbury.example> to maria@example.com');
  });
});
