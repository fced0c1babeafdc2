// Issue 2 end to end on the real services: Dovecot in, PostgreSQL and Redis through the stages, SMTP out.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/db.ts';
import { residentMail, startTestSystem, type TestSystem } from '../helpers/system.ts';

const uniq = (): string => randomBytes(6).toString('hex');

describe('the mail pipeline, end to end', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('turns a resident email in the mailbox into a tracked, routed request and a confirmation', async () => {
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(
      residentMail({
        from: 'Maria Lopes <maria@resident.example>',
        subject: 'Pothole on Padanaram Road',
        body: 'There is a deep pothole in front of 42 Padanaram Road, two cars got flat tires this morning. Please fix it.',
        messageId,
      }),
    );
    const req = await t.requestFor(messageId);
    expect(req.trackingNumber).toMatch(/^DB-[0-9A-Z]{5,}$/);
    expect(req.category).toBe('pothole');
    expect(req.street).toBe('Padanaram Road');

    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes('maria@resident.example'), 20_000);
    expect(confirmation.parsed.subject).toContain(req.trackingNumber);
    expect(confirmation.parsed.inReplyTo).toBe(`<${messageId}>`);
    expect(confirmation.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(confirmation.parsed.text).toContain(req.trackingNumber);

    const ticket = await t.smtp.waitFor((m) => m.envelopeTo.includes('highway@danbury.example') && (m.parsed.subject ?? '').includes(req.trackingNumber), 20_000);
    expect(ticket.parsed.text).toContain('deep pothole in front of 42 Padanaram Road');
    const replyTo = ticket.parsed.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(/^cityline311\+/);

    const { rows } = await t.db.pool.query(`SELECT status FROM requests WHERE id = $1`, [req.id]);
    expect(rows[0].status).toBe('routed');
    // Recorded just after the relay accepted the confirmation.
    await waitFor(async () => (await t.db.pool.query('SELECT confirmed_at FROM requests WHERE id = $1', [req.id])).rows[0].confirmed_at !== null, 5_000, 'confirmed_at');
    await waitFor(async () => (await t.dovecot.list('INBOX')).length === 0, 10_000, 'the INBOX to empty');
    const processed = await t.dovecot.list('Processed');
    expect(processed.map((m) => m.messageId)).toContain(messageId);
    expect(processed.find((m) => m.messageId === messageId)?.flags).toContain('\\Seen');
  });

  it('opens one request and sends one confirmation for a message delivered twice', async () => {
    const messageId = `${uniq()}@resident.example`;
    const raw = residentMail({
      from: 'Joe Twice <joe.twice@resident.example>',
      subject: 'streetlight out',
      body: 'The streetlight in front of 17 Osborne Street has been out for a week, it is very dark.',
      messageId,
    });
    await t.dovecot.append(raw);
    await t.dovecot.append(raw);
    const req = await t.requestFor(messageId);
    await t.smtp.waitFor((m) => m.envelopeTo.includes('joe.twice@resident.example'), 20_000);
    await waitFor(async () => (await t.dovecot.list('INBOX')).length === 0, 10_000, 'the INBOX to empty');
    // Give a second copy every chance to make a second request before counting.
    await t.system.sweeper.sweepNow();
    const { rows } = await t.db.pool.query(
      `SELECT (SELECT count(*)::int FROM requests r JOIN inbound_messages i ON i.id = r.source_message_id WHERE i.message_id = $1) AS requests,
              (SELECT count(*)::int FROM outbox WHERE request_id = $2 AND kind = 'confirmation') AS confirmations,
              (SELECT count(*)::int FROM inbound_messages WHERE message_id = $1) AS stored`,
      [messageId, req.id],
    );
    expect(rows[0]).toEqual({ requests: 1, confirmations: 1, stored: 1 });
    expect(t.smtp.messages.filter((m) => m.envelopeTo.includes('joe.twice@resident.example'))).toHaveLength(1);
  });

  it('records how long a message takes from APPEND to its confirmation (reported, not asserted)', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const to = `timing${i}-${uniq()}@resident.example`;
      const started = performance.now();
      await t.dovecot.append(residentMail({ from: to, subject: 'streetlight out', body: `The streetlight at ${i + 3} Franklin Street is out.`, messageId: `${uniq()}@resident.example` }));
      await t.smtp.waitFor((m) => m.envelopeTo.includes(to), 20_000);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const result = { messages: latencies.length, medianMs: Math.round(latencies[10] as number), maxMs: Math.round(latencies.at(-1) as number) };
    const dir = path.join(import.meta.dirname, '..', '..', 'test-artifacts');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'append-to-confirmation.json'), `${JSON.stringify(result)}\n`);
    expect(latencies).toHaveLength(20);
  });

  it('survives bad input: nothing crashes, nothing is lost, each gets a clear state, the mailbox keeps flowing', async () => {
    const id = (name: string): string => `${name}-${uniq()}@bad.example`;
    const ids = { malformed: id('malformed'), nobody: id('nobody'), charset: id('charset'), huge: id('huge'), html: id('html') };
    const big = randomBytes(30 * 1024 * 1024).toString('base64').replace(/.{76}/g, '$&\r\n');
    const messages = [
      // Malformed MIME: a multipart whose boundary never appears and a broken header line.
      `From: a@bad.example\r\nSubject: broken\r\nMessage-ID: <${ids.malformed}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="nope"\r\nthis is not a header\r\n\r\n--other\r\nContent-Type: text/plain\r\n\r\nTree down on Main Street\r\n`,
      `From: b@bad.example\r\nSubject: no body at all\r\nMessage-ID: <${ids.nobody}>\r\n\r\n`,
      `From: c@bad.example\r\nSubject: =?x-unknown-charset?Q?caf=E9?=\r\nMessage-ID: <${ids.charset}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n\r\nThe stop sign at Main Street and White Street is down caf\xe9\r\n`,
      `From: d@bad.example\r\nSubject: photo of the graffiti\r\nMessage-ID: <${ids.huge}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nGraffiti all over the wall at 5 Delay Street, photo attached.\r\n--b1\r\nContent-Type: image/jpeg; name="big.jpg"\r\nContent-Disposition: attachment; filename="big.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}\r\n--b1--\r\n`,
      `From: e@bad.example\r\nSubject: html only\r\nMessage-ID: <${ids.html}>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>The <b>catch basin</b> on Lake Avenue is clogged and the street floods.</p></body></html>\r\n`,
    ];
    for (const m of messages) await t.dovecot.append(Buffer.from(m, 'latin1'));
    // Not mail at all.
    await t.dovecot.append(Buffer.concat([Buffer.from([0, 1, 2, 3, 0xff, 0xfe]), randomBytes(2000)]));
    const after = `${uniq()}@resident.example`;
    await t.dovecot.append(residentMail({ from: 'after@resident.example', subject: 'dead animal', body: 'There is a dead deer on Clapboard Ridge Road near number 60.', messageId: after }));

    await t.requestFor(after, 60_000);
    await waitFor(async () => (await t.dovecot.list('INBOX')).length === 0, 60_000, 'the INBOX to empty');
    await waitFor(async () => {
      const { rows: s } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_messages WHERE state IN ('stored', 'parsed')`);
      return s[0]?.n === 0;
    }, 60_000, 'every message to be worked');
    const { rows: final } = await t.db.pool.query<{ message_id: string | null; state: string; error: string | null; parse_notes: string[]; request_id: number | null }>(
      `SELECT message_id, state, error, parse_notes, request_id FROM inbound_messages`,
    );
    const fin = new Map(final.map((r) => [r.message_id, r]));
    for (const key of [ids.malformed, ids.nobody, ids.charset, ids.huge, ids.html]) {
      const r = fin.get(key);
      expect(r, key).toBeDefined();
      expect(['done', 'failed'], `${key}: ${r?.state} ${r?.error}`).toContain(r?.state);
    }
    expect(fin.get(ids.html)?.request_id).not.toBeNull();
    expect(fin.get(ids.charset)?.parse_notes.join(' ')).toMatch(/charset/i);
    const { rows: att } = await t.db.pool.query(
      `SELECT a.filename, a.size, a.content IS NULL AS dropped, a.dropped_reason FROM attachments a JOIN inbound_messages i ON i.id = a.inbound_message_id WHERE i.message_id = $1`,
      [ids.huge],
    );
    expect(att[0]).toMatchObject({ filename: 'big.jpg', dropped: true });
    expect(att[0].size).toBeGreaterThan(30 * 1024 * 1024 - 1);
    expect(fin.get(ids.huge)?.request_id).not.toBeNull();
    const garbage = final.filter((r) => r.message_id === null);
    expect(garbage.some((r) => r.state === 'failed' && /not an email/i.test(r.error ?? ''))).toBe(true);
  });
});
