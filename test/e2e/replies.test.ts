// Issue 11 items 1, 3 and 4 on the real services: replies made by real mail clients (test/fixtures/replies)
// go through Dovecot, the intake and every stage; what leaves is read at the real SMTP peer.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusLabel } from '../../src/notify/labels.ts';
import { decideDepartmentReplyAction } from '../../src/requests/actions.ts';
import type { Captured } from '../helpers/smtp-peer.ts';
import { residentMail, startTestSystem, waitUntilSettled, type TestSystem } from '../helpers/system.ts';

const uniq = (): string => randomBytes(6).toString('hex');
const CLIENTS = path.join(import.meta.dirname, '..', 'fixtures', 'replies', 'clients');

/** A real client's reply, readdressed to answer `to` (one of our emails) from `from`. */
function clientReply(fixture: string, to: Captured, from: string, messageId: string): string {
  const raw = readFileSync(path.join(CLIENTS, fixture), 'utf8').replace(/\r?\n/g, '\r\n');
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).split('\r\n').filter((l) => !/^(From|To|Cc|Message-I[Dd]|In-Reply-To|References|Date):/i.test(l) && !/^\s/.test(l) || /^Subject:/i.test(l));
  const kept = headers.filter((l) => !/^Subject:/i.test(l));
  return [
    `From: Maria Santos <${from}>`,
    `To: ${to.parsed.replyTo?.value[0]?.address}`,
    `Subject: Re: ${to.parsed.subject}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    `In-Reply-To: ${to.parsed.messageId}`,
    `References: ${to.parsed.messageId}`,
    ...kept,
  ].join('\r\n') + raw.slice(split);
}

describe('replies as people write them, on the real services', () => {
  let t: TestSystem;
  beforeAll(async () => {
    // Forestry's replies go to the resident without waiting for staff; everyone else's wait.
    const routing = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'config', 'routing.json'), 'utf8')) as { departments: { code: string; forwardReplies?: boolean }[] };
    for (const d of routing.departments) if (d.code === 'forestry') d.forwardReplies = true;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'routing-')), 'routing.json');
    writeFileSync(file, JSON.stringify(routing));
    t = await startTestSystem({ env: { CITYLINE_ROUTING_FILE: file } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function report(from: string, subject: string, body: string, department = 'highway@danbury.example') {
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(residentMail({ from, subject, body, messageId }));
    const req = await t.requestFor(messageId);
    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes(from) && (m.parsed.subject ?? '').includes(req.trackingNumber), 20_000);
    const ticket = await t.smtp.waitFor((m) => m.envelopeTo.includes(department) && (m.parsed.subject ?? '').includes(req.trackingNumber), 20_000);
    return { req, confirmation, ticket };
  }

  const settled = (): Promise<void> => waitUntilSettled(t);

  async function outboxCount(requestId: number): Promise<number> {
    const { rows } = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE request_id = $1', [requestId]);
    return rows[0]?.n ?? 0;
  }

  async function resolve(ticket: Captured): Promise<void> {
    await t.dovecot.append(
      ['From: highway@danbury.example', `To: ${ticket.parsed.replyTo?.value[0]?.address}`, `Subject: RE: ${ticket.parsed.subject}`, `Message-ID: <${uniq()}@danbury.example>`, `In-Reply-To: ${ticket.parsed.messageId}`, '', 'status: resolved - filled', ''].join('\r\n'),
    );
    await settled();
  }

  async function statusOf(id: number): Promise<string> {
    const { rows } = await t.db.pool.query<{ status: string }>('SELECT status FROM requests WHERE id = $1', [id]);
    return rows[0]?.status ?? '';
  }

  it('answers "What is the status?" typed under the quote (NeoMutt, bottom-posted)', async () => {
    const from = `q${uniq()}@resident.example`;
    const { req, confirmation } = await report(from, 'pothole', 'There is a deep pothole in front of 30 Padanaram Road.');
    await t.dovecot.append(clientReply('neomutt-bottom-status.eml', confirmation, from, `${uniq()}@resident.example`));
    const answer = await t.smtp.waitFor((m) => m.envelopeTo.includes(from) && m !== confirmation && (m.parsed.text ?? '').includes(statusLabel('routed', 'en')), 20_000);
    expect(answer.parsed.subject).toContain(req.trackingNumber);
  });

  it('an empty reply and a "thanks!" under the quote change nothing on a resolved request', async () => {
    const from = `e${uniq()}@resident.example`;
    const { req, confirmation, ticket } = await report(from, 'pothole', 'Pothole at 44 Padanaram Road, it is huge.');
    await resolve(ticket);
    const before = await outboxCount(req.id);
    await t.dovecot.append(clientReply('neomutt-empty.eml', confirmation, from, `${uniq()}@resident.example`));
    await t.dovecot.append(clientReply('mutt-bottom-thanks.eml', confirmation, from, `${uniq()}@resident.example`));
    await t.dovecot.append(clientReply('aerc-bottom.eml', confirmation, from, `${uniq()}@resident.example`));
    await settled();
    expect(await statusOf(req.id)).toBe('resolved');
    expect(await outboxCount(req.id)).toBe(before);
    const { rows } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM thread_messages WHERE request_id = $1 AND direction = 'in' AND author = 'resident'`, [req.id]);
    expect(rows[0]?.n).toBe(4);
  });

  it('a top-posted "still there" reopens in the same ticket thread, with the reason in the status event', async () => {
    const from = `r${uniq()}@resident.example`;
    const { req, confirmation, ticket } = await report(from, 'pothole', 'Pothole at 52 Padanaram Road, it is huge.');
    await resolve(ticket);
    await t.dovecot.append(clientReply('mutt-top-still-there.eml', confirmation, from, `${uniq()}@resident.example`));
    const reopened = await t.smtp.waitFor((m) => m.envelopeTo.includes('highway@danbury.example') && /Reopened by the resident/.test(m.parsed.subject ?? ''), 20_000);
    expect(reopened.parsed.subject).toContain(req.trackingNumber);
    expect(reopened.parsed.inReplyTo).toBeDefined();
    expect(reopened.parsed.references).toContain(ticket.parsed.messageId);
    expect(reopened.parsed.text).toContain('It is still there and it got bigger after the rain.');
    expect(reopened.parsed.text).not.toContain('Hello Maria');
    expect(await statusOf(req.id)).toBe('routed');
    const { rows } = await t.db.pool.query(`SELECT note, details FROM request_events WHERE request_id = $1 AND kind = 'status' ORDER BY id DESC LIMIT 1`, [req.id]);
    expect(rows[0].note).toMatch(/reopened by the resident/);
    expect(rows[0].details.reason).toBe('resident_reply');
    const { rows: tickets } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE request_id = $1 AND kind = 'routed_ticket'`, [req.id]);
    expect(tickets[0]?.n).toBe(1);
  });

  it("sends a resident's inline correction and a photo-only reply on to the department, in the ticket's thread", async () => {
    const from = `f${uniq()}@resident.example`;
    const { req, confirmation, ticket } = await report(from, 'pothole', 'Pothole at 61 Padanaram Road, two flat tires already.');
    await t.dovecot.append(clientReply('mutt-inline-correction.eml', confirmation, from, `${uniq()}@resident.example`));
    const correction = await t.smtp.waitFor((m) => m.envelopeTo.includes('highway@danbury.example') && /The resident added/.test(m.parsed.subject ?? '') && (m.parsed.text ?? '').includes('number 34'), 20_000);
    expect(correction.parsed.text).toContain('Please send someone soon');
    expect(correction.parsed.references).toContain(ticket.parsed.messageId);
    // Starts like a JPEG: only attachments whose bytes are a raster image are forwarded to departments.
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(1020)]).toString('base64');
    await t.dovecot.append(
      [
        `From: ${from}`, `To: ${confirmation.parsed.replyTo?.value[0]?.address}`, `Subject: Re: ${confirmation.parsed.subject}`,
        `Message-ID: <${uniq()}@resident.example>`, `In-Reply-To: ${confirmation.parsed.messageId}`, 'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="xx"', '', '--xx', 'Content-Type: text/plain; charset=utf-8', '',
        '> Your tracking number is ' + req.trackingNumber, '', '--xx', 'Content-Type: image/jpeg; name="hole.jpg"',
        'Content-Disposition: attachment; filename="hole.jpg"', 'Content-Transfer-Encoding: base64', '', photo, '--xx--', '',
      ].join('\r\n'),
    );
    const forwarded = await t.smtp.waitFor((m) => m.envelopeTo.includes('highway@danbury.example') && (m.parsed.text ?? '').includes('(photo only)'), 20_000);
    expect(forwarded.parsed.attachments.map((a) => a.filename)).toEqual(['hole.jpg']);
    expect(await statusOf(req.id)).toBe('routed');
  });

  function departmentReply(ticket: Captured, from: string, text: string): string {
    return [`From: ${from}`, `To: ${ticket.parsed.replyTo?.value[0]?.address}`, `Subject: RE: ${ticket.parsed.subject}`, `Message-ID: <${uniq()}@danbury.example>`,
      `In-Reply-To: ${ticket.parsed.messageId}`, 'Content-Type: text/plain; charset=utf-8', '', text, '', 'From: CityLine 311', 'Sent: Wednesday', 'Subject: the ticket', ''].join('\r\n');
  }

  it("holds a department's reply without a status line for staff, and forwards it in the resident's language on one click", async () => {
    const from = `l${uniq()}@resident.example`;
    const { req, confirmation, ticket } = await report(from, 'Bache enorme', 'Hay un bache enorme en frente del 15 de Hospital Avenue, ya se dañaron dos llantas.');
    expect(confirmation.parsed.text).toContain('Enviamos su solicitud al departamento responsable: Obras Viales.');
    await t.dovecot.append(departmentReply(ticket, 'highway@danbury.example', "We'll get to it next week, the crew is on Main Street until Friday."));
    await settled();
    const { rows } = await t.db.pool.query(`SELECT inbound_message_id, state FROM department_replies WHERE request_id = $1`, [req.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('needs_attention');
    expect(t.smtp.messages.filter((m) => m.envelopeTo.includes(from))).toHaveLength(1);

    await decideDepartmentReplyAction(
      { pool: t.system.pool, config: t.config, routing: t.system.routing, enqueue: t.system.queues.enqueue },
      { inboundMessageId: Number(rows[0].inbound_message_id), forward: true, actor: 'agent@danbury.example' },
    );
    const note = await t.smtp.waitFor((m) => m.envelopeTo.includes(from) && (m.parsed.subject ?? '').includes('Mensaje de Obras Viales'), 20_000);
    expect(note.parsed.text).toContain("Obras Viales escribió en inglés:\n\nWe'll get to it next week, the crew is on Main Street until Friday.");
    expect(note.parsed.text).not.toContain('Sent: Wednesday');
    expect(note.parsed.inReplyTo).toBe(confirmation.parsed.messageId);
    await expect(
      decideDepartmentReplyAction(
        { pool: t.system.pool, config: t.config, routing: t.system.routing, enqueue: t.system.queues.enqueue },
        { inboundMessageId: Number(rows[0].inbound_message_id), forward: true, actor: 'agent@danbury.example' },
      ),
    ).rejects.toThrow(/already/);
  });

  it('forwards a free-text reply at once for a department set to forwardReplies, and never to an address the message names', async () => {
    const from = `t${uniq()}@resident.example`;
    const { req, ticket } = await report(from, 'tree down', 'A big tree fell across Kohanza Street near number 20, the road is blocked.', 'forestry@danbury.example');
    await t.dovecot.append(
      departmentReply(ticket, 'forestry@danbury.example', 'Crew is on the way, should be cleared by 3 PM.').replace('Content-Type:', 'Reply-To: stranger@elsewhere.example\r\nCc: other@elsewhere.example\r\nContent-Type:'),
    );
    const note = await t.smtp.waitFor((m) => m.envelopeTo.includes(from) && (m.parsed.text ?? '').includes('should be cleared by 3 PM'), 20_000);
    expect(note.parsed.text).toContain('Forestry wrote:');
    await settled();
    const { rows } = await t.db.pool.query<{ to_address: string }>(`SELECT to_address FROM outbox WHERE request_id = $1 AND kind = 'department_note'`, [req.id]);
    expect(rows.map((r) => r.to_address)).toEqual([from]);
    expect(t.smtp.messages.some((m) => m.envelopeTo.some((a) => a.endsWith('@elsewhere.example')))).toBe(false);
  });

  it('a question is not mailed as a ticket; after an answer, the resident\'s next question puts it back in the queue, a thank-you does not', async () => {
    const from = `a${uniq()}@resident.example`;
    const messageId = `${uniq()}@resident.example`;
    await t.dovecot.append(residentMail({ from, subject: 'leaf pickup', body: 'When is leaf pickup on my street this fall? I live on Westville Avenue.', messageId }));
    const req = await t.requestFor(messageId);
    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes(from), 20_000);
    expect(confirmation.parsed.text).toMatch(/A person from 311 will answer your question by/);
    await settled();
    const waiting = async () => (await t.db.pool.query('SELECT awaiting_answer_since IS NOT NULL AS w FROM requests WHERE id = $1', [req.id])).rows[0].w as boolean;
    expect(await waiting()).toBe(true);
    expect(t.smtp.messages.some((m) => m.envelopeTo.includes('cityline311-staff@danbury.example') && (m.parsed.subject ?? '').includes(req.trackingNumber))).toBe(false);
    await t.db.pool.query('UPDATE requests SET awaiting_answer_since = NULL WHERE id = $1', [req.id]);
    await t.dovecot.append(clientReply('mutt-bottom-thanks.eml', confirmation, from, `${uniq()}@resident.example`));
    await settled();
    expect(await waiting()).toBe(false);
    await t.dovecot.append(clientReply('neomutt-top-still-there.eml', confirmation, from, `${uniq()}@resident.example`));
    await settled();
    expect(await waiting()).toBe(true);
  });
});
