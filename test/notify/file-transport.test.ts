// The file transport (no SMTP_URL): each message becomes one complete .eml file in the outbox folder.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLog } from '../helpers/db.ts';
import { createTransport, type MailTransport } from '../../src/notify/transport.ts';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.ts';
import { headerFields, PNG, sampleMail } from './mail-fixture.ts';

let root: string;
let peer: SmtpPeer;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'cityline-outbox-'));
  peer = await startSmtpPeer();
});

afterAll(async () => {
  await peer.close();
  await fs.rm(root, { recursive: true, force: true });
});

function outbox(name: string): { dir: string; transport: MailTransport } {
  // A folder that does not exist yet: the transport creates it.
  const dir = path.join(root, name, 'outbox');
  return { dir, transport: createTransport({ smtpUrl: null, outboxDir: dir, log: testLog }) };
}

describe('file transport', () => {
  it('names mail about no one request by its kind alone', async () => {
    const { dir, transport } = outbox('kind-only');
    const mail = sampleMail({ kind: 'department_digest', headers: { 'Auto-Submitted': 'auto-generated' } });
    await transport.send(mail);
    expect(await fs.readdir(dir)).toEqual([expect.stringMatching(/^department_digest\.\d{8}T\d{9}Z-/)]);
  });

  it('writes one .eml named by tracking number, kind, time and Message-ID, which parses back with everything in it', async () => {
    const { dir, transport } = outbox('one');
    expect(transport.kind).toBe('file');
    const mail = sampleMail();
    const { response } = await transport.send(mail);

    const files = await fs.readdir(dir);
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file).toMatch(new RegExp(`^DB-100A7\\.confirmation\\.\\d{8}T\\d{9}Z-${mail.messageId.replace(/[.]/g, '\\.')}\\.eml$`));
    expect(response).toBe(`written to ${path.join(dir, file)}`);

    const raw = await fs.readFile(path.join(dir, file));
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe(`<${mail.messageId}>`);
    expect(parsed.inReplyTo).toBe(`<${mail.inReplyTo}>`);
    expect(parsed.references).toBe(`<${mail.references[0]}>`);
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.from?.value).toEqual([{ name: 'Danbury 311', address: 'cityline311@danbury.example' }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : null).toBe('maria@example.com');
    expect(parsed.replyTo?.value[0]?.address).toBe(mail.replyTo);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('All');
    expect(parsed.headers.get('x-cityline-tracking-number')).toBe('DB-100A7');
    expect(parsed.text).toBe(mail.text);
    expect(parsed.html).toContain('<strong>DB-100A7</strong>');
    expect(parsed.attachments[0]?.content.equals(PNG)).toBe(true);
    // A complete RFC 5322 message: CRLF line ends throughout.
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/);
    await transport.close();
  });

  it('carries the same header fields as the same message sent over SMTP', async () => {
    const { dir, transport: file } = outbox('same');
    const smtp = createTransport({ smtpUrl: peer.url, outboxDir: dir, log: testLog });
    const mail = sampleMail();
    await file.send(mail);
    await smtp.send(mail);
    await smtp.close();

    const [name] = await fs.readdir(dir);
    const fromFile = headerFields(await fs.readFile(path.join(dir, name!)));
    const fromWire = headerFields(peer.messages.find((m) => m.parsed.messageId === `<${mail.messageId}>`)!.raw);
    // Only the Date and the MIME boundary may differ between two builds of one message.
    const stable = (h: Map<string, string[]>) =>
      [...h].filter(([k]) => k !== 'date').map(([k, v]) => [k, k === 'content-type' ? v.map((x) => x.replace(/boundary=.*/, '')) : v]);
    expect(stable(fromFile)).toEqual(stable(fromWire));
    expect(fromFile.size).toBeGreaterThanOrEqual(12);
  });

  it('leaves no temporary files behind, and one file per message', async () => {
    const { dir, transport } = outbox('many');
    const mails = Array.from({ length: 25 }, () => sampleMail());
    const started = performance.now();
    await Promise.all(mails.map((m) => transport.send(m)));
    const ms = performance.now() - started;
    const files = (await fs.readdir(dir)).sort();
    expect(files).toHaveLength(25);
    expect(files.every((f) => f.endsWith('.eml') && !f.startsWith('.'))).toBe(true);
    const ids = new Set(mails.map((m) => m.messageId));
    expect(new Set(files.map((f) => f.slice(f.indexOf('Z-') + 2, -'.eml'.length)))).toEqual(ids);
    console.info(`file transport: 25 messages in ${ms.toFixed(0)} ms`);
  });

  it('writes a row sent again (after a crash left it sending) once, even when both attempts run at once', async () => {
    const { dir, transport } = outbox('again');
    const mail = sampleMail();
    const first = await transport.send(mail);
    const again = await transport.send({ ...mail });
    expect(again.response).toBe(`already written to ${first.response.replace(/^written to /, '')}`);
    const racing = sampleMail();
    const answers = await Promise.all(Array.from({ length: 6 }, () => transport.send({ ...racing })));
    expect(answers.filter((a) => a.response.startsWith('written to '))).toHaveLength(1);
    const files = await fs.readdir(dir);
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(2);
    expect(files.filter((f) => !f.endsWith('.eml'))).toEqual([]);
  });

  it('gives the same Message-ID queued at another time (a database started afresh) a file of its own', async () => {
    const { dir, transport } = outbox('fresh-database');
    const mail = sampleMail({ queuedAt: new Date('2026-11-01T10:00:00Z') });
    await transport.send(mail);
    await transport.send({ ...mail, queuedAt: new Date('2026-12-02T10:00:00Z') });
    expect(await fs.readdir(dir)).toHaveLength(2);
  });

  it('reports a folder it cannot write as a temporary error naming the file', async () => {
    const blocker = path.join(root, 'not-a-folder');
    await fs.writeFile(blocker, 'a file where the outbox folder should be');
    const transport = createTransport({ smtpUrl: null, outboxDir: blocker, log: testLog });
    const mail = sampleMail();
    await expect(transport.send(mail)).rejects.toThrow(`writing <${mail.messageId}> to ${blocker}/`);
  });
});
